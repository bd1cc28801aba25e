"""The audit anyone holding the ledger can run: every illegitimate, duplicate, late and missing
accrual, and every broken link from budget to service, each with its transactions.

It reads only the replayed state, as of a date (by default the day of the last payments
record), and re-checks with hindsight what the ledger accepted with the facts known at the
time: a death attested late turns earlier payments into findings. Kinds of finding:

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
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

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
from krai.state.calendar import add_days, day_start_ms, local_date
from krai.state.store import StateView, decode_value, read, scan, scan_part

UNRECONCILED_AFTER_DAYS = 5
"""A payment not on any bank statement this many days after it was made is a finding."""

Finding = dict[str, Any]
Record = dict[str, Any]
T = TypeVar("T")
R = TypeVar("R")


class Decoded(Mapping[str, T]):
    """Records kept as their stored bytes and decoded when first read: the parts of the
    audit decode only what their share needs, and the parent the rest while they run."""

    def __init__(self, raw: dict[str, R], decode: Callable[[R], T]) -> None:
        self._raw = raw
        self._decode = decode
        self._decoded: dict[str, T] = {}
        self._complete = False
        """Whether every record is decoded, in the order of the keys read."""

    def __getitem__(self, key: str) -> T:
        found = self._decoded.get(key)
        if found is None:
            found = self._decoded[key] = self._decode(self._raw[key])
        return found

    def get(self, key: str, default: Any = None) -> Any:
        """The record under ``key``, decoded, or ``default``."""
        return self[key] if key in self._raw else default

    def items(self) -> ItemsView[str, T]:
        """Every record, decoded, in the order of the keys read."""
        return self._all().items()

    def values(self) -> ValuesView[T]:
        """Every record, decoded, in the order of the keys read."""
        return self._all().values()

    def _all(self) -> dict[str, T]:
        if not self._complete:
            done, decode = self._decoded, self._decode
            self._decoded = {k: done.get(k) or decode(raw) for k, raw in self._raw.items()}
            self._complete = True
        return self._decoded

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class AuditData:
    """What every part of the audit needs: the small record kinds, indexed, and memos."""

    programmes: dict[str, Record]
    rules: dict[str, list[Record]]
    facts: Mapping[str, list[Record]]
    """Each subject's attested facts."""
    assignments: Mapping[str, Record]
    prescriptions: dict[str, Record]
    dispensings: dict[str, Record]
    claims: dict[str, Record]
    died: dict[str, str]
    """The earliest attested death of each subject (pseudonym or deduplication key)."""
    schedules: dict[str, "Schedule"] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict)
    compiled: dict[tuple[str, int], tuple[Callable[..., Value], Callable[..., Value]]] = field(
        default_factory=dict
    )

    @cached_property
    def by_pseudonym(self) -> dict[str, list[str]]:
        """The ids of each pseudonym's assignments."""
        index: dict[str, list[str]] = defaultdict(list)
        for assignment_id, assignment in self.assignments.items():
            index[assignment["pseudonym"]].append(assignment_id)
        return dict(index)

    @cached_property
    def shared(self) -> set[str]:
        """Assignments whose person holds another assignment of the same programme: only
        their accruals can be duplicates."""
        holders: dict[tuple[str, str], list[str]] = defaultdict(list)
        for assignment_id, assignment in self.assignments.items():
            holders[(assignment["dedup_key"], assignment["programme_id"])].append(assignment_id)
        return {a for held in holders.values() if len(held) > 1 for a in held}

    @cached_property
    def deaths(self) -> dict[str, str]:
        """The attested date of death of the person behind a pseudonym, over that pseudonym
        and the deduplication keys of its assignments: only pseudonyms of the dead are here."""
        died = self.died
        deaths = {subject: day for subject, day in died.items() if subject.startswith("ps:")}
        for assignment in self.assignments.values():
            pseudonym, dedup_key = assignment["pseudonym"], assignment["dedup_key"]
            if dedup_key in died and died[dedup_key] < deaths.get(pseudonym, "9999"):
                deaths[pseudonym] = died[dedup_key]
        return deaths


