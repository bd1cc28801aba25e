"""The records payments state holds: programmes, rule versions, attested facts and fact
sheets, assignments and their cards, accruals, payments, the drug chain, bank statements
(``Record`` subclasses, encoded to exactly the canonical bytes the module stored as plain JSON
objects, ADR 0022). A change is a new record (``with_*``, ``paid``, ``reconciled``...), never
a mutation; the ``*View`` classes add the id a query answers with.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import msgspec

from krai.crypto.canonical import JSONValue, canonical_bytes
from krai.crypto.hashing import sha256_hex
from krai.modules.payments.model import FactKind, covers
from krai.state.records import Record, SafeInt

T = TypeVar("T")


class Provenance(Record, frozen=True):
    """Who established a record, and where and when in the log (``Context.provenance``)."""

    by: str
    index: SafeInt
    time_ms: SafeInt
    tx_id: str


class LegalBasis(Record, frozen=True):
    """The act and article a programme, rule or override rests on."""

    act: str
    article: str


class ListedDrug(Record, frozen=True):
    """A drug a drug programme provides, with its limit and price per unit."""

    drug_code: str
    max_units_per_prescription: SafeInt
    reimbursement_kopecks_per_unit: SafeInt


class Programme(Provenance, frozen=True):
    """A programme, under ``programme_key``: funded from an earmarked account of its payment
    agent, operated by its signer; a drug programme lists its drugs."""

    title: str
    kind: Literal["cash", "drugs"]
    legal_basis: LegalBasis
    budget_account: str
    payment_agent: str
    incompatible_with: tuple[str, ...]
    due_days_after_period: SafeInt
    operator: str
    purpose: str
    drugs: tuple[ListedDrug, ...] | None = None
    utc_offset_minutes: SafeInt | None = None

    def listed(self) -> dict[str, ListedDrug]:
        """The listed drugs by code (none for a cash programme)."""
        return {drug.drug_code: drug for drug in self.drugs or ()}

    def offset_minutes(self) -> int:
        """The region's UTC offset its dates are read in; UTC for a programme registered
        without one (before ADR 0025)."""
        return self.utc_offset_minutes or 0


class ProgrammeView(Programme, frozen=True, kw_only=True):
    """A programme with its id: what queries answer."""

    programme_id: str


Formula = Any
"""A JSON formula (formulas.py): an integer, a boolean or an object."""


class RuleVersion(Provenance, frozen=True):
    """A dated version of a programme's rules, under ``rule_key``."""

    version: SafeInt
    effective_from: str
    legal_basis: LegalBasis
    eligibility: Formula
    amount_kopecks: Formula
    parameters: dict[str, SafeInt]


class Attestation(Provenance, frozen=True):
    """A fact attested about a subject, under ``attestation_key``; a death's value is its date."""

    kind: FactKind
    value: SafeInt | str
    valid_from: str
    valid_until: str | None = None
    document_sha256: str | None = None


class Fact(Record, frozen=True):
    """An attested fact in brief, as a fact sheet keeps it (``SHEET_FIELDS``)."""

    kind: FactKind
    value: SafeInt | str
    valid_from: str
    index: SafeInt
    valid_until: str | None = None


class FactSheet(Record, frozen=True):
    """Every fact attested about a subject, in the order attested (``fact_sheet_key``)."""

    facts: tuple[Fact, ...]

    def with_fact(self, fact: Fact) -> "FactSheet":
        """The same sheet with ``fact`` last."""
        return FactSheet((*self.facts, fact))


class Death(Record, frozen=True):
    """The earliest attested date of death of a subject (``death_key``)."""

    died: str


class Termination(Provenance, frozen=True):
    """Why and by whom an assignment was ended."""

    basis: str


class Assignment(Provenance, frozen=True):
    """A decision to grant a programme's measure to a person (``assignment_key``)."""

    programme_id: str
    pseudonym: str
    dedup_key: str
    decision_date: str
    start_date: str
    decision_sha256: str
    end_date: str | None = None
    terminated: Termination | None = None

    def active_in(self, period: str) -> bool:
        """Whether the assignment covers any day of a month."""
        return covers(self.start_date, self.end_date, period)


class AssignmentView(Assignment, frozen=True, kw_only=True):
    """An assignment with its id: what queries answer."""

    assignment_id: str


class PersonAssignment(Record, frozen=True):
    """Index: an assignment under its person's pseudonym (``person_assignment_key``)."""

    index: SafeInt


