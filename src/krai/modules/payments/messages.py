"""Social payment and drug provision transactions. No body holds personal data: people are
pseudonyms, documents are salted commitments."""

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.accounts.messages import AccountId
from krai.modules.payments.model import (
    DEDUP_PATTERN,
    MSK_OFFSET_MINUTES,
    PERIOD_PATTERN,
    PSEUDONYM_PATTERN,
    SGTIN_PATTERN,
    SUBJECT_PATTERN,
    is_whole_hours,
)
from krai.state.messages import Check, Date, Hex256, Length, Max, Min, Pattern

Slug = Annotated[str, Pattern(r"[a-z0-9][a-z0-9._:-]{0,95}")]
Period = Annotated[str, Pattern(PERIOD_PATTERN)]
Pseudonym = Annotated[str, Pattern(PSEUDONYM_PATTERN)]
DedupKey = Annotated[str, Pattern(DEDUP_PATTERN)]
Kopecks = Annotated[int, Min(1), Max(MAX_SAFE_INTEGER)]
Text = Annotated[str, Length(1, 500)]
UtcOffset = Annotated[
    int,
    Min(MSK_OFFSET_MINUTES - 60),
    Max(MSK_OFFSET_MINUTES + 9 * 60),
    Check(
        is_whole_hours,
        "not a whole number of hours",
        "The programme's region's offset from UTC in minutes, one of Russia's zones under "
        "107-FZ art. 5 (MSK−1 … MSK+9: 120 … 720, whole hours); its local dates are read in it",
    ),
]
Formula = Any
"""A JSON formula (see formulas.py), checked when the rule version is set."""
MAX_LINES_PER_PART = 5000
"""The most lines one ``reconcile_statement`` carries (a whole statement in version 1)."""
MAX_STATEMENT_PARTS = 10_000
"""The most parts one statement is recorded in."""


@dataclass(frozen=True)
class LegalBasis:
    """The act and article a programme, rule or override rests on."""

    act: Text
    article: Annotated[str, Length(1, 100)]


@dataclass(frozen=True)
class ListedDrug:
    """A drug a drug programme provides: its code, the most units one prescription may give,
    and what the programme reimburses per unit."""

    drug_code: Slug
    max_units_per_prescription: Annotated[int, Min(1), Max(10_000)]
    reimbursement_kopecks_per_unit: Kopecks


@dataclass(frozen=True)
class RegisterProgramme:
    """A social authority registers a programme it operates, funded from an earmarked account."""

    TYPE: ClassVar[str] = "payments.register_programme"
    VERSION: ClassVar[int] = 1
    programme_id: Slug
    title: Text
    kind: Literal["cash", "drugs"]
    legal_basis: LegalBasis
    budget_account: AccountId
    payment_agent: Annotated[str, Pattern(r"[0-9]{10}|[0-9]{12}")]
    incompatible_with: Annotated[list[Slug], Length(0, 20)]
    due_days_after_period: Annotated[int, Min(0), Max(90)]
    drugs: Annotated[list[ListedDrug], Length(0, 500)] | None = None
    utc_offset_minutes: UtcOffset | None = None


@dataclass(frozen=True)
class SetRule:
    """A new version of a programme's eligibility and amount rules, effective from a date."""

    TYPE: ClassVar[str] = "payments.set_rule"
    VERSION: ClassVar[int] = 1
    programme_id: Slug
    version: Annotated[int, Min(1), Max(10_000)]
    effective_from: Date
    legal_basis: LegalBasis
    eligibility: Formula
    amount_kopecks: Formula
    parameters: dict[str, int] | None = None


@dataclass(frozen=True)
class Attest:
    """An authorised organisation attests a fact about a person, from a date."""

    TYPE: ClassVar[str] = "payments.attest"
    VERSION: ClassVar[int] = 1
    subject: Annotated[str, Pattern(SUBJECT_PATTERN)]
    kind: Literal["death", "residence", "disability_group", "income_per_capita_kopecks", "category"]
    valid_from: Date
    valid_until: Date | None = None
    amount: Annotated[int, Min(0), Max(MAX_SAFE_INTEGER)] | None = None
    text: Annotated[str, Pattern(r"[a-z0-9][a-z0-9._:-]{0,63}")] | None = None
    document_sha256: Hex256 | None = None


@dataclass(frozen=True)
class Assign:
    """The programme's operator decides to grant the measure to a person."""

    TYPE: ClassVar[str] = "payments.assign"
    VERSION: ClassVar[int] = 1
    assignment_id: Slug
    programme_id: Slug
    pseudonym: Pseudonym
    dedup_key: DedupKey
    decision_date: Date
    start_date: Date
    decision_sha256: Hex256
    end_date: Date | None = None


@dataclass(frozen=True)
class TerminateAssignment:
    """The operator ends an assignment from a date, with the basis."""

    TYPE: ClassVar[str] = "payments.terminate_assignment"
    VERSION: ClassVar[int] = 1
    assignment_id: Slug
    end_date: Date
    basis: Text


