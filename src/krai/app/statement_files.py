"""Bank statement files read into the lines ``payments.reconcile_statement`` records, for every
edge that imports one: the «Клиент банка» format (``client_bank``) or krai's CSV, told apart
by the first line (docs/modules/payments.md, "Formats")."""

import csv
import io
import re
from typing import Literal

from krai.app.client_bank import (
    MAX_FILE_BYTES,
    ClientBankError,
    is_client_bank,
    read_client_bank,
    statement_lines,
)
from krai.crypto.canonical import JSONValue

StatementFormat = Literal["auto", "csv", "1c"]
CSV_COLUMNS = ("line_id", "booked_on", "direction", "amount_rub", "reference")
CSV_AMOUNT = re.compile(r"(-?)([0-9]{1,15})(?:[.,]([0-9]{1,2}))?")


class StatementFileError(ValueError):
    """A statement file refused as a whole; the message names the line at fault."""


def read_statement(
    data: bytes, file_format: StatementFormat = "auto"
) -> list[dict[str, JSONValue]]:
    """The statement's lines, checked; raises ``StatementFileError``. ``auto`` reads a file
    beginning ``1CClientBankExchange`` as «Клиент банка», any other as CSV."""
    if len(data) > MAX_FILE_BYTES:
        raise StatementFileError(f"the file has {len(data)} bytes, more than {MAX_FILE_BYTES}")
    if file_format == "1c" or (file_format == "auto" and is_client_bank(data)):
        try:
            lines = statement_lines(read_client_bank(data))
        except ClientBankError as error:
            raise StatementFileError(str(error)) from error
    else:
        lines = read_csv(data)
    _refuse_repeated_ids(lines)
    return lines


def read_csv(data: bytes) -> list[dict[str, JSONValue]]:
    """A UTF-8 CSV whose header names ``CSV_COLUMNS``, one statement line a row."""
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise StatementFileError(f"not a UTF-8 CSV: {error}") from error
    if not rows or set(CSV_COLUMNS) - set(rows[0]):
        raise StatementFileError(f"the header must name {', '.join(CSV_COLUMNS)}")
    return [_csv_line(row, number) for number, row in enumerate(rows, start=2)]


def _csv_line(row: dict[str, str], number: int) -> dict[str, JSONValue]:
    if None in row.values():
        raise StatementFileError(f"line {number}: fewer columns than the header")
    match = CSV_AMOUNT.fullmatch(row["amount_rub"].strip().replace(" ", ""))
    if match is None or match.group(1):
        amount = row["amount_rub"]
        raise StatementFileError(
            f"line {number}: amount_rub {amount!r} is not a positive rouble amount"
        )
    kopecks = int(match.group(2)) * 100 + int((match.group(3) or "0").ljust(2, "0"))
    return {
        "line_id": row["line_id"].strip(),
        "booked_on": row["booked_on"].strip(),
        "direction": row["direction"].strip().lower(),
        "amount_kopecks": kopecks,
        "reference": row["reference"].strip(),
    }


def _refuse_repeated_ids(lines: list[dict[str, JSONValue]]) -> None:
    """A line id twice would have the ledger refuse a later part after the earlier ones are
    recorded: say so before anything is submitted. (Lines are numbered as in a CSV file; a
    «Клиент банка» file's ids are positions, never repeated.)"""
    first: dict[JSONValue, int] = {}
    for number, line in enumerate(lines, start=2):
        earlier = first.setdefault(line["line_id"], number)
        if earlier != number:
            repeated = f"line {number}: line_id {line['line_id']!r} is also on line {earlier}"
            raise StatementFileError(repeated)
