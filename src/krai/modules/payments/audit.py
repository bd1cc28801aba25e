"""The audit anyone holding the ledger can run: every illegitimate, duplicate, late and missing
accrual, and every broken link from budget to service, each with its transactions.

It reads only the replayed state, as of a date (by default the day of the last entry), and
re-checks with hindsight what the ledger accepted with the facts known at the time: a death
attested late turns earlier payments into findings. Kinds of finding:

``paid_after_death``, ``dispensed_after_death``, ``incompatible_programmes``,
``ineligible_recipient``, ``over_accrual``, ``duplicate_accrual``, ``late_accrual``,
``missing_accrual``, ``override``, ``unreconciled_payment``, ``unmatched_bank_line``,
``backdated_decision``, ``invalid_dispensing``, ``deferred_not_served``,
``wrong_funding_source``.

What the ledger refuses outright never needs finding: a pack dispensed twice, a second
accrual of one assignment for one period, a payment above what is accrued and unpaid, a
payment to a person whose death is attested by then, a prescription of an unlisted drug.
"""

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from krai.modules.payments.formulas import FormulaError, Value, compile_formula
from krai.modules.payments.model import (
    BACKDATING_TOLERANCE_DAYS,
    PREFIX,
    active_in,
    period_end,
    period_start,
    periods_between,
    rule_for,
)
from krai.state.calendar import add_days, days_between, local_date
from krai.state.store import StateView, scan

UNRECONCILED_AFTER_DAYS = 5
"""A payment not on any bank statement this many days after it was made is a finding."""


