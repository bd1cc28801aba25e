"""Bank statements matched to payments: every line accounted for, or an event saying why not.

A debit whose reference is a payment of this agent, for the same amount, not yet matched,
matches it. A credit referencing a matched payment reverses it. Anything else — an unknown
reference, a second debit of a matched payment, an amount that differs, a reversal of a
payment never debited — is recorded as an unmatched line and indexed for the audit, which
reports it.

A statement too long for one transaction is recorded in parts (version 2, docs/modules/
payments.md "Statement parts"): one record per statement all the same, its lines matched part
after part, complete when the last part's digest check passes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, Literal

import msgspec

from krai.modules.payments import events
from krai.modules.payments.matching import mismatch
from krai.modules.payments.messages import (
    ReconcileStatement,
    ReconcileStatementPart,
    StatementLine,
)
from krai.modules.payments.model import (
    EASTMOST_OFFSET_MINUTES,
    incomplete_statement_key,
    payment_key,
    statement_key,
    unmatched_key,
    unreconciled_key,
)
from krai.modules.payments.records import (
    BankLine,
    IncompleteStatement,
    PartEntry,
    Payment,
    StatementInParts,
    StatementLineOutcome,
    StoredStatement,
    UnmatchedLine,
    statement_sha256,
)
from krai.modules.payments.rules.records import absent, concerns, not_after_today
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, invalid_body, rule_violation


def check_statement(message: ReconcileStatement | ReconcileStatementPart) -> None:
    """Each line id once."""
    ids = [line.line_id for line in message.lines]
    if len(set(ids)) != len(ids):
        raise invalid_body("body.lines: a line id appears twice")


def validate_statement(ctx: Context, message: ReconcileStatement) -> None:
    """A statement not recorded before, with no line booked after today."""
    what = f"statement {message.statement_id}"
    absent(ctx, statement_key(message.statement_id), StoredStatement, what)
    _booked_by_today(ctx, message.lines)


def _booked_by_today(ctx: Context, lines: Sequence[StatementLine]) -> None:
    """A bank line is booked on or before today where Russia's day begins first (UTC+12): a
    statement names no programme, and its lines may pay several."""
    latest = max(lines, key=lambda line: line.booked_on)
    name = f"line {latest.line_id}'s booked_on"
    not_after_today(ctx, name, latest.booked_on, EASTMOST_OFFSET_MINUTES)


def apply_statement(ctx: Context, message: ReconcileStatement) -> None:
    """Match each line in order, recording its outcome."""
    outcomes = tuple(_match(ctx, message.statement_id, line) for line in message.lines)
    record = StoredStatement(**ctx.provenance(), lines=outcomes)
    write_record(ctx.state, statement_key(message.statement_id), record)


def check_part(message: ReconcileStatementPart) -> None:
    """Each line id once in the part, and the part one of the statement's parts."""
    check_statement(message)
    if message.part > message.parts:
        raise invalid_body(
            f"body.part: part {message.part} is beyond the statement's {message.parts} parts"
        )


def validate_part(ctx: Context, message: ReconcileStatementPart) -> None:
    """Part 1 opens the statement; part k follows part k−1 from the same signer, repeats
    part 1's count and digest and brings no line id already recorded; the last part's lines
    complete a statement whose digest is the one announced."""
    _booked_by_today(ctx, message.lines)
    found = _recorded(ctx, message.statement_id)
    if found is None and message.part != 1:
        raise rule_violation(
            f"statement {message.statement_id} has no part yet: "
            f"part 1 is expected, not part {message.part}"
        )
    recorded = () if found is None else _next_part(ctx, message, found)
    if message.part == message.parts:
        _check_digest(message, [*recorded, *map(asdict, message.lines)])


def _recorded(ctx: Context, statement_id: str) -> StatementInParts | None:
    found = read_record(ctx.state, statement_key(statement_id), StoredStatement)
    return None if found is None else found.in_parts()


