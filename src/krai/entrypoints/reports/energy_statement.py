"""A participant's energy statement as a table to download: CSV (UTF-8, a header row) and
XLSX (with number formats), built from ``energy.queries.statement`` — one row per period
with its local clock time, the day's totals and the balances.

Amounts are roubles with two decimals (a period's amounts rounded to kopecks; the totals
are the invoice's, rounded once over the day, and a «rounding» row holds any difference).
Titles come from the reader's ``Words`` (``statement.col.<name>``), with ``{zone}`` in the
time columns' titles filled with the market's zone. The dashboard's download and ``krai energy
statement --format csv|xlsx`` write the same file.
"""

import csv
import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from krai.entrypoints.words.i18n import Words, rouble_value

KWH_COLUMNS = ("bought_kwh", "sold_kwh", "consumption_kwh", "generation_kwh", "imbalance_kwh")
MONEY_COLUMNS = ("price", "energy", "grid_fee", "imbalance", "total")
COLUMNS = ("from", "to", *KWH_COLUMNS, *MONEY_COLUMNS)
BALANCE_ROWS = ("invoiced", "paid", "written_off", "outstanding")
TITLED = (*COLUMNS, "total_row", "rounding", *BALANCE_ROWS)

Cell = str | int | Decimal | None


def statement_rows(document: Mapping[str, Any], words: Words) -> list[list[Cell]]:
    """The table: a header row, one row per period, the day's totals, the rounding when
    it is not zero, and the balances of a day settled as balances."""
    zone = document["zone"]
    headings = {name: words(f"statement.col.{name}", zone=zone) for name in TITLED}
    rows: list[list[Cell]] = [[headings[name] for name in COLUMNS]]
    rows += [_hour_row(hour) for hour in document["hours"]]
    totals = document["day_totals"]
    rows.append(_total_row(headings["total_row"], totals))
    if totals["rounding_kopecks"]:
        rows.append(_last_column(headings["rounding"], rouble_value(totals["rounding_kopecks"])))
    if "outstanding_kopecks" in document:
        for name in BALANCE_ROWS:
            rows.append(_last_column(headings[name], rouble_value(document[f"{name}_kopecks"])))
    return rows


def _hour_row(hour: Mapping[str, Any]) -> list[Cell]:
    amounts = [hour[f"{name}_kopecks"] for name in ("energy", "grid_fee", "imbalance")]
    return [
        hour["from"],
        hour["to"],
        *(hour[name] for name in KWH_COLUMNS),
        rouble_value(hour["price_kopecks_per_mwh"]),
        *(rouble_value(amount) for amount in amounts),
        rouble_value(sum(amounts)),
    ]


def _total_row(title: str, totals: Mapping[str, int]) -> list[Cell]:
    amounts = [totals[f"{name}_kopecks"] for name in ("energy", "grid_fee", "imbalance")]
    return [
        title,
        None,
        *(totals[name] for name in KWH_COLUMNS),
        None,
        *(rouble_value(amount) for amount in amounts),
        rouble_value(totals["total_kopecks"]),
    ]


def _last_column(title: str, amount: Decimal) -> list[Cell]:
    return [title, *([None] * (len(COLUMNS) - 2)), amount]


def statement_csv(document: Mapping[str, Any], words: Words) -> bytes:
    """The table as CSV in UTF-8 (with a byte order mark, so spreadsheets read it as such)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in statement_rows(document, words):
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return text.getvalue().encode("utf-8-sig")


def statement_xlsx(document: Mapping[str, Any], words: Words) -> bytes:
    """The table as an XLSX workbook: kWh as whole numbers, roubles with two decimals."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(document["participant"])
    for row in statement_rows(document, words):
        sheet.append([float(cell) if isinstance(cell, Decimal) else cell for cell in row])
    for column, name in enumerate(COLUMNS, start=1):
        number_format = "#,##0.00" if name in MONEY_COLUMNS else "#,##0"
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
        title = str(sheet.cell(row=1, column=column).value)
        sheet.column_dimensions[get_column_letter(column)].width = max(12, len(title) + 2)
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