class Override(Record, frozen=True):
    """Why an accrual departs from the rule's amount, and its second approver once approved."""

    legal_basis: LegalBasis
    reason: str
    approved: Provenance | None = None


class Accrual(Provenance, frozen=True):
    """A period's amount accrued under an assignment (``accrual_key``), with the rule's."""

    assignment_id: str
    programme_id: str
    pseudonym: str
    period: str
    amount_kopecks: SafeInt
    rule_version: SafeInt
    rule_amount_kopecks: SafeInt
    status: Literal["awaiting_approval", "accrued"]
    paid_kopecks: SafeInt
    override: Override | None = None
    payments: tuple[str, ...] | None = None

    def unpaid_kopecks(self) -> int:
        """What is accrued and not yet paid."""
        return self.amount_kopecks - self.paid_kopecks

    def approved(self, by: Provenance) -> "Accrual":
        """The overridden accrual approved: payable."""
        assert self.override is not None, "only an overridden accrual awaits approval"
        override = msgspec.structs.replace(self.override, approved=by)
        return msgspec.structs.replace(self, status="accrued", override=override)

    def paid(self, payment_id: str, amount_kopecks: int) -> "Accrual":
        """The accrual with a payment of ``amount_kopecks`` added."""
        return msgspec.structs.replace(
            self,
            paid_kopecks=self.paid_kopecks + amount_kopecks,
            payments=(*(self.payments or ()), payment_id),
        )


class AccrualView(Accrual, frozen=True, kw_only=True):
    """An accrual with its id: what queries answer."""

    accrual_id: str


class CardAccrual(Record, frozen=True):
    """An accrual in brief on its assignment's card."""

    accrual_id: str
    amount_kopecks: SafeInt
    time_ms: SafeInt
    override: bool | None = None


class CardPayment(Record, frozen=True):
    """A payment in brief on its accrual's assignment's card."""

    paid_on: str
    time_ms: SafeInt


class Card(Record, frozen=True):
    """An assignment's card for a year (``card_key``): its accruals by period, its payments."""

    accruals: dict[str, CardAccrual]
    payments: dict[str, CardPayment]

    def with_accrual(self, period: str, entry: CardAccrual) -> "Card":
        """The card with ``entry`` as the period's accrual."""
        return Card({**self.accruals, period: entry}, self.payments)

    def with_payment(self, payment_id: str, entry: CardPayment) -> "Card":
        """The card with a payment added."""
        return Card(self.accruals, {**self.payments, payment_id: entry})


EMPTY_CARD = Card({}, {})


class CardAccruals(Record, frozen=True):
    """A card (``Card``) read for its accruals only: its payments are checked to be there
    and skipped, not decoded."""

    accruals: dict[str, CardAccrual]
    payments: msgspec.Raw


class CardPayments(Record, frozen=True):
    """A card (``Card``) read for its payments only: its accruals are skipped."""

    accruals: msgspec.Raw
    payments: dict[str, CardPayment]


class BankLine(Record, frozen=True):
    """A statement line that matched a payment."""

    statement_id: str
    line_id: str


BankState = Literal["unreconciled", "matched", "reversed"]


class Payment(Provenance, frozen=True):
    """A payment of an accrual (``payment_key``) and what the bank statements said of it."""

    accrual_id: str
    programme_id: str
    pseudonym: str
    amount_kopecks: SafeInt
    paid_on: str
    payout_account: str
    bank: BankState
    bank_lines: tuple[BankLine, ...] | None = None

    def reconciled(self, bank: BankState, line: BankLine) -> "Payment":
        """The payment as a statement line matched (debit) or reversed (credit) it."""
        lines = (*(self.bank_lines or ()), line)
        return msgspec.structs.replace(self, bank=bank, bank_lines=lines)


class PaymentView(Payment, frozen=True, kw_only=True):
    """A payment with its id: what queries answer."""

    payment_id: str


class Unreconciled(Record, frozen=True):
    """Index: a payment no statement has matched yet (``unreconciled_key``)."""

    paid_on: str


class Deferral(Provenance, frozen=True):
    """A prescription deferred for want of stock, and the day it must be served by."""

    on: str
    serve_by: str


