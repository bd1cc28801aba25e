"""The payments state machine: its handlers, who may submit each, and what each reads."""

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from krai.modules.payments import messages as m
from krai.modules.payments import statement_bodies
from krai.modules.payments.model import LATEST_KEY
from krai.modules.payments.records import Latest
from krai.modules.payments.rules import benefits, drugs, programmes, reconciliation
from krai.state.engine import Context, Handler, handler
from krai.state.records import write_record

AUTHORITY = frozenset({"social_authority"})
AGENT = frozenset({"payment_agent"})
ATTESTORS = frozenset({"attestor", "social_authority"})


class PaymentsModule:
    """The social payments state machine."""

    name = "payments"

    def handlers(self) -> Sequence[Handler[Any]]:
        """Every payments transaction, with who may submit it; each one applied also marks
        itself the latest (``LATEST_KEY``)."""
        return [replace(h, apply=_marked_latest(h.apply)) for h in _HANDLERS]


def _marked_latest(apply: Callable[[Context, Any], None]) -> Callable[[Context, Any], None]:
    def apply_and_mark(ctx: Context, message: Any) -> None:
        apply(ctx, message)
        write_record(ctx.state, LATEST_KEY, Latest(ctx.index, ctx.time_ms))

    return apply_and_mark


_HANDLERS: list[Handler[Any]] = [
    handler(
        m.RegisterProgramme,
        AUTHORITY,
        programmes.apply_programme,
        programmes.validate_programme,
        programmes.check_programme,
        summary="Register a programme funded from an earmarked account",
    ),
    handler(
        m.SetRule,
        AUTHORITY,
        programmes.apply_rule,
        programmes.validate_rule,
        summary="Set the next dated version of a programme's rules",
    ),
    handler(
        m.Attest,
        ATTESTORS,
        programmes.apply_attestation,
        programmes.validate_attestation,
        programmes.check_attestation,
        summary="Attest a fact about a pseudonymous person",
    ),
    handler(
        m.RecordErasure,
        AUTHORITY,
        programmes.apply_erasure,
        programmes.validate_erasure,
        summary="Record that a person's personal data was erased",
    ),
    handler(
        m.Assign,
        AUTHORITY,
        benefits.apply_assignment,
        benefits.validate_assignment,
        benefits.check_assignment,
        summary="Assign a measure to a person",
    ),
    handler(
        m.TerminateAssignment,
        AUTHORITY,
        benefits.apply_termination,
        benefits.validate_termination,
        summary="End an assignment from a date",
    ),
    handler(
        m.Accrue,
        AUTHORITY,
        benefits.apply_accrual,
        benefits.validate_accrual,
        summary="Accrue a period's amount (the rule's, or overridden)",
    ),
    handler(
        m.ApproveOverride,
        AUTHORITY | {"governor"},
        benefits.apply_override,
        benefits.validate_override,
        summary="Approve an overridden accrual as a second authority",
    ),
    handler(
        m.Pay,
        AGENT,
        benefits.apply_payment,
        benefits.validate_payment,
        summary="Pay an accrual from the programme's budget",
    ),
    handler(
        m.Prescribe,
        frozenset({"clinic"}),
        drugs.apply_prescription,
        drugs.validate_prescription,
        summary="Issue a preferential prescription",
    ),
    handler(
        m.DeferPrescription,
        frozenset({"pharmacy"}),
        drugs.apply_deferral,
        drugs.validate_deferral,
        summary="Defer a prescription out of stock",
    ),
    handler(
        m.Dispense,
        frozenset({"pharmacy"}),
        drugs.apply_dispensing,
        drugs.validate_dispensing,
        drugs.check_dispensing,
        summary="Dispense packs against a prescription",
    ),
    handler(
        m.ClaimReimbursement,
        frozenset({"pharmacy"}),
        drugs.apply_claim,
        drugs.validate_claim,
        summary="Claim reimbursement of dispensings",
    ),
    handler(
        m.Reimburse,
        AGENT,
        drugs.apply_reimbursement,
        drugs.validate_reimbursement,
        summary="Pay a pharmacy's claim",
    ),
    replace(
        handler(
            m.ReconcileStatement,
            AGENT,
            reconciliation.apply_statement,
            reconciliation.validate_statement,
            reconciliation.check_statement,
            summary="Record a bank statement and match it to payments",
        ),
        decode=statement_bodies.decode_statement,
    ),
    replace(
        handler(
            m.ReconcileStatementPart,
            AGENT,
            reconciliation.apply_part,
            reconciliation.validate_part,
            reconciliation.check_part,
            summary="Record one part of a bank statement and match its lines to payments",
        ),
        decode=statement_bodies.decode_part,
    ),
]
