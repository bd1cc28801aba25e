"""The audit anyone holding the ledger can run: every illegitimate, duplicate, late and missing
accrual, and every broken link from budget to service, each with its transactions.

It reads only the replayed state, as of a date (by default the day of the latest payments
transaction), and re-checks with hindsight what the ledger accepted with the facts known at the
time: a death attested late turns earlier payments into findings. Kinds of finding:

``paid_after_death``, ``dispensed_after_death``, ``incompatible_programmes``,
``ineligible_recipient``, ``over_accrual``, ``duplicate_accrual``, ``late_accrual``,
``missing_accrual``, ``override``, ``unreconciled_payment``, ``unmatched_bank_line``,
``incomplete_statement``, ``backdated_decision``, ``invalid_dispensing``, ``deferred_not_served``,
``wrong_funding_source``.

What the ledger refuses outright never needs finding: a pack dispensed twice, a second
accrual of one assignment for one period, a payment above what is accrued and unpaid, a
payment to a person whose death is attested by then, a prescription of an unlisted drug.
"""

import gc
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    ValuesView,
)
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import attrgetter
from typing import Any, TypeVar

import msgspec

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.payments.formulas import FormulaError, Value, compile_formula
from krai.modules.payments.model import (
    BACKDATING_TOLERANCE_DAYS,
    LATEST_KEY,
    PREFIX,
    period_end,
    period_start,
    periods_between,
)
from krai.modules.payments.records import (
    Accrual,
    Assignment,
    CardAccrual,
    CardAccruals,
    CardPayments,
    Claim,
    Death,
    Dispensing,
    Fact,
    FactSheet,
    IncompleteStatement,
    Latest,
    PartEntry,
    Payment,
    Prescription,
    Programme,
    Provenance,
    RuleVersion,
    StatementInParts,
    StoredStatement,
    UnmatchedLine,
    Unreconciled,
    facts_in_effect,
)
from krai.state.calendar import add_days, day_start_ms, local_date
from krai.state.records import R, decode_record, read_record, record_json, scan_records
from krai.state.store import SCAN_END, StateView, scan_range

UNRECONCILED_AFTER_DAYS = 5
"""A payment not on any bank statement this many days after it was made is a finding."""
CARDS = f"{PREFIX}card/"
"""The prefix of the assignments' cards (``model.card_key``)."""
SHEETS = f"{PREFIX}sheet/"
"""The prefix of the subjects' fact sheets (``model.fact_sheet_key``)."""

Finding = dict[str, Any]
Evidence = Provenance | PartEntry
"""What a finding names the transaction of: a record, or a statement part's entry."""
T = TypeVar("T")
S = TypeVar("S")


