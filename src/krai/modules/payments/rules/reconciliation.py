"""Bank statements matched to payments: every line accounted for, or an event saying why not.

A debit whose reference is a payment of this agent, for the same amount, not yet matched,
matches it. A credit referencing a matched payment reverses it. Anything else — an unknown
reference, a second debit of a matched payment, an amount that differs, a reversal of a
payment never debited — is recorded as an unmatched line and indexed for the audit, which
reports it.
"""

from typing import Any

from krai.modules.payments import events
from krai.modules.payments.messages import ReconcileStatement, StatementLine
from krai.modules.payments.model import (
    payment_key,
    statement_key,
    unmatched_key,
    unreconciled_key,
)
from krai.modules.payments.rules.records import absent
from krai.state.engine import Context
from krai.tx.errors import invalid_body


def check_statement(message: ReconcileStatement) -> None:
    """Each line id once."""
    ids = [line.line_id for line in message.lines]
    if len(set(ids)) != len(ids):
        raise invalid_body("body.lines: a line id appears twice")


def validate_statement(ctx: Context, message: ReconcileStatement) -> None:
    """A statement not recorded before."""
    absent(ctx, statement_key(message.statement_id), f"statement {message.statement_id}")


def apply_statement(ctx: Context, message: ReconcileStatement) -> None:
    """Match each line in order, recording its outcome."""
    outcomes = [_match(ctx, message.statement_id, line) for line in message.lines]
    record = {"lines": outcomes, **ctx.provenance()}
    ctx.state.put(statement_key(message.statement_id), record)


def _match(ctx: Context, statement_id: str, line: StatementLine) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "line_id": line.line_id,
        "booked_on": line.booked_on,
        "direction": line.direction,
        "amount_kopecks": line.amount_kopecks,
        "reference": line.reference,
    }
    found = ctx.read(payment_key(line.reference))
    reason = _mismatch(ctx, found, line)
    if reason is not None:
        outcome["unmatched"] = reason
        index = {"reason": reason, "reference": line.reference}
        ctx.state.put(unmatched_key(statement_id, line.line_id), index)
        ctx.emit(events.StatementLineUnmatched(statement_id, line.line_id, line.reference, reason))
        return outcome
    assert found is not None
    found["bank"] = "matched" if line.direction == "debit" else "reversed"
    found.setdefault("bank_lines", []).append(
        {"statement_id": statement_id, "line_id": line.line_id}
    )
    ctx.state.put(payment_key(line.reference), found)
    if line.direction == "debit":
        ctx.state.delete(unreconciled_key(line.reference))
    outcome["matched"] = found["bank"]
    ctx.emit(events.StatementLineMatched(statement_id, line.line_id, line.reference, found["bank"]))
    return outcome


def _mismatch(ctx: Context, found: dict[str, Any] | None, line: StatementLine) -> str | None:
    if found is None or found["by"] != ctx.signer:
        return "reversal_without_original" if line.direction == "credit" else "unknown_reference"
    if found["amount_kopecks"] != line.amount_kopecks:
        return "amount_differs"
    if line.direction == "debit" and found["bank"] != "unreconciled":
        return "duplicate_debit"
    if line.direction == "credit" and found["bank"] != "matched":
        return "reversal_without_original"
    return None