class Prescription(Provenance, frozen=True):
    """A preferential prescription (``prescription_key``): a commitment, never the form."""

    programme_id: str
    pseudonym: str
    commitment_sha256: str
    drug_code: str
    quantity_units: SafeInt
    issued_on: str
    valid_until: str
    dispensed_units: SafeInt
    deferred: Deferral | None = None
    dispensings: tuple[str, ...] | None = None

    def valid_on(self, day: str) -> bool:
        """Whether the prescription may be served on ``day``."""
        return self.issued_on <= day < self.valid_until

    def dispensed(self, dispense_id: str, units: int) -> "Prescription":
        """The prescription with a dispensing of ``units`` added."""
        return msgspec.structs.replace(
            self,
            dispensed_units=self.dispensed_units + units,
            dispensings=(*(self.dispensings or ()), dispense_id),
        )


class PrescriptionView(Prescription, frozen=True, kw_only=True):
    """A prescription with its id: what queries answer."""

    prescription_id: str


class DispensedPack(Record, frozen=True):
    """A pack dispensed, by SGTIN."""

    sgtin: str
    drug_code: str
    units: SafeInt


class PackOut(Provenance, frozen=True):
    """A pack taken out of circulation, by the dispensing that did (``pack_key``)."""

    dispense_id: str


Problem = Literal[
    "prescription_expired",
    "wrong_person",
    "drug_not_prescribed",
    "quantity_exceeded",
    "recipient_dead",
]


class Dispensing(Provenance, frozen=True):
    """Packs dispensed against a prescription (``dispense_key``), with what was wrong."""

    prescription_id: str
    programme_id: str
    pseudonym: str
    dispensed_on: str
    packs: tuple[DispensedPack, ...]
    units: SafeInt
    problems: tuple[Problem, ...]
    claim_id: str | None = None


class DispensingView(Dispensing, frozen=True, kw_only=True):
    """A dispensing with its id: what queries answer."""

    dispense_id: str


class Claim(Provenance, frozen=True):
    """A pharmacy's reimbursement claim (``claim_key``) and, once paid, by whom and when."""

    programme_id: str
    dispense_ids: tuple[str, ...]
    account_id: str
    amount_kopecks: SafeInt
    status: Literal["claimed", "reimbursed"]
    reimbursed: Provenance | None = None


class ClaimView(Claim, frozen=True, kw_only=True):
    """A claim with its id: what queries answer."""

    claim_id: str


Mismatch = Literal[
    "unknown_reference", "amount_differs", "duplicate_debit", "reversal_without_original"
]


class StatementLineOutcome(Record, frozen=True):
    """A bank statement line as reported, and the payment state it matched or why not."""

    line_id: str
    booked_on: str
    direction: Literal["debit", "credit"]
    amount_kopecks: SafeInt
    reference: str
    matched: Literal["matched", "reversed"] | None = None
    unmatched: Mismatch | None = None


class PartEntry(Record, frozen=True):
    """Where a statement's part is in the log; ``lines`` is its count (absent in version 1)."""

    part: SafeInt
    tx_id: str
    index: SafeInt
    time_ms: SafeInt
    lines: SafeInt | None = None


class StatementInParts(Provenance, frozen=True):
    """A statement recorded in parts (``reconcile_statement`` version 2, ``statement_key``):
    provenance is part 1's; each part's entry is listed."""

    lines: tuple[StatementLineOutcome, ...]
    parts: SafeInt
    parts_received: SafeInt
    statement_sha256: str
    complete: bool
    part_entries: tuple[PartEntry, ...]

    def with_part(
        self, part: PartEntry, lines: Sequence[StatementLineOutcome], parts: int
    ) -> "StatementInParts":
        """The statement with a part's lines and entry added; complete with the last part."""
        return msgspec.structs.replace(
            self,
            lines=(*self.lines, *lines),
            part_entries=(*self.part_entries, part),
            parts_received=part.part,
            complete=part.part == parts,
        )

    def unmatched_lines(self) -> int:
        """How many lines matched no payment."""
        return sum(1 for line in self.lines if line.unmatched is not None)


class StoredStatement(Provenance, frozen=True):
    """A statement as stored: recorded whole (version 1: lines and provenance only) or in
    parts (version 2: every field). ``in_parts`` reads either as ``StatementInParts``."""

    lines: tuple[StatementLineOutcome, ...]
    parts: SafeInt | None = None
    parts_received: SafeInt | None = None
    statement_sha256: str | None = None
    complete: bool | None = None
    part_entries: tuple[PartEntry, ...] | None = None

    def in_parts(self) -> StatementInParts:
        """The statement with its parts: one recorded whole is a complete one of one part."""
        whole = self.part_entries is None
        entry = PartEntry(1, self.tx_id, self.index, self.time_ms)
        return StatementInParts(
            by=self.by,
            index=self.index,
            time_ms=self.time_ms,
            tx_id=self.tx_id,
            lines=self.lines,
            parts=1 if whole else _given(self.parts),
            parts_received=1 if whole else _given(self.parts_received),
            statement_sha256=statement_sha256(self.lines)
            if whole
            else _given(self.statement_sha256),
            complete=True if whole else _given(self.complete),
            part_entries=(entry,) if whole else _given(self.part_entries),
        )


