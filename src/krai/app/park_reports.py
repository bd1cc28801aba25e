"""Park reports from spreadsheets: a filled template of ``park_templates`` read into the
unsigned ``parks.report_actuals`` / ``parks.state_park_facts`` transactions it records, for
every edge that takes one (docs/modules/parks.md, "Reports from spreadsheets"; ADR 0034).

The reader is a pure function of the file's bytes: it refuses the whole file with every
``sheet!cell: reason`` it finds, or answers the transactions with nonces derived from what
they say, so whoever signs them (the CLI with a local key, an API client) signs the same.
openpyxl is slow to load: edges import this module only where a report is read.
"""

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from krai.app.park_templates import (
    AS_OF_CELL,
    BOUND_WORDS,
    FACTS_SHEET,
    FACTS_SOURCE_CELL,
    FIRST_FACT_ROW,
    FORMAT,
    INVESTMENT_CELL,
    JOBS_CELL,
    MAX_JOBS,
    META_SHEET,
    SOURCE_CELL,
    SOURCE_CHARS,
    TEMPLATE_VERSION,
    UNKNOWN_WORD,
    ReportKind,
    checked_quarter,
)
from krai.app.statements import Signer
from krai.crypto.canonical import canonical_bytes
from krai.crypto.hashing import sha256_hex
from krai.modules.identity.identifiers import is_valid_organisation_id
from krai.modules.parks.messages import ReportActuals, StateParkFacts
from krai.modules.parks.model import AMOUNT_LIMIT, CURRENCY_MINOR_UNITS, PARK_FACTS, TEXT_FACTS
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError
from krai.tx.nonces import derived_nonce

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A filled template is tens of kilobytes; a larger file is refused unread."""
MAX_UNZIPPED_BYTES = 4 * 1024 * 1024
MAX_PART_BYTES = 512 * 1024
MAX_PARTS = 1000
"""What the file's parts may unpack to, each and together, and how many there may be, by
the zip directory, before any is parsed: a zip bomb or a sheet of a million rows is refused
unread."""
MAX_ROWS, MAX_COLUMNS, MAX_SHEETS = 500, 20, 201
"""A sheet of a template never has more rows or columns; a workbook never more sheets."""
TEXT_CHARS = 2000
RESIDENT_NONCE, FACTS_NONCE = "park-actuals", "park-facts"
DIGEST_CHARS = 16


class ReportFileError(ValueError):
    """A report file refused as a whole, with every ``sheet!cell: reason`` found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class CellError(ValueError):
    """One cell's value refused; the reader adds where it is."""


@dataclass(frozen=True)
class ReportTransaction:
    """One transaction a filled template records, unsigned: the sheet it comes from, who
    must sign it (a resident's INN; ``None``: the park's operator or an attestor), type,
    version, nonce and body."""

    sheet: str
    signer: str | None
    type: str
    version: int
    nonce: str
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """As the API answers it."""
        return {
            "sheet": self.sheet,
            "signer": self.signer,
            "type": self.type,
            "version": self.version,
            "nonce": self.nonce,
            "body": self.body,
        }


@dataclass(frozen=True)
class ParkReport:
    """A filled template read: its kind, park, quarter (actuals) and transactions."""

    kind: ReportKind
    park_id: str
    quarter: str | None
    transactions: list[ReportTransaction]


class _Errors:
    """The errors found so far, each ``sheet!cell: reason``."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def cell(self, sheet: Worksheet, where: str, read: Callable[[Any], Any]) -> Any:
        """``read`` the cell's value, or note why it cannot be read (and answer None)."""
        cell = sheet[where]
        try:
            if cell.data_type == "f":
                raise CellError("a formula; type the value itself")
            if cell.value is not None and not isinstance(cell.value, str | int | float | date):
                raise CellError(f"a {type(cell.value).__name__}, not a value krai reads")
            return read(cell.value)
        except CellError as error:
            self.add(sheet.title, where, str(error))
            return None

    def add(self, sheet: str, where: str, reason: str) -> None:
        """Note an error."""
        self.found.append(f"{sheet}!{where}: {reason}")


