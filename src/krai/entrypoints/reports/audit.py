"""The payments audit as an HTML page and an XLSX workbook, for people who read reports: each
finding as the dashboard says it (Russian, then English), its sum at stake in roubles, and the
sums by kind."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from krai.entrypoints.words.findings import describe
from krai.entrypoints.words.i18n import Words, rouble_value

_TEMPLATES = Environment(
    loader=PackageLoader("krai.entrypoints.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)
RU, EN = Words("ru"), Words("en")
ROUBLES_FORMAT = '#,##0.00\\ "₽"'
"""The XLSX number format of a money cell: roubles with two decimals and the sign."""


def render_html(report: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """The audit page: sums at stake by kind, then every finding in words with its entries."""
    page = _TEMPLATES.get_template("audit.html.j2")
    return page.render(
        ledger=report["ledger"],
        at_stake=report["at_stake"],
        findings=[_in_words(f, titles) for f in report["findings"]],
        ru=RU,
        en=EN,
    )


def write_xlsx(report: Mapping[str, Any], titles: Mapping[str, str], path: Path) -> None:
    """A workbook: a sheet of findings (one row each, money in roubles), the sums by kind, and
    a sheet on the ledger audited."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Находки"
    sheet.append(["Вид", "Что найдено", "Finding", "Сумма под риском, ₽", "Записи журнала"])
    for finding in report["findings"]:
        said = _in_words(finding, titles)
        entries = ", ".join(str(t["index"]) for t in finding["transactions"])
        row = [said["kind_ru"], said["ru"], said["en"], _roubles(finding["at_stake_kopecks"])]
        sheet.append([*row, entries])
        _money(sheet, 4)
    _write_kinds(book.create_sheet("По видам"), report["at_stake"])
    about = book.create_sheet("Журнал")
    for name, value in report["ledger"].items():
        about.append([name, str(value)])
    book.save(path)


def _write_kinds(sheet: Worksheet, at_stake: Mapping[str, Any]) -> None:
    sheet.append(["Вид", "Kind", "Находок", "Сумма под риском, ₽"])
    for kind, sums in at_stake["kinds"].items():
        row = [RU.label("finding", kind), EN.label("finding", kind), sums["count"]]
        sheet.append([*row, _roubles(sums["at_stake_kopecks"])])
        _money(sheet, 4)
    sheet.append(["Итого", "Total", None, _roubles(at_stake["total_kopecks"])])
    _money(sheet, 4)


def _money(sheet: Worksheet, column: int) -> None:
    """Give the last row's money cell the roubles format."""
    sheet.cell(row=sheet.max_row, column=column).number_format = ROUBLES_FORMAT


def _roubles(kopecks: int) -> float:
    return float(rouble_value(kopecks))


def _in_words(finding: Mapping[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    return {
        **finding,
        "kind_ru": RU.label("finding", finding["kind"]),
        "kind_en": EN.label("finding", finding["kind"]),
        "ru": describe(finding, RU, titles),
        "en": describe(finding, EN, titles),
    }