@dataclass(slots=True)
class Schedule:
    """The dates on which what an assignment gives can change — a rule version of its
    programme takes effect, a fact about its person starts or stops being valid — and what
    it gives between them, evaluated when first asked."""

    programme_id: str
    facts: list[Record]
    """Every fact attested about the person, over the pseudonym and the deduplication key."""
    changes: list[str]
    dues: list[dict[str, Any] | None]


@dataclass
class PartResult:
    """What one part found in its share of cards and statements, and the periods each
    assignment has an accrual for, as its cards say."""

    findings: list[Finding] = field(default_factory=list)
    accrued: dict[str, list[str]] = field(default_factory=dict)
    latest_ms: int = 0


def audit(view: StateView, as_of: str | None = None) -> list[Finding]:
    """Every finding, ordered by kind and subject. ``as_of`` defaults to the day of the last
    payments record (any kind: accruals, payments, facts, prescriptions, claims, statements)."""
    with collector_paused():
        data = load(view)
        part = audit_part(view, data, 0, 1)
        return conclude(data, [part], check_whole(view, data), as_of)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Millions of small dicts: the garbage collector's passes would find nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load(view: StateView) -> AuditData:
    """Read the small record kinds once; facts and assignments are decoded when first used."""
    facts: dict[str, list[bytes]] = defaultdict(list)
    died: dict[str, str] = {}
    for key, raw in view.scan_bytes(f"{PREFIX}fact/"):
        _, _, subject, kind, _ = key.split("/")
        facts[subject].append(raw)
        if kind == "death":
            day = decode_value(raw)["valid_from"]
            died[subject] = min(day, died.get(subject, day))
    rules: dict[str, list[Record]] = defaultdict(list)
    for key, rule in scan(view, f"{PREFIX}rule/"):
        rules[key.split("/")[2]].append(rule)
    prefix = f"{PREFIX}assignment/"
    cut = len(prefix)
    assignments = {key[cut:]: raw for key, raw in view.scan_bytes(prefix)}
    return AuditData(
        _by_id(view, "programme"),
        rules,
        Decoded(dict(facts), _decode_all),
        Decoded(assignments, decode_value),
        _by_id(view, "prescription"),
        _by_id(view, "dispense"),
        _by_id(view, "claim"),
        died,
    )


def _decode_all(raws: list[bytes]) -> list[Record]:
    return [decode_value(raw) for raw in raws]


def check_whole(view: StateView, data: AuditData) -> list[Finding]:
    """The checks that need only the small kinds, and a few records read by their keys: what
    the parent process does while the parts run. Unreconciled payments come with the day on
    which they were paid (``unreconciled_payment`` once the audit's day is known)."""
    return [
        *_dispensed_after_death(data),
        *_incompatible(data),
        *_decisions(data),
        *_duplicates(_duplicate_candidates(view, data)),
        *_paid_after_death(view, data),
        *_awaiting_statement(view),
    ]


def audit_part(view: StateView, data: AuditData, part: int, parts: int) -> PartResult:
    """Check one share of the assignments' cards and of the bank statements: the ``part``-th
    of ``parts`` runs of consecutive records of each kind. Only records of the share are
    decoded, and an accrual's own record only when it is a finding."""
    result = PartResult()
    latest = 0
    for key, raw in _share(view, "card", part, parts):
        assignment_id = key.rsplit("/", 1)[0]
        card = decode_value(raw)
        schedule = data.schedules.get(assignment_id) or _schedule(data, assignment_id)
        periods = result.accrued.setdefault(assignment_id, [])
        for period, entry in card["accruals"].items():
            periods.append(period)
            latest = max(latest, entry["time_ms"])
            found = _check_accrual(view, data, schedule, period, entry)
            if found:
                result.findings.extend(found)
        for entry in card["payments"].values():
            latest = max(latest, entry["time_ms"])
    for statement_id, raw in _share(view, "statement", part, parts):
        statement = decode_value(raw)
        latest = max(latest, statement["time_ms"])
        result.findings.extend(_unmatched_lines(statement_id, statement))
    result.latest_ms = int(latest)
    return result