def read_report(data: bytes) -> ParkReport:
    """The transactions a filled template records; raises ``ReportFileError`` listing every
    ``sheet!cell: reason`` when any cell is wrong (nothing then is to be signed)."""
    book = _opened(data)
    errors = _Errors()
    meta = _meta(book, errors)
    if meta is None:
        raise ReportFileError(errors.found)
    kind, park_id, quarter, residents = meta
    for sheet in _read_sheets(book, kind, residents):
        _refuse_merged(sheet, errors)
    if errors.found:
        raise ReportFileError(errors.found)
    if kind == "facts":
        transactions = _facts(book[FACTS_SHEET], park_id, errors)
    else:
        transactions = [
            t
            for title, inn in residents
            if (t := _actuals(book[title], inn, park_id, quarter, errors)) is not None
        ]
        if not transactions and not errors.found:
            errors.add(
                residents[0][0] if residents else META_SHEET,
                INVESTMENT_CELL,
                "no sheet is filled: nothing to report",
            )
    if errors.found:
        raise ReportFileError(errors.found)
    return ParkReport(kind, park_id, quarter or None, transactions)


def _opened(data: bytes) -> Workbook:
    """The workbook, once its size, its parts' count and their unpacked sizes (by the zip
    directory, before anything is unpacked) are within bounds."""
    if len(data) > MAX_FILE_BYTES:
        raise ReportFileError([f"the file has {len(data)} bytes, more than {MAX_FILE_BYTES}"])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise ReportFileError([f"not an XLSX workbook: {error}"]) from None
    _refuse_oversized_parts(parts)
    try:
        return load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise ReportFileError([f"not an XLSX workbook openpyxl can read: {error}"]) from None


