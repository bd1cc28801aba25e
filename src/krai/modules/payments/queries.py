"""Read functions over social payments and drug provision: rules, the audit, CLI, dashboard.

Each answers typed records (``records.ProgrammeView``, ``AssignmentView``, ``AccrualView``...:
the stored record with its id). A person is only ever a pseudonym here. ``entitlement``
recomputes what a rule version gives a person for a period from the facts attested about
them — the same function the ledger checks an accrual with, and the audit re-runs with facts
that arrived later.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from krai.modules.payments.audit import audit, count_by_kind
from krai.modules.payments.formulas import FormulaError, evaluate
from krai.modules.payments.matching import mismatch
from krai.modules.payments.model import (
    PREFIX,
    accrual_key,
    assignment_key,
    claim_key,
    death_key,
    dispense_key,
    fact_sheet_key,
    pack_key,
    payment_key,
    period_start,
    prescription_key,
    programme_key,
    statement_key,
    subject_entries_prefix,
)
from krai.modules.payments.records import (
    Accrual,
    AccrualView,
    Assignment,
    AssignmentView,
    BankState,
    Claim,
    ClaimView,
    Death,
    Dispensing,
    DispensingView,
    Fact,
    FactSheet,
    PackOut,
    Payment,
    PaymentView,
    Prescription,
    PrescriptionView,
    Programme,
    ProgrammeView,
    RuleVersion,
    StatementInParts,
    StatementSummary,
    StoredStatement,
    SubjectEntry,
    fact_rank,
    facts_in_effect,
)
from krai.state.records import R, Record, read_record, scan_records
from krai.state.store import StateView

if TYPE_CHECKING:
    from krai.modules.payments.messages import StatementLine


def programme(view: StateView, programme_id: str) -> ProgrammeView | None:
    """The programme, or None."""
    return _one(
        view, programme_key(programme_id), Programme, ProgrammeView, programme_id=programme_id
    )


def programmes(view: StateView) -> list[ProgrammeView]:
    """Every programme, by id."""
    return _every(view, "programme", Programme, ProgrammeView, "programme_id")


def rules(view: StateView, programme_id: str) -> list[RuleVersion]:
    """Every rule version of a programme, oldest first."""
    return [rule for _, rule in scan_records(view, f"{PREFIX}rule/{programme_id}/", RuleVersion)]


def rule_for(rules: list[RuleVersion], on: str) -> RuleVersion | None:
    """The rule version in effect on a date: the latest effective on or before it."""
    found = None
    for rule in sorted(rules, key=lambda r: (r.effective_from, r.version)):
        if rule.effective_from <= on:
            found = rule
    return found


def facts_on(view: StateView, subjects: list[str], on: str) -> dict[str, int | str]:
    """The facts attested about a person (any of its pseudonyms) in effect on a date: for each
    kind the latest attestation valid then. ``death`` is the date of death once it has passed."""
    facts = [fact for subject in subjects for fact in fact_sheet(view, subject)]
    return facts_in_effect(sorted(facts, key=fact_rank), on)


def fact_sheet(view: StateView, subject: str) -> tuple[Fact, ...]:
    """Every fact attested about a subject, in brief, in the order attested."""
    sheet = read_record(view, fact_sheet_key(subject), FactSheet)
    return () if sheet is None else sheet.facts


def death_date(view: StateView, subjects: list[str]) -> str | None:
    """The attested date of death of a person, if any."""
    deaths = (read_record(view, death_key(subject), Death) for subject in subjects)
    dates = [found.died for found in deaths if found is not None]
    return min(dates) if dates else None


def entitlement(view: StateView, assignment: Assignment, period: str) -> dict[str, Any]:
    """What the rule in effect at the period's start gives the person for that period:
    ``{"version", "eligible", "amount_kopecks"}``, or ``{"error"}`` when no rule applies or
    the formula is undefined for the facts. Nothing is due for a month after a death."""
    on = period_start(period)
    rule = rule_for(rules(view, assignment.programme_id), on)
    if rule is None:
        return {"error": f"programme {assignment.programme_id} has no rule in effect on {on}"}
    facts = facts_on(view, [assignment.pseudonym, assignment.dedup_key], on)
    died = facts.get("death")
    try:
        eligible = died is None and evaluate(rule.eligibility, facts, rule.parameters) is True
        amount = evaluate(rule.amount_kopecks, facts, rule.parameters) if eligible else 0
    except (FormulaError, KeyError, IndexError, TypeError) as error:
        return {"error": f"rule version {rule.version} is undefined for this person: {error}"}
    if not isinstance(amount, int) or isinstance(amount, bool):
        return {"error": f"rule version {rule.version} gives {amount!r}, not an amount"}
    return {"version": rule.version, "eligible": eligible, "amount_kopecks": max(amount, 0)}


def assignment(view: StateView, assignment_id: str) -> AssignmentView | None:
    """The assignment, or None."""
    return _one(
        view, assignment_key(assignment_id), Assignment, AssignmentView, assignment_id=assignment_id
    )


def assignments_of(view: StateView, pseudonym: str) -> list[AssignmentView]:
    """Every assignment of a person (by programme pseudonym)."""
    prefix = f"{PREFIX}person/{pseudonym}/"
    found = (assignment(view, key[len(prefix) :]) for key, _ in view.scan_bytes(prefix))
    return [a for a in found if a is not None]


def accrual(view: StateView, accrual_id: str) -> AccrualView | None:
    """The accrual, or None."""
    return _one(view, accrual_key(accrual_id), Accrual, AccrualView, accrual_id=accrual_id)


def accruals(view: StateView) -> list[AccrualView]:
    """Every accrual, by id."""
    return _every(view, "accrual", Accrual, AccrualView, "accrual_id")


def payment(view: StateView, payment_id: str) -> PaymentView | None:
    """The payment, or None."""
    return _one(view, payment_key(payment_id), Payment, PaymentView, payment_id=payment_id)


def payments(view: StateView) -> list[PaymentView]:
    """Every payment, by id."""
    return _every(view, "payment", Payment, PaymentView, "payment_id")


def search_payments(
    view: StateView,
    *,
    programme_id: str = "",
    payment_id: str = "",
    paid_from: str = "",
    paid_to: str = "",
) -> list[PaymentView]:
    """The payments of a programme, whose id contains ``payment_id``, paid between two days
    (inclusive; each criterion left empty matches all), newest entry first."""
    found = [
        p
        for p in payments(view)
        if (not programme_id or p.programme_id == programme_id)
        and payment_id in p.payment_id
        and (not paid_from or p.paid_on >= paid_from)
        and (not paid_to or p.paid_on <= paid_to)
    ]
    return sorted(found, key=lambda p: -p.index)


def prescription(view: StateView, prescription_id: str) -> PrescriptionView | None:
    """The prescription with what was dispensed against it, or None."""
    key = prescription_key(prescription_id)
    return _one(view, key, Prescription, PrescriptionView, prescription_id=prescription_id)


def dispensing(view: StateView, dispense_id: str) -> DispensingView | None:
    """The dispensing with its packs and problems, or None."""
    return _one(
        view, dispense_key(dispense_id), Dispensing, DispensingView, dispense_id=dispense_id
    )


def dispensings(view: StateView) -> list[DispensingView]:
    """Every dispensing, by id."""
    return _every(view, "dispense", Dispensing, DispensingView, "dispense_id")


def claim(view: StateView, claim_id: str) -> ClaimView | None:
    """The reimbursement claim, or None."""
    return _one(view, claim_key(claim_id), Claim, ClaimView, claim_id=claim_id)


def claims(view: StateView) -> list[ClaimView]:
    """Every reimbursement claim, by id."""
    return _every(view, "claim", Claim, ClaimView, "claim_id")


def pack(view: StateView, sgtin: str) -> PackOut | None:
    """Where a pack left circulation, or None while it has not."""
    return read_record(view, pack_key(sgtin), PackOut)


def statement(view: StateView, statement_id: str) -> StatementInParts | None:
    """An imported bank statement with each line's outcome, in order across its parts, the
    parts received of how many, its digest and whether it is complete; or None. One recorded
    whole (version 1) reads as a complete statement of one part."""
    found = read_record(view, statement_key(statement_id), StoredStatement)
    return None if found is None else found.in_parts()


def expected_outcomes(
    view: StateView, signer: str | None, lines: Sequence["StatementLine"]
) -> list[str]:
    """How each line of a statement not yet recorded would match if ``signer`` recorded it
    now, in order (a line sees what the lines before it matched): ``matched``, ``reversed``
    or the mismatch. ``signer`` None: each payment's own agent."""
    payments: dict[str, Payment | None] = {}
    outcomes: list[str] = []
    for line in lines:
        if line.reference not in payments:
            payments[line.reference] = read_record(view, payment_key(line.reference), Payment)
        found = payments[line.reference]
        by = signer if signer is not None or found is None else found.by
        reason = mismatch(found, by or "", line)
        if reason is not None or found is None:
            outcomes.append(reason or "unknown_reference")
            continue
        bank: BankState = "matched" if line.direction == "debit" else "reversed"
        payments[line.reference] = msgspec.structs.replace(found, bank=bank)
        outcomes.append(bank)
    return outcomes