def conclude(
    data: AuditData, parts: list[PartResult], whole: list[Finding], as_of: str | None
) -> list[Finding]:
    """Join the parts and the whole and check what needs the audit's day; every finding, by
    kind and subject."""
    day = as_of or local_date(max([_latest_ms(data), *(part.latest_ms for part in parts)]))
    accrued: dict[str, list[str]] = {}
    for part in parts:
        for assignment_id, periods in part.accrued.items():
            accrued.setdefault(assignment_id, []).extend(periods)
    findings = [
        *(finding for part in parts for finding in part.findings),
        *(f for f in whole if f["kind"] != "unreconciled_payment" or _overdue(f, day)),
        *_missing(data, accrued, day),
        *_drugs(data, day),
    ]
    return sorted(findings, key=lambda f: (f["kind"], f["subject"]))


def entitled(data: AuditData, assignment_id: str, period: str) -> dict[str, Any]:
    """What the rule in effect gives the assignment's person for the period, on every fact
    now attested: evaluated once per span of its schedule (docs/adr/0015), so the months of
    a person with settled facts under one rule version cost one evaluation."""
    return _due(data, data.schedules.get(assignment_id) or _schedule(data, assignment_id), period)


def _due(data: AuditData, schedule: Schedule, period: str) -> dict[str, Any]:
    on = period_start(period)
    span = bisect_right(schedule.changes, on)
    due = schedule.dues[span]
    if due is None:
        due = schedule.dues[span] = _evaluate(data, schedule, on)
    return due


def _schedule(data: AuditData, assignment_id: str) -> Schedule:
    assignment = data.assignments[assignment_id]
    programme_id = assignment["programme_id"]
    facts = [
        *data.facts.get(assignment["pseudonym"], ()),
        *data.facts.get(assignment["dedup_key"], ()),
    ]
    changes = set(_rule_changes(data, programme_id))
    for fact in facts:
        changes.add(fact["valid_from"])
        if fact.get("valid_until"):
            changes.add(fact["valid_until"])
    schedule = data.schedules[assignment_id] = Schedule(
        programme_id, facts, sorted(changes), [None] * (len(changes) + 1)
    )
    return schedule


def _rule_changes(data: AuditData, programme_id: str) -> list[str]:
    key = ("rule changes", programme_id)
    if key not in data.memo:
        data.memo[key] = [rule["effective_from"] for rule in data.rules.get(programme_id, ())]
    changes: list[str] = data.memo[key]
    return changes


def _evaluate(data: AuditData, schedule: Schedule, on: str) -> dict[str, Any]:
    rule = _rule_on(data, schedule.programme_id, on)
    if rule is None:
        return {"error": "no rule in effect"}
    facts = facts_on(schedule.facts, on)
    eligibility, amount = _compiled(data, schedule.programme_id, rule)
    try:
        eligible = facts.get("death") is None and eligibility(facts) is True
        value = amount(facts) if eligible else 0
    except (FormulaError, KeyError, IndexError, TypeError) as error:
        return {"error": str(error)}
    return {"version": rule["version"], "eligible": eligible, "amount_kopecks": value}


def _rule_on(data: AuditData, programme_id: str, on: str) -> Record | None:
    key = ("rule", programme_id, on)
    if key not in data.memo:
        data.memo[key] = rule_for(data.rules.get(programme_id, []), on)
    rule: Record | None = data.memo[key]
    return rule


def facts_on(facts: list[Record], on: str) -> dict[str, Value]:
    """Each kind's latest attestation valid on a date, among a person's facts."""
    chosen: dict[str, tuple[tuple[str, int], Value]] = {}
    for fact in facts:
        if fact["valid_from"] > on or (fact.get("valid_until") or "9999") <= on:
            continue
        rank = (fact["valid_from"], fact["index"])
        if fact["kind"] not in chosen or rank > chosen[fact["kind"]][0]:
            chosen[fact["kind"]] = (rank, fact["value"])
    return {kind: value for kind, (_, value) in chosen.items()}


def _share(view: StateView, kind: str, part: int, parts: int) -> Iterator[tuple[str, bytes]]:
    """The ``part``-th of ``parts`` runs of consecutive records of a kind, by id, undecoded.
    Consecutive, so that an assignment's cards (keyed by assignment, then year) mostly fall in
    one part and its person's entitlement is computed once."""
    prefix = f"{PREFIX}{kind}/"
    cut = len(prefix)
    return ((key[cut:], raw) for key, raw in scan_part(view, prefix, part, parts))