def _next_part(
    ctx: Context, message: ReconcileStatementPart, statement: StatementInParts
) -> tuple[StatementLineOutcome, ...]:
    """The lines recorded so far, provided ``message`` is the part the statement expects."""
    name, received = f"statement {message.statement_id}", statement.parts_received
    if statement.by != ctx.signer:
        raise rule_violation(f"{name} is recorded by {statement.by}: only it adds parts")
    if statement.complete:
        raise conflict(f"{name} is complete: {received} of {statement.parts} parts")
    if message.part != received + 1:
        raise rule_violation(
            f"{name} has {received} of {statement.parts} parts: "
            f"part {received + 1} is expected, not part {message.part}"
        )
    _check_repeated(message, statement)
    ids = {line.line_id for line in statement.lines}
    for line in message.lines:
        if line.line_id in ids:
            raise rule_violation(f"line {line.line_id} is already in an earlier part of {name}")
    return statement.lines


def _check_repeated(message: ReconcileStatementPart, statement: StatementInParts) -> None:
    name = f"statement {message.statement_id}"
    if message.parts != statement.parts:
        raise rule_violation(f"{name} has {statement.parts} parts (part 1), not {message.parts}")
    if message.statement_sha256 != statement.statement_sha256:
        raise rule_violation(
            f"{name} has digest {statement.statement_sha256} (part 1), "
            f"not {message.statement_sha256}"
        )


def _check_digest(
    message: ReconcileStatementPart,
    lines: Sequence[StatementLineOutcome | Mapping[str, Any]],
) -> None:
    computed = statement_sha256(lines)
    if computed != message.statement_sha256:
        raise rule_violation(
            f"statement {message.statement_id}: the digest of all its lines ({len(lines)}) is "
            f"{computed}, not the announced {message.statement_sha256}; "
            f"part {message.part} of {message.parts} is refused"
        )


def apply_part(ctx: Context, message: ReconcileStatementPart) -> None:
    """Match the part's lines in order after those of the earlier parts; the statement is
    complete with its last part, incomplete (and indexed for the audit) until then."""
    statement_id = message.statement_id
    found = _recorded(ctx, statement_id)
    opened = _opened(ctx, message) if found is None else found
    lines = [_match(ctx, statement_id, line, message.part) for line in message.lines]
    entry = PartEntry(message.part, ctx.tx_id, ctx.index, ctx.time_ms, len(message.lines))
    record = opened.with_part(entry, lines, message.parts)
    write_record(ctx.state, statement_key(statement_id), record)
    if not record.complete:
        progress = IncompleteStatement(message.part, message.parts)
        write_record(ctx.state, incomplete_statement_key(statement_id), progress)
        return
    if message.part > 1:
        ctx.state.delete(incomplete_statement_key(statement_id))
    ctx.emit(
        events.StatementCompleted(
            statement_id, message.parts, len(record.lines), message.statement_sha256
        )
    )


def _opened(ctx: Context, message: ReconcileStatementPart) -> StatementInParts:
    """The record part 1 opens: provenance is part 1's, each part's entry is listed."""
    return StatementInParts(
        **ctx.provenance(),
        lines=(),
        parts=message.parts,
        parts_received=0,
        statement_sha256=message.statement_sha256,
        complete=False,
        part_entries=(),
    )


def _match(
    ctx: Context, statement_id: str, line: StatementLine, part: int | None = None
) -> StatementLineOutcome:
    outcome = StatementLineOutcome(
        line.line_id, line.booked_on, line.direction, line.amount_kopecks, line.reference
    )
    found = read_record(ctx.state, payment_key(line.reference), Payment)
    reason = mismatch(found, ctx.signer, line)
    if reason is not None:
        index = UnmatchedLine(reason, line.reference, part)
        write_record(ctx.state, unmatched_key(statement_id, line.line_id), index)
        ctx.emit(events.StatementLineUnmatched(statement_id, line.line_id, line.reference, reason))
        return msgspec.structs.replace(outcome, unmatched=reason)
    assert found is not None
    bank: Literal["matched", "reversed"] = "matched" if line.direction == "debit" else "reversed"
    reconciled = found.reconciled(bank, BankLine(statement_id, line.line_id))
    write_record(ctx.state, payment_key(line.reference), reconciled)
    concerns(ctx, (found.pseudonym,), "statement", statement_id, line.line_id)
    if line.direction == "debit":
        ctx.state.delete(unreconciled_key(line.reference))
    ctx.emit(events.StatementLineMatched(statement_id, line.line_id, line.reference, bank))
    return msgspec.structs.replace(outcome, matched=bank)
