"""What each part of the audit checks of an assignment: its cards' accruals against what is due
and against their deadlines (``override``, ``ineligible_recipient``, ``over_accrual``,
``late_accrual``), the months it was owed and has no accrual for (``missing_accrual``), and
whether its decision was recorded back-dated (``backdated_decision``).
"""

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from typing import Any

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.payments.audit.data import AuditData, Schedule, record
from krai.modules.payments.audit.findings import Finding, finding
from krai.modules.payments.audit.schedules import due as _due  # here ``due`` is what it gives
from krai.modules.payments.audit.schedules import schedule_of
from krai.modules.payments.model import (
    BACKDATING_TOLERANCE_DAYS,
    period_end,
    period_start,
    periods_between,
)
from krai.modules.payments.records import Accrual, Assignment, CardAccrual
from krai.state.calendar import add_days, day_start_ms, local_date
from krai.state.records import record_json
from krai.state.store import StateView


def check_assignment(
    view: StateView,
    data: AuditData,
    day: str,
    assignment_id: str,
    assignment: Assignment,
    *,
    accruals: dict[str, CardAccrual],
) -> list[Finding]:
    """The findings about one assignment of a part's share: its decision, its accruals
    (``_check_card``) and the periods it was owed and not accrued (``_missing``)."""
    findings: list[Finding] = []
    cash = data.programmes[assignment.programme_id].kind == "cash"
    if accruals or cash:
        schedule = schedule_of(data, assignment)
        if accruals:
            findings = _check_card(view, data, schedule, accruals)
        if cash:
            findings.extend(_missing(data, assignment_id, assignment, schedule, accruals, day=day))
    if assignment.time_ms >= _backdated_from(data, assignment):
        findings.append(_backdated(data, assignment_id, assignment))
    return findings


def _check_card(
    view: StateView, data: AuditData, schedule: Schedule, accruals: dict[str, CardAccrual]
) -> list[Finding]:
    """The findings among a card's accruals: each is compared with what is due and with its
    deadline — through the bounds of its period once the schedule is shared — and the few
    that fail are checked in full (``_check_accrual``)."""
    if not schedule.shared:  # its first person: bounds kept would serve nobody else yet
        return _check_card_alone(view, data, schedule, accruals)
    findings: list[Finding] = []
    bounds = schedule.bounds
    for period, entry in accruals.items():
        most, late_ms = bounds.get(period) or _bounds(data, schedule, period)
        if entry.amount_kopecks > most or entry.override or entry.time_ms >= late_ms:
            findings.extend(_check_accrual(view, data, schedule, period, entry))
    return findings


def _check_card_alone(
    view: StateView, data: AuditData, schedule: Schedule, accruals: dict[str, CardAccrual]
) -> list[Finding]:
    """``_check_card`` on a schedule of one person so far: what is due found by bisection."""
    findings: list[Finding] = []
    changes, dues = schedule.changes, schedule.dues
    deadlines = data.deadlines.get(schedule.programme_id, {})
    for period, entry in accruals.items():
        due = dues[bisect_right(changes, period_start(period))] or _due(data, schedule, period)
        late = deadlines.get(period) or _deadline(data, schedule.programme_id, period)
        amount = entry.amount_kopecks
        if (
            amount > due.get("amount_kopecks", amount)
            or not due.get("eligible", True)
            or entry.override
            or entry.time_ms >= late[1]
        ):
            findings.extend(_check_accrual(view, data, schedule, period, entry))
    return findings


def _bounds(data: AuditData, schedule: Schedule, period: str) -> tuple[int, int]:
    """The most an accrual of ``period`` may be without a closer look — what is due; below
    any amount when the person is not eligible; above any when the rule gives no amount —
    and the ledger time from which it is late. Kept on the schedule, which people alike
    share, so an accrual costs one look-up."""
    due = _due(data, schedule, period)
    if due.get("eligible", True):
        most = due.get("amount_kopecks", MAX_SAFE_INTEGER)
    else:
        most = -MAX_SAFE_INTEGER - 1
    found = schedule.bounds[period] = (most, _deadline(data, schedule.programme_id, period)[1])
    return found