def _dispensed_after_death(data: AuditData) -> Iterator[Finding]:
    for dispense_id, dispensing in data.dispensings.items():
        died = data.deaths.get(dispensing["pseudonym"])
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


def _duplicate_candidates(
    view: StateView, data: AuditData
) -> list[tuple[int, tuple[str, str, str], str, Record]]:
    """(log index, person–programme–period slot, accrual id, accrual) of every accrual of
    the assignments whose person holds another of the same programme, in log order."""
    candidates = []
    for assignment_id in sorted(data.shared):
        assignment = data.assignments[assignment_id]
        for _, card in scan(view, f"{PREFIX}card/{assignment_id}/"):
            for period, entry in card["accruals"].items():
                accrual = _record(view, "accrual", entry["accrual_id"])
                slot = (assignment["dedup_key"], assignment["programme_id"], period)
                candidates.append((int(accrual["index"]), slot, entry["accrual_id"], accrual))
    return sorted(candidates, key=lambda c: c[0])


def _duplicates(
    candidates: list[tuple[int, tuple[str, str, str], str, Record]],
) -> Iterator[Finding]:
    """The duplicate of a person's accrual for a programme and period is the later one in the
    log, whatever the ids: candidates come in log order."""
    seen: dict[tuple[str, str, str], tuple[str, Record]] = {}
    for _, slot, accrual_id, accrual in candidates:
        if slot not in seen:
            seen[slot] = (accrual_id, accrual)
            continue
        first_id, first = seen[slot]
        yield _finding(
            "duplicate_accrual",
            accrual_id,
            [first, accrual],
            period=accrual["period"],
            first=first_id,
        )


def _paid_after_death(view: StateView, data: AuditData) -> Iterator[Finding]:
    """Payments on or after the attested death of their person, found through the cards of
    the dead's assignments."""
    for pseudonym, died in sorted(data.deaths.items()):
        for assignment_id in data.by_pseudonym.get(pseudonym, []):
            for _, card in scan(view, f"{PREFIX}card/{assignment_id}/"):
                for payment_id, entry in card["payments"].items():
                    if died <= entry["paid_on"]:
                        payment = _record(view, "payment", payment_id)
                        yield _finding(
                            "paid_after_death",
                            payment_id,
                            [payment],
                            died=died,
                            paid_on=entry["paid_on"],
                        )


def _awaiting_statement(view: StateView) -> Iterator[Finding]:
    """Every payment no statement has matched yet, with the day it was paid: a finding once
    the audit's day is more than ``UNRECONCILED_AFTER_DAYS`` later (``_overdue``)."""
    prefix = f"{PREFIX}unreconciled/"
    for key, waiting in scan(view, prefix):
        payment_id = key[len(prefix) :]
        payment = _record(view, "payment", payment_id)
        yield _finding("unreconciled_payment", payment_id, [payment], paid_on=waiting["paid_on"])


def _overdue(finding: Finding, day: str) -> bool:
    return add_days(finding["evidence"]["paid_on"], UNRECONCILED_AFTER_DAYS) < day


def _check_accrual(
    view: StateView, data: AuditData, schedule: Schedule, period: str, entry: Record
) -> list[Finding]:
    """An override is listed; without one, an accrual above what the rule gives, or to a
    person it does not make eligible, is a finding; so is one recorded after its deadline."""
    due = _due(data, schedule, period)
    amount = entry["amount_kopecks"]
    found: list[tuple[str, dict[str, Any] | None]] = []  # None: the override's, from its record
    if "override" in entry:
        found.append(("override", None))
    elif not due.get("eligible", True):
        found.append(("ineligible_recipient", {"period": period}))
    elif "amount_kopecks" in due and amount > due["amount_kopecks"]:
        found.append(("over_accrual", {"accrued": amount, "due": due["amount_kopecks"]}))
    deadline, after_ms = _deadline(data, schedule.programme_id, period)
    if entry["time_ms"] >= after_ms:
        found.append(
            ("late_accrual", {"due_by": deadline, "recorded_on": local_date(entry["time_ms"])})
        )
    if not found:
        return []
    accrual = _record(view, "accrual", entry["accrual_id"])
    return [
        _finding(
            kind,
            entry["accrual_id"],
            [accrual],
            **(_overridden(accrual) if evidence is None else evidence),
        )
        for kind, evidence in found
    ]


