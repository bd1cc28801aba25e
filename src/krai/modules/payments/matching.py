"""How a bank statement line matches the payment its reference names — the one rule the
reconciliation applies and the upload's preview predicts with (ADR 0035)."""

from typing import TYPE_CHECKING

from krai.modules.payments.records import Mismatch, Payment

if TYPE_CHECKING:
    from krai.modules.payments.messages import StatementLine


def mismatch(found: Payment | None, signer: str, line: "StatementLine") -> Mismatch | None:
    """Why ``line``, recorded by ``signer``, matches no payment (``found``: the payment its
    reference names, as it stands), or None when it matches."""
    if found is None or found.by != signer:
        return "reversal_without_original" if line.direction == "credit" else "unknown_reference"
    if found.amount_kopecks != line.amount_kopecks:
        return "amount_differs"
    if line.direction == "debit" and found.bank != "unreconciled":
        return "duplicate_debit"
    if line.direction == "credit" and found.bank != "matched":
        return "reversal_without_original"
    return None
