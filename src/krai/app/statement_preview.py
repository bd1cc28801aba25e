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
from krai.crypto.canonical import JSONValue
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
    data: bytes,
    form: Mapping[str, str],
    signing: Signing | None = None,
) -> dict[str, Any]:
    """The file read as statement ``form["statement_id"]`` in ``form["format"]`` (default
    ``auto``); raises ``UploadError`` naming the line and key at fault."""
    statement_id, file_format = form.get("statement_id", ""), form.get("format") or "auto"
    if file_format not in FORMATS:
        raise UploadError([f"format {file_format!r} is not one of {', '.join(FORMATS)}"])
    try:
        lines = read_statement(data, file_format)
    except StatementFileError as error:
        raise UploadError([str(error)]) from None
    try:
        parts = statement_to_sign(statement_id, lines)
    except ValueError as error:
        raise UploadError([str(error)]) from None
    previews = [_part(storage, origin, part, signing) for part in parts]
    return {
        "network": origin,
        "statement_id": statement_id,
        "signing": None if signing is None else signing._asdict(),
        "lines": lines,
        "parts": previews,
        "totals": {key: sum(p["totals"][key] for p in previews) for key in previews[0]["totals"]},
    }


def _part(
    storage: Storage, origin: str, part: PartToSign, signing: Signing | None
) -> dict[str, Any]:
    number = part.body["part"]
    try:
        message = decode_message(ReconcileStatementPart, part.body)
        signed = None if signing is None else to_sign(origin, signing, part)
    except RejectedError as error:
        raise UploadError([f"part {number}: {error.message}"]) from None
    signer = None if signing is None else signing.signer
    outcomes = queries.expected_outcomes(storage, signer, message.lines)
    rows = [
        _row(storage, line, outcome)
        for line, outcome in zip(part.body["lines"], outcomes, strict=True)
    ]
    extra = {} if signed is None else {"to_sign": signed}
    return {
        **part._asdict(),
        "rows": rows,
        "totals": _totals(part.body["lines"], outcomes),
        **extra,
    }


def _row(storage: Storage, line: dict[str, JSONValue], outcome: str) -> dict[str, Any]:
    payment = queries.payment(storage, str(line["reference"]))
    found = None if payment is None else {"payment_id": payment.payment_id, "index": payment.index}
    return {**line, "outcome": outcome, "payment": found}


def _totals(lines: list[dict[str, JSONValue]], outcomes: list[str]) -> dict[str, int]:
    def kopecks(direction: str) -> int:
        return sum(
            int(str(line["amount_kopecks"])) for line in lines if line["direction"] == direction
        )

    unmatched = sum(outcome not in MATCHED for outcome in outcomes)
    return {
        "lines": len(lines),
        "debit_kopecks": kopecks("debit"),
        "credit_kopecks": kopecks("credit"),
        "unmatched": unmatched,
    }


STATEMENT = UploadKind(Role.PAYMENT_AGENT, statement_preview)