def statements(view: StateView) -> list[StatementSummary]:
    """Every bank statement, one per id however many parts it came in: parts received of
    how many, whether complete, its lines and how many matched no payment, where part 1 is."""
    return [
        _statement_summary(statement_id, found.in_parts())
        for statement_id, found in _listed(view, "statement", StoredStatement)
    ]


def _statement_summary(statement_id: str, found: StatementInParts) -> StatementSummary:
    return StatementSummary(
        statement_id=statement_id,
        parts=found.parts,
        parts_received=found.parts_received,
        complete=found.complete,
        statement_sha256=found.statement_sha256,
        index=found.index,
        time_ms=found.time_ms,
        lines=len(found.lines),
        unmatched_lines=found.unmatched_lines(),
    )


def subject_entries(view: StateView, subject: str) -> list[tuple[int, SubjectEntry]]:
    """Every log entry that concerns a subject (pseudonym or dedup key), by index, with what
    it records about them (the access report's index, ``subject_entry_key``)."""
    found = scan_records(view, subject_entries_prefix(subject), SubjectEntry)
    return [(int(key.rsplit("/", 1)[1]), record) for key, record in found]


def audit_summary(view: StateView, as_of: str | None = None) -> dict[str, int]:
    """How many findings of each kind the audit makes."""
    return count_by_kind(audit(view, as_of))


def _listed(view: StateView, kind: str, cls: type[R]) -> list[tuple[str, R]]:
    """Every (id, record) of a kind, by id."""
    prefix = f"{PREFIX}{kind}/"
    return [(key[len(prefix) :], found) for key, found in scan_records(view, prefix, cls)]


def _one(
    view: StateView, key: str, cls: type[Record], view_cls: type[R], **identifier: str
) -> R | None:
    """The ``cls`` record under ``key`` as ``view_cls`` (the record with its id), or None."""
    found = read_record(view, key, cls)
    return None if found is None else _with_id(view_cls, of=found, **identifier)


def _every(
    view: StateView, kind: str, cls: type[Record], view_cls: type[R], id_name: str
) -> list[R]:
    """Every ``cls`` record of a kind as ``view_cls`` (the record with its id), by id."""
    return [
        _with_id(view_cls, of=found, **{id_name: found_id})
        for found_id, found in _listed(view, kind, cls)
    ]


def _with_id(view_cls: type[R], *, of: Record, **identifier: str) -> R:
    """The record ``of`` as its view class, with its id (the last part of its key)."""
    return view_cls(**identifier, **msgspec.structs.asdict(of))