def _overridden(accrual: Record) -> dict[str, Any]:
    return {
        "rule_amount_kopecks": accrual["rule_amount_kopecks"],
        "amount_kopecks": accrual["amount_kopecks"],
        "legal_basis": accrual["override"]["legal_basis"],
    }


def _missing(data: AuditData, accrued: dict[str, list[str]], day: str) -> Iterator[Finding]:
    for assignment_id, assignment in data.assignments.items():
        programme = data.programmes[assignment["programme_id"]]
        if programme["kind"] != "cash":
            continue
        last = min(assignment.get("end_date") or day, day)
        has = accrued.get(assignment_id, ())
        for period in _owed(
            data, assignment["programme_id"], (assignment["start_date"], last), day
        ):
            if period in has or not active_in(assignment, period):
                continue
            due = entitled(data, assignment_id, period)
            if due.get("amount_kopecks", 0) > 0:
                yield _finding(
                    "missing_accrual",
                    f"{assignment_id}/{period}",
                    [assignment],
                    period=period,
                    due=due["amount_kopecks"],
                )


def _owed(data: AuditData, programme_id: str, span: tuple[str, str], day: str) -> list[str]:
    """The months from ``span``'s first day to its last whose accrual was due before ``day``."""
    key = ("owed", programme_id, span, day)
    if key not in data.memo:
        data.memo[key] = [
            period
            for period in periods_between(*span)
            if _deadline(data, programme_id, period)[0] < day
        ]
    owed: list[str] = data.memo[key]
    return owed


def _deadline(data: AuditData, programme_id: str, period: str) -> tuple[str, int]:
    """The last day to accrue a period in time, and the ledger time from which it is late."""
    key = ("deadline", programme_id, period)
    if key not in data.memo:
        delay = int(data.programmes[programme_id]["due_days_after_period"])
        deadline = add_days(period_end(period), delay)
        data.memo[key] = (deadline, day_start_ms(add_days(deadline, 1)))
    found: tuple[str, int] = data.memo[key]
    return found


def _unmatched_lines(statement_id: str, statement: Record) -> Iterator[Finding]:
    for line in statement["lines"]:
        if "unmatched" in line:
            yield _finding(
                "unmatched_bank_line",
                f"{statement_id}/{line['line_id']}",
                [statement],
                reason=line["unmatched"],
                reference=line["reference"],
            )


def _decisions(data: AuditData) -> Iterator[dict[str, Any]]:
    for assignment_id, assignment in data.assignments.items():
        if assignment["time_ms"] < _backdated_from_ms(data, assignment["decision_date"]):
            continue
        yield _finding(
            "backdated_decision",
            assignment_id,
            [assignment],
            decision_date=assignment["decision_date"],
            recorded_on=local_date(assignment["time_ms"]),
        )


def _backdated_from_ms(data: AuditData, decision_date: str) -> int:
    """The ledger time from which recording a decision of that date counts as back-dated:
    the start of the day after the tolerance."""
    key = ("backdated", decision_date)
    if key not in data.memo:
        data.memo[key] = day_start_ms(add_days(decision_date, BACKDATING_TOLERANCE_DAYS + 1))
    found: int = data.memo[key]
    return found


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
    return [data.assignments[a] for a in data.by_pseudonym.get(pseudonym, [])]


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


def _record(view: StateView, kind: str, record_id: str) -> Record:
    """A record the ledger's own indexes name, which must therefore exist."""
    found = read(view, f"{PREFIX}{kind}/{record_id}")
    assert found is not None, f"{kind} {record_id} is named by the payments state but absent"
    return found


def _by_id(view: StateView, kind: str) -> dict[str, dict[str, Any]]:
    prefix = f"{PREFIX}{kind}/"
    return {key[len(prefix) :]: value for key, value in scan(view, prefix)}


def _latest_ms(data: AuditData) -> int:
    """The time of the latest record among the kinds every part reads."""
    records = [
        *data.assignments.values(),
        *data.dispensings.values(),
        *data.prescriptions.values(),
        *data.claims.values(),
        *(fact for facts in data.facts.values() for fact in facts),
    ]
    return max((int(r["time_ms"]) for r in records), default=0)