def _refuse_oversized_parts(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise ReportFileError([f"the workbook has {len(parts)} parts, more than {MAX_PARTS}"])
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            raise ReportFileError(
                [
                    f"{part.filename} unpacks to {part.file_size} bytes, more than a sheet of "
                    f"{MAX_ROWS} rows ({MAX_PART_BYTES})"
                ]
            )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise ReportFileError(
            [f"the workbook unpacks to {unpacked} bytes, more than {MAX_UNZIPPED_BYTES}"]
        )


def _meta(
    book: Workbook, errors: _Errors
) -> tuple[ReportKind, str, str, list[tuple[str, str]]] | None:
    """Kind, park, quarter and each resident sheet with its INN, from the ``krai`` sheet."""
    if META_SHEET not in book.sheetnames:
        errors.add(META_SHEET, "A1", "the workbook has no krai sheet: it is not a krai template")
        return None
    if len(book.sheetnames) > MAX_SHEETS:
        errors.add(META_SHEET, "A1", f"more than {MAX_SHEETS} sheets")
        return None
    sheet = book[META_SHEET]
    if not _within_bounds(sheet, errors):
        return None
    fmt = errors.cell(sheet, "B2", _text)
    version = errors.cell(sheet, "B3", _whole)
    if fmt != FORMAT or version != TEMPLATE_VERSION:
        errors.add(META_SHEET, "B2", f"not a {FORMAT} template of version {TEMPLATE_VERSION}")
        return None
    kind = errors.cell(sheet, "B4", _one_of("actuals", "facts"))
    park_id = errors.cell(sheet, "B5", _slug)
    quarter = errors.cell(sheet, "B6", _quarter) if kind == "actuals" else ""
    residents = list(_resident_rows(book, sheet, errors)) if kind == "actuals" else []
    if kind == "facts" and FACTS_SHEET not in book.sheetnames:
        errors.add(FACTS_SHEET, "A1", "the facts sheet is missing")
    if errors.found:
        return None
    return kind, park_id, quarter, residents


def _resident_rows(book: Workbook, sheet: Worksheet, errors: _Errors) -> Iterator[tuple[str, str]]:
    """Each resident sheet's title and resident, once each, from row 9 of the krai sheet."""
    first_row: dict[str, int] = {}
    for row in range(9, sheet.max_row + 1):
        title = errors.cell(sheet, f"A{row}", _optional_text)
        if title is None:
            continue
        inn = errors.cell(sheet, f"B{row}", _required(_organisation))
        if title not in book.sheetnames or title == META_SHEET:
            errors.add(META_SHEET, f"A{row}", f"no resident sheet {title!r} in the workbook")
        elif inn is not None and first_row.setdefault(inn, row) != row:
            errors.add(META_SHEET, f"B{row}", f"{inn} has a sheet already (row {first_row[inn]})")
        elif inn is not None:
            yield title, inn


def _read_sheets(
    book: Workbook, kind: ReportKind, residents: list[tuple[str, str]]
) -> list[Worksheet]:
    titles = [FACTS_SHEET] if kind == "facts" else [title for title, _ in residents]
    return [book[title] for title in titles]


def _within_bounds(sheet: Worksheet, errors: _Errors) -> bool:
    if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
        errors.add(
            sheet.title,
            "A1",
            f"{sheet.max_row} rows × {sheet.max_column} columns, more than a template has "
            f"({MAX_ROWS} × {MAX_COLUMNS})",
        )
        return False
    return True


def _refuse_merged(sheet: Worksheet, errors: _Errors) -> None:
    if not _within_bounds(sheet, errors):
        return
    for merged in sheet.merged_cells.ranges:
        errors.add(sheet.title, str(merged), "merged cells; the template has none")


def _actuals(
    sheet: Worksheet, inn: str, park_id: str, quarter: str, errors: _Errors
) -> ReportTransaction | None:
    """The resident's report, or None when its sheet is left blank (it reports nothing)."""
    cells = (INVESTMENT_CELL, JOBS_CELL, SOURCE_CELL)
    if all(sheet[where].value in (None, "") for where in cells):
        return None
    before = len(errors.found)
    investment = errors.cell(sheet, INVESTMENT_CELL, _required(_money(2)))
    jobs = errors.cell(sheet, JOBS_CELL, _required(_bounded_whole(MAX_JOBS)))
    source = errors.cell(sheet, SOURCE_CELL, _required(_source))
    if len(errors.found) > before:
        return None
    body = {
        "park_id": park_id,
        "quarter": quarter,
        "investment_kopecks": investment,
        "jobs": jobs,
        "source": source,
    }
    nonce = derived_nonce(RESIDENT_NONCE, park_id, quarter, _digest(body))
    return ReportTransaction(
        sheet.title, inn, ReportActuals.TYPE, ReportActuals.VERSION, nonce, body
    )


def _facts(sheet: Worksheet, park_id: str, errors: _Errors) -> list[ReportTransaction]:
    facts = [
        fact
        for row, name in enumerate(PARK_FACTS, start=FIRST_FACT_ROW)
        if (fact := _fact(sheet, row, name, errors)) is not None
    ]
    as_of = errors.cell(sheet, AS_OF_CELL, _required(_date))
    source = errors.cell(sheet, FACTS_SOURCE_CELL, _required(_source))
    if not facts and not errors.found:
        errors.add(sheet.title, f"E{FIRST_FACT_ROW}", "no fact is filled: nothing to state")
    if errors.found:
        return []
    body = {"park_id": park_id, "as_of": as_of, "source": source, "facts": facts}
    nonce = derived_nonce(FACTS_NONCE, park_id, as_of, _digest(body))
    return [
        ReportTransaction(
            sheet.title, None, StateParkFacts.TYPE, StateParkFacts.VERSION, nonce, body
        )
    ]


def _fact(sheet: Worksheet, row: int, name: str, errors: _Errors) -> dict[str, Any] | None:
    """The fact of a row, or None when its row is left blank (or wrong: then noted)."""
    code = errors.cell(sheet, f"B{row}", _optional_text)
    if code != name:
        errors.add(sheet.title, f"B{row}", f"the template has {name} in this row, not {code!r}")
        return None
    if all(sheet[f"{column}{row}"].value in (None, "") for column in "EFG"):
        return None
    bound = errors.cell(sheet, f"F{row}", _bound)
    currency = errors.cell(sheet, f"G{row}", _currency(name))
    if bound == "unknown":
        return _unknown_fact(sheet, row, name, errors)
    value = errors.cell(sheet, f"E{row}", _required(_fact_reader(name, currency)))
    if value is None:
        return None
    if name in TEXT_FACTS and bound not in (None, "exact"):
        errors.add(sheet.title, f"F{row}", "a text fact takes no bound")
        return None
    return _fact_body(name, value, bound, currency)


def _unknown_fact(sheet: Worksheet, row: int, name: str, errors: _Errors) -> dict[str, Any] | None:
    if sheet[f"E{row}"].value not in (None, ""):
        errors.add(sheet.title, f"E{row}", f"«{UNKNOWN_WORD}» takes no value; clear E or F")
        return None
    return {"name": name, "unknown": True}


def _fact_body(name: str, value: Any, bound: str | None, currency: str | None) -> dict[str, Any]:
    if name in TEXT_FACTS:
        return {"name": name, "text": value}
    fact: dict[str, Any] = {"name": name, "amount": value}
    if bound not in (None, "exact"):
        fact["bound"] = bound
    if currency not in (None, "RUB"):
        fact["currency"] = currency
    return fact


def signed_report(origin: str, key: Signer, report: ParkReport) -> list[Transaction]:
    """The report's transactions signed with ``key``; a resident's actuals only by the
    resident itself (``parks.report_actuals``), so a filled sheet of another resident refuses
    the whole file (``ReportFileError``)."""
    others = [t for t in report.transactions if t.signer not in (None, key.signer)]
    if others:
        raise ReportFileError(
            [
                f"{t.sheet}!B4: the report of {t.signer}, which only {t.signer} signs "
                f"(the key is {key.signer}'s); leave its sheet blank"
                for t in others
            ]
        )
    return [
        sign(
            Transaction(origin, t.type, t.version, key.signer, key.key_id, t.nonce, t.body),
            key.private_key,
        )
        for t in report.transactions
    ]


def _digest(body: dict[str, Any]) -> str:
    return sha256_hex(canonical_bytes(body))[:DIGEST_CHARS]


# -- Cell readers: a value (never None but for blank optional cells) or CellError --------


def _required(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise CellError("empty; fill it in")
        return read(value)

    return checked


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise CellError(f"{value!r} is not text")
    return value.strip()


def _source(value: Any) -> str:
    text = str(value).strip() if isinstance(value, int | str) else _text(value)
    if not 1 <= len(text) <= SOURCE_CHARS:
        raise CellError(f"the source has {len(text)} characters; 1 to {SOURCE_CHARS}")
    return text


def _long_text(value: Any) -> str:
    text = _text(value)
    if not 1 <= len(text) <= TEXT_CHARS:
        raise CellError(f"the text has {len(text)} characters; 1 to {TEXT_CHARS}")
    return text


def _slug(value: Any) -> str:
    text = _text(value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", text):
        raise CellError(f"{text!r} is not a park id")
    return text


def _quarter(value: Any) -> str:
    try:
        return checked_quarter(_text(value))
    except RejectedError as error:
        raise CellError(error.message) from None


def _organisation(value: Any) -> str:
    text = str(value).strip()
    if not is_valid_organisation_id(text):
        raise CellError(f"{text!r} is not a valid INN (check digits) nor a foreign id")
    return text


def _one_of(*choices: str) -> Callable[[Any], str]:
    def checked(value: Any) -> str:
        if value not in choices:
            raise CellError(f"{value!r} is not one of {', '.join(choices)}")
        return str(value)

    return checked


def _whole(value: Any) -> int:
    """A whole number: an integer cell, an integral number, or digits as text."""
    if isinstance(value, bool | datetime | date):
        raise CellError(f"{value!r} is not a whole number")
    number = _decimal(value)
    if number != number.to_integral_value():
        raise CellError(f"{value!r} is not a whole number")
    if number < 0:
        raise CellError(f"{value!r} is negative")
    return int(number)


def _bounded_whole(limit: int) -> Callable[[Any], int]:
    def checked(value: Any) -> int:
        number = _whole(value)
        if number > limit:
            raise CellError(f"{number} is more than {limit}")
        return number

    return checked


def _money(digits: int) -> Callable[[Any], int]:
    """An amount with at most ``digits`` decimals (roubles with kopecks: 2) → minor units."""

    def checked(value: Any) -> int:
        if isinstance(value, bool | datetime | date):
            raise CellError(f"{value!r} is not an amount")
        number = _decimal(value)
        minor = number.scaleb(digits)
        if minor != minor.to_integral_value():
            raise CellError(f"{value!r} has more than {digits} decimal places")
        if minor < 0:
            raise CellError(f"{value!r} is negative")
        if minor > AMOUNT_LIMIT:
            raise CellError(f"{value} is more than the ledger's largest amount")
        return int(minor)

    return checked


def _decimal(value: Any) -> Decimal:
    """The number a cell holds, exactly as the file writes it: an XLSX number cell is read
    by its shortest decimal form (``repr``), text may use a comma and spaces."""
    if isinstance(value, int):
        return Decimal(value)
    text = repr(value) if isinstance(value, float) else str(value)
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?", text, re.IGNORECASE):
        raise CellError(f"{value!r} is not a number")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CellError(f"{value!r} is not a number") from None


def _date(value: Any) -> str:
    """A date cell, or text ``ДД.ММ.ГГГГ`` or ``ГГГГ-ММ-ДД``: a real calendar day."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(f"{value} has a time of day; a date is asked")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    russian = re.fullmatch(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})", text)
    iso = f"{russian[3]}-{russian[2]}-{russian[1]}" if russian else text
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", iso):
        raise CellError(f"{text!r} is not a date (ДД.ММ.ГГГГ)")
    try:
        return date.fromisoformat(iso).isoformat()
    except ValueError:
        raise CellError(f"{text!r} is not a calendar date") from None


def _bound(value: Any) -> str | None:
    if value is None:
        return None
    text = _text(value).lower()
    if text == UNKNOWN_WORD:
        return "unknown"
    if text not in BOUND_WORDS:
        raise CellError(f"{text!r} is not one of {', '.join([*BOUND_WORDS, UNKNOWN_WORD])}")
    return BOUND_WORDS[text]


def _currency(name: str) -> Callable[[Any], str | None]:
    def checked(value: Any) -> str | None:
        if value is None:
            return None
        code = _text(value).upper()
        if not name.endswith("_kopecks"):
            raise CellError(f"{name} is not money; it takes no currency")
        if code not in CURRENCY_MINOR_UNITS:
            raise CellError(f"{code!r} is not a currency the registry knows")
        return code

    return checked


def _fact_reader(name: str, currency: str | None) -> Callable[[Any], Any]:
    if name in TEXT_FACTS:
        return _long_text
    if name.endswith("_kopecks"):
        return _money(CURRENCY_MINOR_UNITS[currency or "RUB"])
    if name.endswith("_basis_points"):
        return _money(2)  # a percentage with two decimals is a count of basis points
    return _bounded_whole(AMOUNT_LIMIT)
