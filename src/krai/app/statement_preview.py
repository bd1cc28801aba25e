"""A bank statement file as its paying agent previews it before signing (ADR 0035): the parts
of ``payments.reconcile_statement`` that record it, each with its lines, how each line would
match the ledger's payments, its totals, and — for a chosen key — the bytes to sign. The
``/v1/payments/statements`` route and the dashboard's upload page answer this document."""

from collections.abc import Mapping
from typing import Any

from krai.app.ports import Storage
from krai.app.statement_files import StatementFileError, StatementFormat, read_statement
from krai.app.statements import PartToSign, statement_to_sign
from krai.app.uploads import Signing, UploadError, UploadKind, to_sign
from krai.modules.identity.model import Role
from krai.modules.payments import queries
from krai.modules.payments.messages import ReconcileStatementPart
from krai.state.messages import decode_message
from krai.tx.errors import RejectedError

FORMATS: tuple[StatementFormat, ...] = ("auto", "csv", "1c")
MATCHED = ("matched", "reversed")


def statement_preview(
    storage: Storage,
    origin: str,
    files: Mapping[str, bytes],
    form: Mapping[str, str],
    signing: Signing | None = None,
) -> dict[str, Any]:
    """``files["file"]`` read as statement ``form["statement_id"]`` in ``form["format"]``
    (default ``auto``); raises ``UploadError`` naming the line and key at fault."""
    statement_id, file_format = form.get("statement_id", ""), form.get("format") or "auto"
    if file_format not in FORMATS:
        raise UploadError([f"format {file_format!r} is not one of {', '.join(FORMATS)}"])
    try:
        lines = read_statement(files["file"], file_format)
    except StatementFileError as error:
        raise UploadError([str(error)]) from None
    try:
        parts = statement_to_sign(statement_id, lines)
    except ValueError as error:
        raise UploadError([str(error)]) from None
    messages = [_decoded(part) for part in parts]
    signer = None if signing is None else signing.signer
    outcomes = iter(
        queries.expected_outcomes(storage, signer, [ln for m in messages for ln in m.lines])
    )
    previews = [
        _part(storage, origin, part, [next(outcomes) for _ in message.lines], signing)
        for part, message in zip(parts, messages, strict=True)
    ]
    return {
        "network": origin,
        "statement_id": statement_id,
        "signing": None if signing is None else signing._asdict(),
        "lines": lines,
        "parts": previews,
        "totals": {key: sum(p["totals"][key] for p in previews) for key in previews[0]["totals"]},
    }


def _decoded(part: PartToSign) -> ReconcileStatementPart:
    try:
        return decode_message(ReconcileStatementPart, part.body)
    except RejectedError as error:
        raise UploadError([f"part {part.body['part']}: {error.message}"]) from None


def _part(
    storage: Storage,
    origin: str,
    part: PartToSign,
    outcomes: list[str],
    signing: Signing | None,
) -> dict[str, Any]:
    """The part with its rows, totals and, for ``signing``, what to sign."""
    lines = part.body["lines"]
    rows = [_row(storage, line, outcome) for line, outcome in zip(lines, outcomes, strict=True)]
    extra = {} if signing is None else {"to_sign": _to_sign(origin, signing, part)}
    return {**part._asdict(), "rows": rows, "totals": _totals(lines, outcomes), **extra}


def _to_sign(origin: str, signing: Signing, part: PartToSign) -> dict[str, Any]:
    try:
        return to_sign(origin, signing, part)
    except RejectedError as error:
        raise UploadError([f"part {part.body['part']}: {error.message}"]) from None


def _row(storage: Storage, line: dict[str, Any], outcome: str) -> dict[str, Any]:
    payment = queries.payment(storage, str(line["reference"]))
    found = None if payment is None else {"payment_id": payment.payment_id, "index": payment.index}
    return {**line, "outcome": outcome, "payment": found}


def _totals(lines: list[dict[str, Any]], outcomes: list[str]) -> dict[str, int]:
    def kopecks(direction: str) -> int:
        return sum(line["amount_kopecks"] for line in lines if line["direction"] == direction)

    return {
        "lines": len(lines),
        "debit_kopecks": kopecks("debit"),
        "credit_kopecks": kopecks("credit"),
        "unmatched": sum(outcome not in MATCHED for outcome in outcomes),
    }


STATEMENT = UploadKind(Role.PAYMENT_AGENT, statement_preview)