def _check_accrual(
    view: StateView, data: AuditData, schedule: Schedule, period: str, entry: CardAccrual
) -> list[Finding]:
    """An override is listed; without one, an accrual above what the rule gives, or to a
    person it does not make eligible, is a finding; so is one recorded after its deadline."""
    due = _due(data, schedule, period)
    amount = entry.amount_kopecks
    # (kind, sum at stake, evidence); None: the override's, from its record
    found: list[tuple[str, int, dict[str, Any] | None]] = []
    if entry.override:
        found.append(("override", 0, None))
    elif not due.get("eligible", True):
        found.append(("ineligible_recipient", amount, {"period": period, "accrued": amount}))
    elif "amount_kopecks" in due and amount > due["amount_kopecks"]:
        over = {"period": period, "accrued": amount, "due": due["amount_kopecks"]}
        found.append(("over_accrual", amount - due["amount_kopecks"], over))
    deadline, after_ms = _deadline(data, schedule.programme_id, period)
    if entry.time_ms >= after_ms:
        recorded_on = local_date(entry.time_ms, _offset(data, schedule.programme_id))
        late = {"period": period, "due_by": deadline, "recorded_on": recorded_on}
        found.append(("late_accrual", 0, late))
    if not found:
        return []
    accrual = record(view, "accrual", entry.accrual_id, Accrual)
    return [
        _overridden(entry.accrual_id, accrual)
        if evidence is None
        else finding(kind, entry.accrual_id, [accrual], at_stake, **evidence)
        for kind, at_stake, evidence in found
    ]


def _overridden(accrual_id: str, accrual: Accrual) -> Finding:
    """An override: at stake is how far its amount departs from the rule's, either way."""
    assert accrual.override is not None, "its card marks it overridden"
    amount, rule_amount = accrual.amount_kopecks, accrual.rule_amount_kopecks
    return finding(
        "override",
        accrual_id,
        [accrual],
        abs(amount - rule_amount),
        period=accrual.period,
        rule_amount_kopecks=rule_amount,
        amount_kopecks=amount,
        legal_basis=record_json(accrual.override.legal_basis),
        justification=accrual.override.reason,
    )


def _missing(
    data: AuditData,
    assignment_id: str,
    assignment: Assignment,
    schedule: Schedule,
    accrued: Mapping[str, CardAccrual],
    *,
    day: str,
) -> Iterator[Finding]:
    """The periods a cash assignment was owed by the audit's day and has no accrual for."""
    last = min(assignment.end_date or day, day)
    for period in _owed(data, assignment.programme_id, assignment.start_date, last, day):
        if period in accrued or not assignment.active_in(period):
            continue
        due = _due(data, schedule, period)
        if due.get("amount_kopecks", 0) > 0:
            yield finding(
                "missing_accrual",
                f"{assignment_id}/{period}",
                [assignment],
                due["amount_kopecks"],
                period=period,
                due=due["amount_kopecks"],
            )


def _owed(data: AuditData, programme_id: str, first: str, last: str, day: str) -> list[str]:
    """The months from ``first`` to ``last`` whose accrual was due before ``day``."""
    key = (programme_id, first, last, day)
    owed = data.owed.get(key)
    if owed is None:
        owed = data.owed[key] = [
            period
            for period in periods_between(first, last)
            if _deadline(data, programme_id, period)[0] < day
        ]
    return owed


def _deadline(data: AuditData, programme_id: str, period: str) -> tuple[str, int]:
    """The last day to accrue a period in time, and the ledger time from which it is late."""
    by_period = data.deadlines.setdefault(programme_id, {})
    found = by_period.get(period)
    if found is None:
        delay = data.programmes[programme_id].due_days_after_period
        deadline = add_days(period_end(period), delay)
        late_from = day_start_ms(add_days(deadline, 1), _offset(data, programme_id))
        found = by_period[period] = (deadline, late_from)
    return found


def _offset(data: AuditData, programme_id: str) -> int:
    """The programme's region's UTC offset, in which its deadlines and days are read."""
    return data.programmes[programme_id].offset_minutes()


def _backdated_from(data: AuditData, assignment: Assignment) -> int:
    """The ledger time from which recording the assignment's decision is back-dated."""
    decided = (assignment.programme_id, assignment.decision_date)
    late_ms = data.backdated.get(decided)
    if late_ms is None:
        offset = _offset(data, assignment.programme_id)
        late_ms = data.backdated[decided] = _backdated_from_ms(assignment.decision_date, offset)
    return late_ms


def _backdated(data: AuditData, assignment_id: str, assignment: Assignment) -> Finding:
    return finding(
        "backdated_decision",
        assignment_id,
        [assignment],
        0,
        decision_date=assignment.decision_date,
        recorded_on=local_date(assignment.time_ms, _offset(data, assignment.programme_id)),
    )


def _backdated_from_ms(decision_date: str, utc_offset_minutes: int) -> int:
    """The ledger time from which recording a decision of that date counts as back-dated:
    the start, in the programme's zone, of the day after the tolerance."""
    first_late_day = add_days(decision_date, BACKDATING_TOLERANCE_DAYS + 1)
    return day_start_ms(first_late_day, utc_offset_minutes)
