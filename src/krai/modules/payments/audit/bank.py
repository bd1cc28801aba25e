"""Payments and bank statements, from the payments state's indexes: payments no statement has
matched in time (``unreconciled_payment``), statement lines that matched no payment
(``unmatched_bank_line``) and statements whose last part never came (``incomplete_statement``).
"""

from collections.abc import Iterator

from krai.modules.payments.audit.data import record
from krai.modules.payments.audit.findings import Finding, finding
from krai.modules.payments.model import PREFIX
from krai.modules.payments.records import (
    IncompleteStatement,
    Payment,
    StatementInParts,
    StoredStatement,
    UnmatchedLine,
    Unreconciled,
)
from krai.state.calendar import add_days
from krai.state.records import scan_records
from krai.state.store import StateView

UNRECONCILED_AFTER_DAYS = 5
"""A payment not on any bank statement this many days after it was made is a finding."""


def unreconciled(view: StateView, day: str) -> Iterator[Finding]:
    """Payments no statement has matched more than ``UNRECONCILED_AFTER_DAYS`` before the
    audit's day."""
    prefix = f"{PREFIX}unreconciled/"
    for key, waiting in scan_records(view, prefix, Unreconciled):
        if add_days(waiting.paid_on, UNRECONCILED_AFTER_DAYS) >= day:
            continue
        payment_id = key[len(prefix) :]
        payment = record(view, "payment", payment_id, Payment)
        yield finding(
            "unreconciled_payment",
            payment_id,
            [payment],
            payment.amount_kopecks,
            paid_on=waiting.paid_on,
            amount_kopecks=payment.amount_kopecks,
        )


def unmatched_lines(view: StateView) -> Iterator[Finding]:
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
        yield finding(
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


def incomplete_statements(view: StateView) -> Iterator[Finding]:
    """Statements recorded in parts whose last part never came, from their index."""
    prefix = f"{PREFIX}incomplete/"
    for key, progress in scan_records(view, prefix, IncompleteStatement):
        statement_id = key[len(prefix) :]
        yield finding(
            "incomplete_statement",
            statement_id,
            _statement(view, statement_id).part_entries,
            0,
            parts_received=progress.parts_received,
            parts=progress.parts,
        )


def _statement(view: StateView, statement_id: str) -> StatementInParts:
    return record(view, "statement", statement_id, StoredStatement).in_parts()