def _given(value: T | None) -> T:
    assert value is not None, "a statement recorded in parts has every field"
    return value


class StatementSummary(Record, frozen=True):
    """A statement in brief: what ``queries.statements`` lists."""

    statement_id: str
    parts: SafeInt
    parts_received: SafeInt
    complete: bool
    statement_sha256: str
    index: SafeInt
    time_ms: SafeInt
    lines: SafeInt
    unmatched_lines: SafeInt


class IncompleteStatement(Record, frozen=True):
    """Index: a statement whose last part has not come (``incomplete_statement_key``)."""

    parts_received: SafeInt
    parts: SafeInt


class UnmatchedLine(Record, frozen=True):
    """Index: a statement line that matched no payment (``unmatched_key``); ``part`` is the
    part that holds it, absent for a statement recorded whole."""

    reason: Mismatch
    reference: str
    part: SafeInt | None = None


class Erasure(Provenance, frozen=True):
    """That a person's personal data was erased off the ledger (``erasure_key``)."""

    programme_id: str
    erased_on: str


SubjectEntryKind = Literal[
    "fact",
    "assignment",
    "termination",
    "accrual",
    "override",
    "payment",
    "statement",
    "prescription",
    "deferral",
    "dispensing",
    "claim",
    "erasure",
]


class SubjectEntry(Record, frozen=True):
    """Index: what a log entry records about a subject (``subject_entry_key``): its kind, the
    id it names, and for a statement or a claim only the subject's own lines or dispensings."""

    kind: SubjectEntryKind
    ref: str
    """The id the entry records: an assignment, accrual, payment, statement... id; for a fact
    its kind; for an erasure the programme id."""
    items: tuple[str, ...] | None = None
    """A statement's line ids that matched or reversed the subject's payments; a claim's
    dispensings of the subject."""

    def with_item(self, item: str) -> "SubjectEntry":
        """The index record with one more line or dispensing, kept once."""
        known = self.items or ()
        return self if item in known else msgspec.structs.replace(self, items=(*known, item))


class Latest(Record, frozen=True):
    """Where and when the latest payments transaction is (``LATEST_KEY``)."""

    index: SafeInt
    time_ms: SafeInt


SHEET_FIELDS = ("kind", "value", "valid_from", "valid_until", "index")
"""What a fact sheet keeps of each attested fact (``valid_until`` only when given)."""


def fact_rank(fact: Fact) -> tuple[str, int]:
    """Of two facts of a kind valid on a date, the later ranked is the one that holds."""
    return fact.valid_from, fact.index


def facts_in_effect(ranked: Sequence[Fact], on: str) -> dict[str, int | str]:
    """For each kind, the value of the latest ranked fact valid on a date, among a person's
    facts sorted by ``fact_rank``. ``death`` is the date of death once it has passed."""
    chosen: dict[str, int | str] = {}
    for fact in ranked:
        if fact.valid_from > on:
            break
        if (fact.valid_until or "9999") > on:
            chosen[fact.kind] = fact.value
    return chosen


STATEMENT_LINE_FIELDS = ("line_id", "booked_on", "direction", "amount_kopecks", "reference")
"""The fields of a statement line as the bank reports it (``messages.StatementLine``)."""


def statement_sha256(lines: Sequence[Mapping[str, Any] | StatementLineOutcome]) -> str:
    """The digest of a whole statement: SHA-256 (hex) of the RFC 8785 bytes of the JSON
    array of all its lines in order, each line with ``STATEMENT_LINE_FIELDS`` only."""
    document: list[JSONValue] = [_line_as_reported(line) for line in lines]
    return sha256_hex(canonical_bytes(document))


def _line_as_reported(line: Mapping[str, Any] | StatementLineOutcome) -> JSONValue:
    if isinstance(line, StatementLineOutcome):
        return {name: getattr(line, name) for name in STATEMENT_LINE_FIELDS}
    return {name: line[name] for name in STATEMENT_LINE_FIELDS}