@dataclass
class AuditData:
    """The payments state, loaded once and indexed for the audit."""

    programmes: dict[str, dict[str, Any]]
    rules: dict[str, list[dict[str, Any]]]
    facts: dict[str, list[dict[str, Any]]]
    assignments: dict[str, dict[str, Any]]
    accruals: dict[str, dict[str, Any]]
    payments: dict[str, dict[str, Any]]
    prescriptions: dict[str, dict[str, Any]]
    dispensings: dict[str, dict[str, Any]]
    claims: dict[str, dict[str, Any]]
    statements: dict[str, dict[str, Any]]
    by_pseudonym: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rule_cache: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    compiled: dict[tuple[str, int], tuple[Callable[..., Value], Callable[..., Value]]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        index: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for assignment in self.assignments.values():
            index[assignment["pseudonym"]].append(assignment)
        self.by_pseudonym = dict(index)


def audit(view: StateView, as_of: str | None = None) -> list[dict[str, Any]]:
    """Every finding, ordered by kind and subject. ``as_of`` defaults to the day of the last
    payments record (any kind: accruals, payments, facts, prescriptions, claims, statements)."""
    collecting = gc.isenabled()
    gc.disable()  # millions of small dicts: the collector's passes would find nothing to free
    try:
        return _audit(view, as_of)
    finally:
        if collecting:
            gc.enable()


def _audit(view: StateView, as_of: str | None) -> list[dict[str, Any]]:
    data = load(view)
    day = as_of or _last_day(data)
    findings = [
        *_deaths(data),
        *_incompatible(data),
        *_accrual_findings(data, day),
        *_missing(data, day),
        *_bank(data, day),
        *_decisions(data),
        *_drugs(data, day),
    ]
    return sorted(findings, key=lambda f: (f["kind"], f["subject"]))


def load(view: StateView) -> AuditData:
    """Read the payments state once."""
    facts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, fact in scan(view, f"{PREFIX}fact/"):
        facts[key.split("/")[2]].append(fact)
    rules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, rule in scan(view, f"{PREFIX}rule/"):
        rules[key.split("/")[2]].append(rule)
    return AuditData(
        _by_id(view, "programme"),
        rules,
        facts,
        _by_id(view, "assignment"),
        _by_id(view, "accrual"),
        _by_id(view, "payment"),
        _by_id(view, "prescription"),
        _by_id(view, "dispense"),
        _by_id(view, "claim"),
        _by_id(view, "statement"),
    )


def entitled(data: AuditData, assignment: dict[str, Any], period: str) -> dict[str, Any]:
    """What the rule in effect gives the person for the period, on every fact now attested."""
    on = period_start(period)
    rule = _rule_on(data, assignment["programme_id"], on)
    if rule is None:
        return {"error": "no rule in effect"}
    facts = facts_on(data, [assignment["pseudonym"], assignment["dedup_key"]], on)
    eligibility, amount = _compiled(data, assignment["programme_id"], rule)
    try:
        eligible = facts.get("death") is None and eligibility(facts) is True
        value = amount(facts) if eligible else 0
    except (FormulaError, KeyError, IndexError, TypeError) as error:
        return {"error": str(error)}
    return {"version": rule["version"], "eligible": eligible, "amount_kopecks": value}


def _rule_on(data: AuditData, programme_id: str, on: str) -> dict[str, Any] | None:
    key = (programme_id, on)
    if key not in data.rule_cache:
        data.rule_cache[key] = rule_for(data.rules.get(programme_id, []), on)
    return data.rule_cache[key]


def facts_on(data: AuditData, subjects: list[str], on: str) -> dict[str, Value]:
    """Each kind's latest attestation valid on a date, over a person's pseudonyms."""
    chosen: dict[str, tuple[tuple[str, int], Value]] = {}
    for subject in subjects:
        for fact in data.facts.get(subject, ()):
            if fact["valid_from"] > on or (fact.get("valid_until") or "9999") <= on:
                continue
            rank = (fact["valid_from"], fact["index"])
            if fact["kind"] not in chosen or rank > chosen[fact["kind"]][0]:
                chosen[fact["kind"]] = (rank, fact["value"])
    return {kind: value for kind, (_, value) in chosen.items()}


def _deaths(data: AuditData) -> Iterator[dict[str, Any]]:
    for payment_id, payment in data.payments.items():
        assignment = data.assignments[data.accruals[payment["accrual_id"]]["assignment_id"]]
        died = _death(data, [assignment["pseudonym"], assignment["dedup_key"]])
        if died is not None and died <= payment["paid_on"]:
            yield _finding(
                "paid_after_death", payment_id, [payment], died=died, paid_on=payment["paid_on"]
            )
    for dispense_id, dispensing in data.dispensings.items():
        died = _death(data, [dispensing["pseudonym"], *_dedup_keys(data, dispensing["pseudonym"])])
        if died is not None and died <= dispensing["dispensed_on"]:
            yield _finding(
                "dispensed_after_death",
                dispense_id,
                [dispensing],
                died=died,
                dispensed_on=dispensing["dispensed_on"],
            )


def _incompatible(data: AuditData) -> Iterator[dict[str, Any]]:
    by_person: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for assignment_id, assignment in data.assignments.items():
        by_person[assignment["dedup_key"]].append((assignment_id, assignment))
    for held in by_person.values():
        for i, (first_id, first) in enumerate(held):
            for second_id, second in held[i + 1 :]:
                if _excludes(data, first, second) and _overlap(first, second):
                    subject = f"{first_id}+{second_id}"
                    yield _finding(
                        "incompatible_programmes",
                        subject,
                        [first, second],
                        programmes=[first["programme_id"], second["programme_id"]],
                    )


def _accrual_findings(data: AuditData, day: str) -> Iterator[dict[str, Any]]:
    """The duplicate of a person's accrual for a programme and period is the later one in the
    log, whatever the ids: accruals are taken in log order."""
    seen: dict[tuple[str, str, str], str] = {}
    in_log_order = sorted(data.accruals.items(), key=lambda item: int(item[1]["index"]))
    for accrual_id, accrual in in_log_order:
        assignment = data.assignments[accrual["assignment_id"]]
        slot = (assignment["dedup_key"], accrual["programme_id"], accrual["period"])
        if slot in seen:
            other = data.accruals[seen[slot]]
            yield _finding(
                "duplicate_accrual",
                accrual_id,
                [other, accrual],
                period=accrual["period"],
                first=seen[slot],
            )
        else:
            seen[slot] = accrual_id
        yield from _accrual_checks(data, accrual_id, accrual, assignment)


def _accrual_checks(
    data: AuditData, accrual_id: str, accrual: dict[str, Any], assignment: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    if "override" in accrual:
        yield _finding(
            "override",
            accrual_id,
            [accrual],
            rule_amount_kopecks=accrual["rule_amount_kopecks"],
            amount_kopecks=accrual["amount_kopecks"],
            legal_basis=accrual["override"]["legal_basis"],
        )
    due = entitled(data, assignment, accrual["period"])
    if not due.get("eligible", True) and "override" not in accrual:
        yield _finding("ineligible_recipient", accrual_id, [accrual], period=accrual["period"])
    elif (
        "amount_kopecks" in due
        and accrual["amount_kopecks"] > due["amount_kopecks"]
        and "override" not in accrual
    ):
        yield _finding(
            "over_accrual",
            accrual_id,
            [accrual],
            accrued=accrual["amount_kopecks"],
            due=due["amount_kopecks"],
        )
    programme = data.programmes[accrual["programme_id"]]
    deadline = add_days(period_end(accrual["period"]), int(programme["due_days_after_period"]))
    if local_date(accrual["time_ms"]) > deadline:
        yield _finding(
            "late_accrual",
            accrual_id,
            [accrual],
            due_by=deadline,
            recorded_on=local_date(accrual["time_ms"]),
        )


def _missing(data: AuditData, day: str) -> Iterator[dict[str, Any]]:
    accrued = {(a["assignment_id"], a["period"]) for a in data.accruals.values()}
    for assignment_id, assignment in data.assignments.items():
        programme = data.programmes[assignment["programme_id"]]
        if programme["kind"] != "cash":
            continue
        delay = int(programme["due_days_after_period"])
        last = min(assignment.get("end_date") or day, day)
        for period in periods_between(assignment["start_date"], last):
            overdue = add_days(period_end(period), delay) < day
            if (
                not overdue
                or (assignment_id, period) in accrued
                or not active_in(assignment, period)
            ):
                continue
            due = entitled(data, assignment, period)
            if due.get("amount_kopecks", 0) > 0:
                yield _finding(
                    "missing_accrual",
                    f"{assignment_id}/{period}",
                    [assignment],
                    period=period,
                    due=due["amount_kopecks"],
                )


def _bank(data: AuditData, day: str) -> Iterator[dict[str, Any]]:
    for statement_id, statement in data.statements.items():
        for line in statement["lines"]:
            if "unmatched" in line:
                subject = f"{statement_id}/{line['line_id']}"
                yield _finding(
                    "unmatched_bank_line",
                    subject,
                    [statement],
                    reason=line["unmatched"],
                    reference=line["reference"],
                )
    for payment_id, payment in data.payments.items():
        if (
            payment["bank"] == "unreconciled"
            and add_days(payment["paid_on"], UNRECONCILED_AFTER_DAYS) < day
        ):
            yield _finding(
                "unreconciled_payment", payment_id, [payment], paid_on=payment["paid_on"]
            )


def _decisions(data: AuditData) -> Iterator[dict[str, Any]]:
    for assignment_id, assignment in data.assignments.items():
        recorded = local_date(assignment["time_ms"])
        if days_between(assignment["decision_date"], recorded) > BACKDATING_TOLERANCE_DAYS:
            yield _finding(
                "backdated_decision",
                assignment_id,
                [assignment],
                decision_date=assignment["decision_date"],
                recorded_on=recorded,
            )


def _drugs(data: AuditData, day: str) -> Iterator[dict[str, Any]]:
    for dispense_id, dispensing in data.dispensings.items():
        if dispensing["problems"]:
            yield _finding(
                "invalid_dispensing", dispense_id, [dispensing], problems=dispensing["problems"]
            )
        if not _covered(data, dispensing):
            yield _finding(
                "wrong_funding_source",
                dispense_id,
                [dispensing],
                programme_id=dispensing["programme_id"],
            )
    for prescription_id, prescription in data.prescriptions.items():
        deferred = prescription.get("deferred")
        if deferred is None:
            continue
        served = [
            data.dispensings[d]["dispensed_on"]
            for d in prescription.get("dispensings", [])
            if not data.dispensings[d]["problems"]
        ]
        in_time = any(on <= deferred["serve_by"] for on in served)
        if not in_time and deferred["serve_by"] < day:
            yield _finding(
                "deferred_not_served",
                prescription_id,
                [prescription, deferred],
                serve_by=deferred["serve_by"],
            )


def _covered(data: AuditData, dispensing: dict[str, Any]) -> bool:
    period = dispensing["dispensed_on"][:7]
    return any(
        a["pseudonym"] == dispensing["pseudonym"]
        and a["programme_id"] == dispensing["programme_id"]
        and active_in(a, period)
        for a in _assignments_of(data, dispensing["pseudonym"])
    )


def _assignments_of(data: AuditData, pseudonym: str) -> list[dict[str, Any]]:
    return data.by_pseudonym.get(pseudonym, [])


def _dedup_keys(data: AuditData, pseudonym: str) -> list[str]:
    return [a["dedup_key"] for a in _assignments_of(data, pseudonym)]


def _death(data: AuditData, subjects: list[str]) -> str | None:
    dates = [
        f["valid_from"] for s in subjects for f in data.facts.get(s, ()) if f["kind"] == "death"
    ]
    return min(dates) if dates else None


def _excludes(data: AuditData, first: dict[str, Any], second: dict[str, Any]) -> bool:
    one, other = data.programmes[first["programme_id"]], data.programmes[second["programme_id"]]
    return (
        second["programme_id"] in one["incompatible_with"]
        or first["programme_id"] in other["incompatible_with"]
    )


def _overlap(first: dict[str, Any], second: dict[str, Any]) -> bool:
    first_end, second_end = (
        first.get("end_date") or "9999-12-31",
        second.get("end_date") or "9999-12-31",
    )
    return bool(first["start_date"] <= second_end and second["start_date"] <= first_end)


def _compiled(
    data: AuditData, programme_id: str, rule: dict[str, Any]
) -> tuple[Callable[..., Value], Callable[..., Value]]:
    key = (programme_id, int(rule["version"]))
    if key not in data.compiled:
        params = rule["parameters"]
        data.compiled[key] = (
            compile_formula(rule["eligibility"], params),
            compile_formula(rule["amount_kopecks"], params),
        )
    return data.compiled[key]


def _finding(
    kind: str, subject: str, records: list[dict[str, Any]], **evidence: Any
) -> dict[str, Any]:
    transactions = [{"tx_id": r["tx_id"], "index": r["index"]} for r in records if "tx_id" in r]
    return {"kind": kind, "subject": subject, "transactions": transactions, "evidence": evidence}


def _by_id(view: StateView, kind: str) -> dict[str, dict[str, Any]]:
    prefix = f"{PREFIX}{kind}/"
    return {key[len(prefix) :]: value for key, value in scan(view, prefix)}


def _last_day(data: AuditData) -> str:
    records = [
        *data.accruals.values(),
        *data.payments.values(),
        *data.assignments.values(),
        *data.dispensings.values(),
        *data.prescriptions.values(),
        *data.claims.values(),
        *data.statements.values(),
        *(fact for facts in data.facts.values() for fact in facts),
    ]
    latest = max((int(r["time_ms"]) for r in records), default=0)
    return local_date(latest)