class Decoded(Mapping[str, T]):
    """Records kept as their stored bytes and decoded when first read: the parts of the
    audit decode only what their share needs, and the parent the rest while they run."""

    def __init__(self, raw: dict[str, S], decode: Callable[[S], T]) -> None:
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

    def raw_items(self) -> ItemsView[str, Any]:
        """Every record as stored, in the order of the keys read."""
        return self._raw.items()

    def fresh(self, key: str) -> T:
        """The record under ``key`` decoded anew, not kept: for a reader that asks once."""
        return self._decode(self._raw[key])

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

    programmes: dict[str, Programme]
    rules: dict[str, list[RuleVersion]]
    sheets: dict[str, bytes]
    """Each subject's fact sheet, as stored, under its key (``SHEETS`` and the subject):
    decoded by the part that needs it."""
    assignments: Mapping[str, Assignment]
    prescriptions: dict[str, Prescription]
    dispensings: dict[str, Dispensing]
    claims: dict[str, Claim]
    died: dict[str, str]
    """The earliest attested death of each subject (pseudonym or deduplication key)."""
    alike: dict[tuple[str, tuple[Any, ...]], "Schedule"] = field(default_factory=dict)
    """The schedule of each programme and facts in rank order, shared by the assignments
    of that programme whose people have those facts (``_schedule``)."""
    briefs: dict[tuple[str, bytes], "Schedule"] = field(default_factory=dict)
    """The schedule of each programme and fact sheet without its entry indexes, for people
    with one sheet (``_schedule_of``)."""
    brief_hits: int = 0
    """How many people were found by ``briefs``."""
    by_brief: bool = True
    """Whether people are still looked up by ``briefs`` (``BRIEFS_TRIED``)."""
    deadlines: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    """Each programme's deadline of each period (``_deadline``)."""
    versions: dict[str, "Versions"] = field(default_factory=dict)
    owed: dict[tuple[str, str, str, str], list[str]] = field(default_factory=dict)
    """The months owed by the audit's day of each programme and span (``_owed``)."""
    backdated: dict[tuple[str, str], int] = field(default_factory=dict)
    """The ledger time from which a decision of each programme and date is back-dated."""

    @cached_property
    def by_pseudonym(self) -> dict[str, list[str]]:
        """The ids of each pseudonym's assignments."""
        return self._indexes[0]

    @cached_property
    def several(self) -> dict[str, list[str]]:
        """The ids of the assignments of each person (deduplication key) who holds more than
        one: only theirs can be incompatible or accrued twice."""
        return {person: ids for person, ids in self._indexes[1].items() if len(ids) > 1}

    @cached_property
    def _indexes(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        by_pseudonym: dict[str, list[str]] = defaultdict(list)
        by_person: dict[str, list[str]] = defaultdict(list)
        for assignment_id, holder in _holders(self.assignments):
            by_pseudonym[holder.pseudonym].append(assignment_id)
            by_person[holder.dedup_key].append(assignment_id)
        return dict(by_pseudonym), dict(by_person)

    @cached_property
    def in_card_order(self) -> list[str]:
        """The assignment ids in the order of their cards' keys (``{id}/{year}``): an id
        with ``.`` or ``-`` after a shorter one's end sorts before it here. Ids in key order
        are already in it unless one begins with the one before it (ids between an id and one
        that begins with it begin with it too)."""
        ordered = sorted(self.assignments)
        if any(map(str.startswith, ordered[1:], ordered[:-1])):
            ordered.sort(key=lambda assignment_id: assignment_id + "/")
        return ordered

    @cached_property
    def shared(self) -> set[str]:
        """Assignments whose person holds another assignment of the same programme: only
        their accruals can be duplicates."""
        shared: set[str] = set()
        for held in self.several.values():
            programmes = Counter(self.assignments[a].programme_id for a in held)
            shared.update(a for a in held if programmes[self.assignments[a].programme_id] > 1)
        return shared

    @cached_property
    def deaths(self) -> dict[str, str]:
        """The attested date of death of the person behind a pseudonym, over that pseudonym
        and the deduplication keys of its assignments: only pseudonyms of the dead are here."""
        died = self.died
        deaths = {subject: day for subject, day in died.items() if subject.startswith("ps:")}
        by_person = self._indexes[1]
        for dedup_key, day in died.items():
            for assignment_id in by_person.get(dedup_key, ()):
                pseudonym = self.assignments[assignment_id].pseudonym
                if day < deaths.get(pseudonym, "9999"):
                    deaths[pseudonym] = day
        return deaths


class Holder(msgspec.Struct, frozen=True):
    """Whom an assignment is held by: the two fields of its record the audit's indexes read
    of every assignment, the others skipped (each is decoded in full by the part that holds
    it, where an unknown or malformed field is refused)."""

    pseudonym: str
    dedup_key: str


_HOLDER = msgspec.json.Decoder(Holder)


def _holders(assignments: Mapping[str, Assignment]) -> Iterator[tuple[str, Holder | Assignment]]:
    """Each assignment's id and holder, read from its stored bytes when it is kept so."""
    if not isinstance(assignments, Decoded):
        yield from assignments.items()
        return
    decode = _HOLDER.decode
    for assignment_id, raw in assignments.raw_items():
        yield assignment_id, decode(raw)


@dataclass(slots=True)
class Schedule:
    """The dates on which what an assignment gives can change — a rule version of its
    programme takes effect, a fact about its person starts or stops being valid — and what
    it gives between them, evaluated when first asked."""

    programme_id: str
    facts: list[Fact]
    """Every fact attested about the person, over the pseudonym and the deduplication key."""
    changes: list[str]
    dues: list[dict[str, Any] | None]
    shared: bool = False
    """Whether another assignment's person has the same facts (``_schedule``)."""
    bounds: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Once shared, for each period asked about, the most an accrual may be without a closer
    look and the ledger time from which it is late (``_bounds``)."""


@dataclass(slots=True)
class Versions:
    """A programme's rule versions in the order they take effect, and their formulas
    compiled."""

    starts: list[str]
    rules: list[RuleVersion]
    formulas: list[tuple[Callable[..., Value], Callable[..., Value]]]


def audit(view: StateView, as_of: str | None = None) -> list[Finding]:
    """Every finding, ordered by kind and subject, as of ``audit_day``."""
    with collector_paused():
        data = load(view)
        day = audit_day(view, as_of)
        return conclude([audit_part(view, data, day, 0, 1)], check_whole(view, data, day))


def count_by_kind(findings: list[Finding]) -> dict[str, int]:
    """How many findings there are of each kind."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
    return counts


def audit_day(view: StateView, as_of: str | None) -> str:
    """``as_of``, or else the day of the latest payments transaction (``ledger_day``)."""
    return ledger_day(view) if as_of is None else as_of


def ledger_day(view: StateView) -> str:
    """The local day, in ``audit_offset``, of the latest payments transaction (1970-01-01
    before the first)."""
    latest = read_record(view, LATEST_KEY, Latest)
    return local_date(0 if latest is None else latest.time_ms, audit_offset(view))


def audit_offset(view: StateView) -> int:
    """The UTC offset the audit reads the ledger's clock in: its programmes' region's — the
    westernmost when they differ, so that no programme is judged on a day it has not reached
    — or UTC before any programme."""
    offsets = [scheme.offset_minutes() for scheme in _by_id(view, "programme", Programme).values()]
    return min(offsets, default=0)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Millions of small records: the garbage collector's passes would find nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load(view: StateView, sheets: Callable[[], dict[str, bytes]] | None = None) -> AuditData:
    """Read the small record kinds once; fact sheets and assignments are decoded where used.
    ``sheets`` gives the fact sheets (``read_sheets``) when another process reads them
    meanwhile: they are asked for last."""
    rules: dict[str, list[RuleVersion]] = defaultdict(list)
    for key, rule in scan_records(view, f"{PREFIX}rule/", RuleVersion):
        rules[key.split("/")[2]].append(rule)
    programmes = _by_id(view, "programme", Programme)
    assignments = Decoded(_raw_by_id(view, "assignment"), _assignment)
    prescriptions = _by_id(view, "prescription", Prescription)
    dispensings = _by_id(view, "dispense", Dispensing)
    claims = _by_id(view, "claim", Claim)
    died = {subject: death.died for subject, death in _by_id(view, "death", Death).items()}
    return AuditData(
        programmes,
        rules,
        read_sheets(view) if sheets is None else sheets(),
        assignments,
        prescriptions,
        dispensings,
        claims,
        died,
    )


def read_sheets(view: StateView) -> dict[str, bytes]:
    """Every subject's fact sheet as stored, under its key."""
    return dict(view.scan_bytes(SHEETS))


def _assignment(raw: bytes) -> Assignment:
    return decode_record(raw, Assignment, "an assignment")


def check_whole(view: StateView, data: AuditData, day: str) -> list[Finding]:
    """The checks that need only the small kinds, and records read by the keys of the
    payments state's indexes: what the parent process does while the parts run."""
    return [
        *_dispensed_after_death(data),
        *_incompatible(data),
        *_duplicates(_duplicate_candidates(view, data)),
        *_paid_after_death(view, data),
        *_unreconciled(view, day),
        *_unmatched_lines(view),
        *_incomplete_statements(view),
        *_drugs(data, day),
    ]


def audit_part(view: StateView, data: AuditData, day: str, part: int, parts: int) -> list[Finding]:
    """Check the ``part``-th of ``parts`` runs of assignments, in their cards' order: each
    assignment's decision date, every accrual its cards hold and every period it was owed and
    not accrued. Only the records of the share are decoded, each once, and an accrual's own
    record only when it is a finding."""
    share, start, end = cards_share(data, part, parts)
    if not share:
        return []
    findings: list[Finding] = []
    read = data.assignments.fresh if isinstance(data.assignments, Decoded) else None
    cards = groupby(scan_range(view, CARDS, start, end), key=_card_owner)
    owner, owned = next(cards, (None, ()))
    for assignment_id in share:
        accruals: dict[str, CardAccrual] = {}
        if owner == assignment_id:  # the cards come in the share's order
            accruals = _accruals(owned)
            owner, owned = next(cards, (None, ()))
        assignment = data.assignments[assignment_id] if read is None else read(assignment_id)
        findings.extend(
            _check_assignment(view, data, day, assignment_id, assignment, accruals=accruals)
        )
    assert owner is None, f"a card of {owner}, an assignment the state does not hold"
    return findings


def _card_owner(item: tuple[str, bytes]) -> str:
    """The id of the assignment whose card is under the key (``{CARDS}{id}/{year}``)."""
    return item[0][len(CARDS) :].rsplit("/", 1)[0]


def _accruals(cards: Iterable[tuple[str, bytes]]) -> dict[str, CardAccrual]:
    """The accruals on an assignment's cards (one a year), by period."""
    found: dict[str, CardAccrual] = {}
    for key, raw in cards:
        accruals = decode_record(raw, CardAccruals, key).accruals
        found = {**found, **accruals} if found else accruals
    return found


def _check_assignment(
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
        schedule = _schedule_of(data, assignment)
        if accruals:
            findings = _check_card(view, data, schedule, accruals)
        if cash:
            findings.extend(_missing(data, assignment_id, assignment, schedule, accruals, day=day))
    if assignment.time_ms >= _backdated_from(data, assignment):
        findings.append(_backdated(data, assignment_id, assignment))
    return findings


def cards_share(data: AuditData, part: int, parts: int) -> tuple[list[str], str, str]:
    """The ``part``-th of ``parts`` runs of assignment ids in their cards' order, and the
    range of keys that holds exactly their cards."""
    ordered = data.in_card_order
    first, last = len(ordered) * part // parts, len(ordered) * (part + 1) // parts
    share = ordered[first:last]
    end = f"{CARDS}{ordered[last]}/" if last < len(ordered) else CARDS + SCAN_END
    return share, f"{CARDS}{share[0]}/" if share else end, end


def conclude(parts: list[list[Finding]], whole: list[Finding]) -> list[Finding]:
    """The findings of the parts and of the whole, by kind and subject."""
    findings = [*(finding for part in parts for finding in part), *whole]
    return sorted(findings, key=lambda f: (f["kind"], f["subject"]))


def entitled(data: AuditData, assignment_id: str, period: str) -> dict[str, Any]:
    """What the rule in effect gives the assignment's person for the period, on every fact
    now attested: evaluated once per span of its schedule (docs/adr/0015), so the months of
    a person with settled facts under one rule version cost one evaluation."""
    return _due(data, _schedule(data, assignment_id), period)


def _due(data: AuditData, schedule: Schedule, period: str) -> dict[str, Any]:
    on = period_start(period)
    span = bisect_right(schedule.changes, on)
    due = schedule.dues[span]
    if due is None:
        due = schedule.dues[span] = _evaluate(data, schedule, on)
    return due


def _schedule(data: AuditData, assignment_id: str) -> Schedule:
    """The assignment's schedule (``_schedule_of``)."""
    return _schedule_of(data, data.assignments[assignment_id])


def _schedule_of(data: AuditData, assignment: Assignment) -> Schedule:
    """The assignment's schedule: shared with every assignment of its programme whose person
    has the same facts (kind, value, validity, in rank order), since nothing else in it
    depends on the person — so people alike cost one schedule and one evaluation a span.

    A person with one fact sheet is looked up by the sheet's bytes without the facts' entry
    indexes first (``_UNINDEXED``): a sheet lists its facts in the order attested, so by
    entry index, and its rank order is that order sorted by validity alone — the same for
    every sheet that differs only in the indexes, which then is not decoded again."""
    sheets, programme_id = data.sheets, assignment.programme_id
    found = [sheets.get(SHEETS + assignment.pseudonym), sheets.get(SHEETS + assignment.dedup_key)]
    raws = [raw for raw in found if raw is not None]
    if len(raws) > 1 or not data.by_brief:
        return _schedule_by_shape(data, programme_id, _ranked(raws))
    brief = (programme_id, _UNINDEXED.sub(b"{", raws[0]) if raws else b"")
    schedule = data.briefs.get(brief)
    if schedule is None:
        schedule = data.briefs[brief] = _schedule_by_shape(data, programme_id, _ranked(raws))
        if len(data.briefs) == BRIEFS_TRIED and data.brief_hits < BRIEFS_TRIED:
            data.by_brief = False  # people mostly all different: the briefs cost, not save
    else:
        schedule.shared = True
        data.brief_hits += 1
    return schedule


BRIEFS_TRIED = 4096
"""After this many different sheets without indexes, they are no longer looked up unless as
many people again were found by one (``_schedule_of``)."""


_UNINDEXED = re.compile(rb'\{"index":(?:0|[1-9][0-9]{0,14}),')
"""A fact's entry index on a stored sheet: first of its sorted fields, a JSON integer within
the safe range (anything else is left, so that the sheet is decoded and refused)."""


def _schedule_by_shape(data: AuditData, programme_id: str, facts: list[Fact]) -> Schedule:
    """The schedule of ``programme_id`` for a person with ``facts`` in rank order."""
    shape = (programme_id, tuple(map(_SHAPE, facts)))
    schedule = data.alike.get(shape)
    if schedule is not None:
        schedule.shared = True
    else:
        changes = sorted(
            {
                *_versions(data, programme_id).starts,
                *[fact.valid_from for fact in facts],
                *[fact.valid_until for fact in facts if fact.valid_until],
            }
        )
        schedule = data.alike[shape] = Schedule(
            programme_id, facts, changes, [None] * (len(changes) + 1)
        )
    return schedule


def _ranked(sheets: list[bytes]) -> list[Fact]:
    """Every fact on the sheets, in rank order (``fact_rank``)."""
    facts: list[Fact] = []
    for raw in sheets:
        facts.extend(decode_record(raw, FactSheet, "a fact sheet").facts)
    facts.sort(key=_RANK)
    return facts


_RANK = attrgetter("valid_from", "index")
"""``fact_rank``, without a call into Python for each fact."""
_SHAPE = attrgetter("kind", "value", "valid_from", "valid_until")
"""What a schedule reads of a fact (``_schedule``)."""


def _versions(data: AuditData, programme_id: str) -> Versions:
    found = data.versions.get(programme_id)
    if found is None:
        rules = sorted(
            data.rules.get(programme_id, ()), key=lambda r: (r.effective_from, r.version)
        )
        found = data.versions[programme_id] = Versions(
            [rule.effective_from for rule in rules],
            rules,
            [
                (
                    compile_formula(rule.eligibility, rule.parameters),
                    compile_formula(rule.amount_kopecks, rule.parameters),
                )
                for rule in rules
            ],
        )
    return found


def _evaluate(data: AuditData, schedule: Schedule, on: str) -> dict[str, Any]:
    """What the rule version in effect on ``on`` (as ``queries.rule_for`` chooses it) gives."""
    versions = _versions(data, schedule.programme_id)
    latest = bisect_right(versions.starts, on) - 1
    if latest < 0:
        return {"error": "no rule in effect"}
    facts = facts_in_effect(schedule.facts, on)
    eligibility, amount = versions.formulas[latest]
    try:
        eligible = facts.get("death") is None and eligibility(facts) is True
        value = amount(facts) if eligible else 0
    except (FormulaError, KeyError, IndexError, TypeError) as error:
        return {"error": str(error)}
    if type(value) is not int:  # as queries.entitlement: no amount, nothing to compare
        return {"error": f"the rule gives {value!r}, not an amount"}
    version = versions.rules[latest].version
    return {"version": version, "eligible": eligible, "amount_kopecks": max(value, 0)}


def _dispensed_after_death(data: AuditData) -> Iterator[Finding]:
    for dispense_id, dispensing in data.dispensings.items():
        died = data.deaths.get(dispensing.pseudonym)
        if died is not None and died <= dispensing.dispensed_on:
            yield _finding(
                "dispensed_after_death",
                dispense_id,
                [dispensing],
                _cost(data, dispensing),
                died=died,
                dispensed_on=dispensing.dispensed_on,
            )


def _incompatible(data: AuditData) -> Iterator[dict[str, Any]]:
    for ids in data.several.values():
        held = [(assignment_id, data.assignments[assignment_id]) for assignment_id in ids]
        for i, (first_id, first) in enumerate(held):
            for second_id, second in held[i + 1 :]:
                if _excludes(data, first, second) and _overlap(first, second):
                    subject = f"{first_id}+{second_id}"
                    yield _finding(
                        "incompatible_programmes",
                        subject,
                        [first, second],
                        0,
                        programmes=[first.programme_id, second.programme_id],
                    )


def _duplicate_candidates(
    view: StateView, data: AuditData
) -> list[tuple[int, tuple[str, str, str], str, Accrual]]:
    """(log index, person–programme–period slot, accrual id, accrual) of every accrual of
    the assignments whose person holds another of the same programme, in log order."""
    candidates = []
    for assignment_id in sorted(data.shared):
        assignment = data.assignments[assignment_id]
        for _, card in scan_records(view, f"{CARDS}{assignment_id}/", CardAccruals):
            for period, entry in card.accruals.items():
                accrual = _record(view, "accrual", entry.accrual_id, Accrual)
                slot = (assignment.dedup_key, assignment.programme_id, period)
                candidates.append((accrual.index, slot, entry.accrual_id, accrual))
    return sorted(candidates, key=lambda c: c[0])


def _duplicates(
    candidates: list[tuple[int, tuple[str, str, str], str, Accrual]],
) -> Iterator[Finding]:
    """The duplicate of a person's accrual for a programme and period is the later one in the
    log, whatever the ids: candidates come in log order."""
    seen: dict[tuple[str, str, str], tuple[str, Accrual]] = {}
    for _, slot, accrual_id, accrual in candidates:
        if slot not in seen:
            seen[slot] = (accrual_id, accrual)
            continue
        first_id, first = seen[slot]
        yield _finding(
            "duplicate_accrual",
            accrual_id,
            [first, accrual],
            accrual.amount_kopecks,
            period=accrual.period,
            first=first_id,
            amount_kopecks=accrual.amount_kopecks,
        )


def _paid_after_death(view: StateView, data: AuditData) -> Iterator[Finding]:
    """Payments on or after the attested death of their person, found through the cards of
    the dead's assignments."""
    for pseudonym, died in sorted(data.deaths.items()):
        for assignment_id in data.by_pseudonym.get(pseudonym, []):
            for _, card in scan_records(view, f"{CARDS}{assignment_id}/", CardPayments):
                for payment_id, entry in card.payments.items():
                    if died <= entry.paid_on:
                        payment = _record(view, "payment", payment_id, Payment)
                        yield _finding(
                            "paid_after_death",
                            payment_id,
                            [payment],
                            payment.amount_kopecks,
                            died=died,
                            paid_on=entry.paid_on,
                            amount_kopecks=payment.amount_kopecks,
                        )


def _unreconciled(view: StateView, day: str) -> Iterator[Finding]:
    """Payments no statement has matched more than ``UNRECONCILED_AFTER_DAYS`` before the
    audit's day."""
    prefix = f"{PREFIX}unreconciled/"
    for key, waiting in scan_records(view, prefix, Unreconciled):
        if add_days(waiting.paid_on, UNRECONCILED_AFTER_DAYS) >= day:
            continue
        payment_id = key[len(prefix) :]
        payment = _record(view, "payment", payment_id, Payment)
        yield _finding(
            "unreconciled_payment",
            payment_id,
            [payment],
            payment.amount_kopecks,
            paid_on=waiting.paid_on,
            amount_kopecks=payment.amount_kopecks,
        )


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
    accrual = _record(view, "accrual", entry.accrual_id, Accrual)
    return [
        _overridden(entry.accrual_id, accrual)
        if evidence is None
        else _finding(kind, entry.accrual_id, [accrual], at_stake, **evidence)
        for kind, at_stake, evidence in found
    ]


def _overridden(accrual_id: str, accrual: Accrual) -> Finding:
    """An override: at stake is how far its amount departs from the rule's, either way."""
    assert accrual.override is not None, "its card marks it overridden"
    amount, rule_amount = accrual.amount_kopecks, accrual.rule_amount_kopecks
    return _finding(
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
            yield _finding(
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


def _unmatched_lines(view: StateView) -> Iterator[Finding]:
    """Statement lines that matched no payment, from their index, each with the transaction
    of the statement's part that holds it."""
    prefix = f"{PREFIX}unmatched/"
    statements: dict[str, StatementInParts] = {}
    for key, line in scan_records(view, prefix, UnmatchedLine):
        statement_id, line_id = key[len(prefix) :].split("/", 1)
        if statement_id not in statements:
            statements[statement_id] = _statement(view, statement_id)
        statement = statements[statement_id]
        part = statement.part_entries[(line.part or 1) - 1]
        booked = next(found for found in statement.lines if found.line_id == line_id)
        yield _finding(
            "unmatched_bank_line",
            f"{statement_id}/{line_id}",
            [part],
            booked.amount_kopecks,
            reason=line.reason,
            reference=line.reference,
            amount_kopecks=booked.amount_kopecks,
            booked_on=booked.booked_on,
            direction=booked.direction,
        )


def _incomplete_statements(view: StateView) -> Iterator[Finding]:
    """Statements recorded in parts whose last part never came, from their index."""
    prefix = f"{PREFIX}incomplete/"
    for key, progress in scan_records(view, prefix, IncompleteStatement):
        statement_id = key[len(prefix) :]
        yield _finding(
            "incomplete_statement",
            statement_id,
            _statement(view, statement_id).part_entries,
            0,
            parts_received=progress.parts_received,
            parts=progress.parts,
        )


def _statement(view: StateView, statement_id: str) -> StatementInParts:
    return _record(view, "statement", statement_id, StoredStatement).in_parts()


def _backdated_from(data: AuditData, assignment: Assignment) -> int:
    """The ledger time from which recording the assignment's decision is back-dated."""
    decided = (assignment.programme_id, assignment.decision_date)
    late_ms = data.backdated.get(decided)
    if late_ms is None:
        offset = _offset(data, assignment.programme_id)
        late_ms = data.backdated[decided] = _backdated_from_ms(assignment.decision_date, offset)
    return late_ms


def _backdated(data: AuditData, assignment_id: str, assignment: Assignment) -> Finding:
    return _finding(
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


def _drugs(data: AuditData, day: str) -> Iterator[dict[str, Any]]:
    for dispense_id, dispensing in data.dispensings.items():
        if dispensing.problems:
            yield _finding(
                "invalid_dispensing",
                dispense_id,
                [dispensing],
                _cost(data, dispensing),
                problems=list(dispensing.problems),
                units=dispensing.units,
            )
        if not _covered(data, dispensing):
            yield _finding(
                "wrong_funding_source",
                dispense_id,
                [dispensing],
                _cost(data, dispensing),
                programme_id=dispensing.programme_id,
                units=dispensing.units,
            )
    for prescription_id, prescription in data.prescriptions.items():
        deferred = prescription.deferred
        if deferred is None:
            continue
        served = [
            data.dispensings[d].dispensed_on
            for d in prescription.dispensings or ()
            if not data.dispensings[d].problems
        ]
        in_time = any(on <= deferred.serve_by for on in served)
        if not in_time and deferred.serve_by < day:
            yield _finding(
                "deferred_not_served",
                prescription_id,
                [prescription, deferred],
                0,
                serve_by=deferred.serve_by,
            )


def _cost(data: AuditData, dispensing: Dispensing) -> int:
    """What the programme reimburses for the dispensing's packs, at its listed prices."""
    listed = data.programmes[dispensing.programme_id].drugs or ()
    prices = {drug.drug_code: drug.reimbursement_kopecks_per_unit for drug in listed}
    return sum(pack.units * prices.get(pack.drug_code, 0) for pack in dispensing.packs)


def _covered(data: AuditData, dispensing: Dispensing) -> bool:
    period = dispensing.dispensed_on[:7]
    return any(
        a.pseudonym == dispensing.pseudonym
        and a.programme_id == dispensing.programme_id
        and a.active_in(period)
        for a in _assignments_of(data, dispensing.pseudonym)
    )


def _assignments_of(data: AuditData, pseudonym: str) -> list[Assignment]:
    return [data.assignments[a] for a in data.by_pseudonym.get(pseudonym, [])]


def _excludes(data: AuditData, first: Assignment, second: Assignment) -> bool:
    one, other = data.programmes[first.programme_id], data.programmes[second.programme_id]
    return (
        second.programme_id in one.incompatible_with
        or first.programme_id in other.incompatible_with
    )


def _overlap(first: Assignment, second: Assignment) -> bool:
    first_end, second_end = (first.end_date or "9999-12-31", second.end_date or "9999-12-31")
    return first.start_date <= second_end and second.start_date <= first_end


def _finding(
    kind: str, subject: str, records: Sequence[Evidence], at_stake_kopecks: int, **evidence: Any
) -> Finding:
    """A finding: its kind, what it is about, the transactions that show it, the sum at stake
    (docs/modules/payments.md, Audit) and its evidence."""
    transactions = [{"tx_id": r.tx_id, "index": r.index} for r in records]
    return {
        "kind": kind,
        "subject": subject,
        "transactions": transactions,
        "at_stake_kopecks": at_stake_kopecks,
        "evidence": evidence,
    }


def _record(view: StateView, kind: str, record_id: str, cls: type[R]) -> R:
    """A record the ledger's own indexes name, which must therefore exist."""
    found = read_record(view, f"{PREFIX}{kind}/{record_id}", cls)
    assert found is not None, f"{kind} {record_id} is named by the payments state but absent"
    return found


def _by_id(view: StateView, kind: str, cls: type[R]) -> dict[str, R]:
    prefix = f"{PREFIX}{kind}/"
    return {key[len(prefix) :]: found for key, found in scan_records(view, prefix, cls)}


def _raw_by_id(view: StateView, kind: str) -> dict[str, bytes]:
    cut = len(f"{PREFIX}{kind}/")
    return {key[cut:]: raw for key, raw in view.scan_bytes(f"{PREFIX}{kind}/")}
