"""Facts established by social payment and drug provision transactions."""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class ProgrammeRegistered:
    NAME: ClassVar[str] = "payments.ProgrammeRegistered"
    programme_id: str
    operator: str


@dataclass(frozen=True)
class RuleVersionSet:
    NAME: ClassVar[str] = "payments.RuleVersionSet"
    programme_id: str
    version: int
    effective_from: str


@dataclass(frozen=True)
class FactAttested:
    NAME: ClassVar[str] = "payments.FactAttested"
    subject: str
    kind: str
    valid_from: str


@dataclass(frozen=True)
class MeasureAssigned:
    NAME: ClassVar[str] = "payments.MeasureAssigned"
    assignment_id: str
    programme_id: str
    pseudonym: str


@dataclass(frozen=True)
class AssignmentTerminated:
    NAME: ClassVar[str] = "payments.AssignmentTerminated"
    assignment_id: str
    end_date: str


@dataclass(frozen=True)
class Accrued:
    NAME: ClassVar[str] = "payments.Accrued"
    accrual_id: str
    assignment_id: str
    period: str
    amount_kopecks: int
    rule_version: int


@dataclass(frozen=True)
class OverrideRequested:
    NAME: ClassVar[str] = "payments.OverrideRequested"
    accrual_id: str
    rule_amount_kopecks: int
    amount_kopecks: int


@dataclass(frozen=True)
class OverrideApproved:
    NAME: ClassVar[str] = "payments.OverrideApproved"
    accrual_id: str
    approver: str


@dataclass(frozen=True)
class Paid:
    NAME: ClassVar[str] = "payments.Paid"
    payment_id: str
    accrual_id: str
    amount_kopecks: int


@dataclass(frozen=True)
class Prescribed:
    NAME: ClassVar[str] = "payments.Prescribed"
    prescription_id: str
    programme_id: str
    drug_code: str
    quantity_units: int


@dataclass(frozen=True)
class PrescriptionDeferred:
    NAME: ClassVar[str] = "payments.PrescriptionDeferred"
    prescription_id: str
    serve_by: str


@dataclass(frozen=True)
class Dispensed:
    NAME: ClassVar[str] = "payments.Dispensed"
    dispense_id: str
    prescription_id: str
    packs: int
    units: int
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ReimbursementClaimed:
    NAME: ClassVar[str] = "payments.ReimbursementClaimed"
    claim_id: str
    dispensings: int
    amount_kopecks: int


@dataclass(frozen=True)
class Reimbursed:
    NAME: ClassVar[str] = "payments.Reimbursed"
    claim_id: str
    amount_kopecks: int


@dataclass(frozen=True)
class StatementLineMatched:
    NAME: ClassVar[str] = "payments.StatementLineMatched"
    statement_id: str
    line_id: str
    payment_id: str
    outcome: str


@dataclass(frozen=True)
class StatementLineUnmatched:
    """A line the ledger cannot account for: unknown reference, duplicate debit, reversal of
    nothing, or an amount that differs from the payment's."""

    NAME: ClassVar[str] = "payments.StatementLineUnmatched"
    statement_id: str
    line_id: str
    reference: str
    reason: str


@dataclass(frozen=True)
class StatementCompleted:
    """The last part of a statement recorded in parts came, and the digest of all its lines
    is the one every part announced."""

    NAME: ClassVar[str] = "payments.StatementCompleted"
    statement_id: str
    parts: int
    lines: int
    statement_sha256: str


@dataclass(frozen=True)
class ErasureRecorded:
    NAME: ClassVar[str] = "payments.ErasureRecorded"
    pseudonym: str
    programme_id: str
    erased_on: str