@dataclass(frozen=True)
class Override:
    """Why an accrual departs from the rule's amount; a second official must approve it."""

    legal_basis: LegalBasis
    reason: Text


@dataclass(frozen=True)
class Accrue:
    """The operator accrues a period's amount under an assignment."""

    TYPE: ClassVar[str] = "payments.accrue"
    VERSION: ClassVar[int] = 1
    accrual_id: Slug
    assignment_id: Slug
    period: Period
    amount_kopecks: Kopecks
    override: Override | None = None


@dataclass(frozen=True)
class ApproveOverride:
    """A second official of the operator approves an accrual's override."""

    TYPE: ClassVar[str] = "payments.approve_override"
    VERSION: ClassVar[int] = 1
    accrual_id: Slug


@dataclass(frozen=True)
class Pay:
    """The payment agent pays an accrual from the programme's budget account."""

    TYPE: ClassVar[str] = "payments.pay"
    VERSION: ClassVar[int] = 1
    payment_id: Slug
    accrual_id: Slug
    amount_kopecks: Kopecks
    paid_on: Date
    payout_account: AccountId


@dataclass(frozen=True)
class Prescribe:
    """A clinic issues a preferential prescription: a salted commitment, never the form itself."""

    TYPE: ClassVar[str] = "payments.prescribe"
    VERSION: ClassVar[int] = 1
    prescription_id: Slug
    programme_id: Slug
    pseudonym: Pseudonym
    commitment_sha256: Hex256
    drug_code: Slug
    quantity_units: Annotated[int, Min(1), Max(10_000)]
    issued_on: Date
    validity_days: Literal[15, 30, 90]


@dataclass(frozen=True)
class DeferPrescription:
    """A pharmacy takes a prescription it cannot serve now: it must within 10 working days."""

    TYPE: ClassVar[str] = "payments.defer_prescription"
    VERSION: ClassVar[int] = 1
    prescription_id: Slug
    deferred_on: Date


@dataclass(frozen=True)
class Pack:
    """One pack by its SGTIN and the units of the drug it holds."""

    sgtin: Annotated[str, Pattern(SGTIN_PATTERN)]
    drug_code: Slug
    units: Annotated[int, Min(1), Max(10_000)]


@dataclass(frozen=True)
class Dispense:
    """A pharmacy dispenses packs against a prescription to the person it names."""

    TYPE: ClassVar[str] = "payments.dispense"
    VERSION: ClassVar[int] = 1
    dispense_id: Slug
    prescription_id: Slug
    pseudonym: Pseudonym
    dispensed_on: Date
    packs: Annotated[list[Pack], Length(1, 50)]


@dataclass(frozen=True)
class ClaimReimbursement:
    """A pharmacy claims reimbursement of dispensings, into its own account."""

    TYPE: ClassVar[str] = "payments.claim_reimbursement"
    VERSION: ClassVar[int] = 1
    claim_id: Slug
    programme_id: Slug
    dispense_ids: Annotated[list[Slug], Length(1, 1000)]
    account_id: AccountId


@dataclass(frozen=True)
class Reimburse:
    """The payment agent pays a claim from the programme's earmarked budget."""

    TYPE: ClassVar[str] = "payments.reimburse"
    VERSION: ClassVar[int] = 1
    claim_id: Slug


@dataclass(frozen=True)
class StatementLine:
    """One line of a bank statement."""

    line_id: Annotated[str, Length(1, 64)]
    booked_on: Date
    direction: Literal["debit", "credit"]
    amount_kopecks: Kopecks
    reference: Annotated[str, Length(1, 140)]


@dataclass(frozen=True)
class ReconcileStatement:
    """The payment agent records a bank statement; the ledger matches it to payments."""

    TYPE: ClassVar[str] = "payments.reconcile_statement"
    VERSION: ClassVar[int] = 1
    statement_id: Slug
    lines: Annotated[list[StatementLine], Length(1, MAX_LINES_PER_PART)]


@dataclass(frozen=True)
class ReconcileStatementPart:
    """One part of a bank statement recorded in parts (docs/modules/payments.md, "Statement
    parts"): every part repeats the count of parts and the digest of the whole statement;
    part k follows part k−1, and the last is accepted only if the digest of all the lines,
    in order, is the one announced."""

    TYPE: ClassVar[str] = "payments.reconcile_statement"
    VERSION: ClassVar[int] = 2
    statement_id: Slug
    part: Annotated[int, Min(1), Max(MAX_STATEMENT_PARTS)]
    parts: Annotated[int, Min(1), Max(MAX_STATEMENT_PARTS)]
    statement_sha256: Hex256
    lines: Annotated[list[StatementLine], Length(1, MAX_LINES_PER_PART)]


@dataclass(frozen=True)
class RecordErasure:
    """The operator records that a person's personal data was destroyed (crypto-shredding)."""

    TYPE: ClassVar[str] = "payments.record_erasure"
    VERSION: ClassVar[int] = 1
    pseudonym: Pseudonym
    programme_id: Slug
    erased_on: Date
