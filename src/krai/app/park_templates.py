"""The XLSX templates krai writes for a park: a sheet per resident to report a quarter's
actuals, or a sheet of the park's facts, each locked but for the cells to fill, with a hidden
``krai`` sheet saying what the file is (docs/modules/parks.md, "Reports from spreadsheets";
ADR 0034). ``park_reports`` reads them back. openpyxl is slow to load: edges import this
module only in the commands that write a template.
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from krai.app import park_registry
from krai.app.ports import Storage
from krai.app.today import ledger_today
from krai.modules.parks import queries
from krai.modules.parks.model import (
    ALLOCATING_STATUSES,
    AMOUNT_LIMIT,
    CURRENCY_MINOR_UNITS,
    PARK_FACTS,
    QUARTER_PATTERN,
    quarter_end,
    quarter_start,
)
from krai.tx.errors import invalid_body, not_found

FORMAT = "krai.parks.report"
TEMPLATE_VERSION = 1
"""The template's layout, version 1: a reader of version 1 finds every cell here."""
MAX_JOBS = 10_000_000
SOURCE_CHARS = 300
META_SHEET = "krai"

INVESTMENT_CELL, JOBS_CELL, SOURCE_CELL = "B9", "B10", "B11"
"""The cells a resident fills on its sheet."""
AS_OF_CELL, FACTS_SOURCE_CELL = "B4", "B5"
FACTS_SHEET, FIRST_FACT_ROW = "Факты", 8
"""On the facts sheet: the date and the source, then a row per fact from ``FIRST_FACT_ROW``
with its code in B and the cells to fill in E (value), F (bound) and G (currency)."""

BOUND_WORDS = {
    "точно": "exact",
    "около": "about",
    "более": "over",
    "не менее": "at_least",
    "до": "up_to",
    "менее": "under",
}
UNKNOWN_WORD = "нет данных"
FACT_LABELS = {
    "distance_to_city_m": ("Расстояние до ближайшего города", "м"),
    "distance_to_regional_centre_m": ("Расстояние до регионального центра", "м"),
    "distance_to_moscow_m": ("Расстояние до Москвы", "м"),
    "distance_to_federal_road_m": ("Расстояние до федеральной трассы", "м"),
    "distance_to_rail_terminal_m": ("Расстояние до ж/д терминала", "м"),
    "distance_to_airport_m": ("Расстояние до аэропорта", "м"),
    "profit_tax_rate_basis_points": ("Ставка налога на прибыль", "%, два знака"),
    "property_tax_rate_basis_points": ("Ставка налога на имущество", "%, два знака"),
    "land_tax_rate_basis_points": ("Ставка земельного налога", "%, два знака"),
    "free_production_space_m2": ("Свободные производственные площади", "м²"),
    "public_investment_kopecks": ("Государственные инвестиции", "руб. с коп. или валюта G"),
    "private_investment_kopecks": ("Частные инвестиции", "руб. с коп. или валюта G"),
    "jobs_created": ("Создано рабочих мест", "чел."),
    "residents_count": ("Резидентов", "шт."),
    "it_centres_count": ("ИТ-центров", "шт."),
    "companies_count": ("Компаний", "шт."),
    "jobs_count": ("Рабочих мест", "чел."),
    "tax_regime": ("Налоговый режим", "текст"),
    "specialisation": ("Специализация", "текст"),
    "website": ("Сайт", "текст"),
    "mining_regime": ("Режим майнинга", "текст"),
}
"""Each fact's Russian label and the unit its value is typed in (``PARK_FACTS``' order)."""
ASSESSMENTS = {
    "met": "выполнено",
    "missed": "не выполнено",
    "awaiting_report": "ждёт отчёта",
    "pending": "впереди",
}
RESIDENT_STATUSES = {
    "agreement": "соглашение заключено",
    "registered": "в реестре резидентов",
    "in_production": "ведёт производство",
    "breach": "нарушил обязательства",
}
FILL = "FFF2CC"
ReportKind = Literal["actuals", "facts"]
InputKind = Literal["whole", "decimal", "date", "textLength"]


@dataclass(frozen=True)
class ResidentSheet:
    """One resident's sheet: who, its commitments against actuals, what it has reported."""

    inn: str
    name: str
    status: str
    commitments: list[dict[str, Any]]
    reported: list[tuple[str, int, int, str]]
    """(quarter, investment in kopecks, jobs at its end, source), oldest first."""


@dataclass(frozen=True)
class ActualsTemplate:
    """The quarter's report template of a park's residents."""

    park_id: str
    park_name: str
    quarter: str
    residents: list[ResidentSheet]


@dataclass(frozen=True)
class FactsTemplate:
    """The park facts template: each fact's current value in words, if stated."""

    park_id: str
    park_name: str
    current: dict[str, str] = field(default_factory=dict)


def checked_quarter(text: str) -> str:
    """``2026-Q2`` (also written ``2026Q2``); raises ``invalid_body`` otherwise."""
    quarter = re.sub(r"^([0-9]{4})[Qq]([1-4])$", r"\1-Q\2", text.strip())
    if not re.fullmatch(QUARTER_PATTERN, quarter):
        raise invalid_body(f"quarter {text!r} is not YYYY-Qn, e.g. 2026-Q2")
    return quarter


def actuals_template(
    storage: Storage, park_id: str, quarter: str, resident: str | None = None
) -> ActualsTemplate:
    """What the quarter's template shows for the park's residents that report — those with
    an agreement, registered, in production or in breach — or only ``resident``; raises
    ``not_found`` for an unknown park or resident."""
    park = queries.park(storage, park_id)
    if park is None:
        raise not_found(f"park {park_id} is not registered")
    quarter = checked_quarter(quarter)
    found = [r for r in queries.residents(storage, park_id) if r.status in ALLOCATING_STATUSES]
    if resident is not None:
        found = [r for r in found if r.inn == resident]
        if not found:
            raise not_found(f"{resident} is no resident of park {park_id} that reports actuals")
    if not found:
        raise not_found(f"park {park_id} has no resident that reports actuals")
    names = park_registry.organisation_names(storage, {r.inn for r in found})
    today = ledger_today(storage)
    return ActualsTemplate(
        park_id,
        str(park["name_ru"]),
        quarter,
        [
            ResidentSheet(
                r.inn,
                names.get(r.inn, ""),
                r.status,
                queries.commitments(storage, park_id, r.inn, today),
                [(q, a.investment_kopecks, a.jobs, a.source) for q, a in sorted(r.actuals.items())],
            )
            for r in found
        ],
    )


def facts_template(storage: Storage, park_id: str) -> FactsTemplate:
    """What the facts template shows: each stated fact's current value, date and source."""
    park = queries.park(storage, park_id)
    if park is None:
        raise not_found(f"park {park_id} is not registered")
    current = {
        f["name"]: f"{_stated(f)} на {_russian_date(f['as_of'])} ({f['source']})"
        for f in queries.park_facts(storage, park_id, ledger_today(storage))
    }
    return FactsTemplate(park_id, str(park["name_ru"]), current)


def write_actuals(template: ActualsTemplate) -> bytes:
    """The workbook: a sheet per resident, locked but for the cells to fill, and the hidden
    ``krai`` sheet naming the park, the quarter and each sheet's resident."""

    book = Workbook()
    sheets = [(_sheet_title(r.inn), r.inn) for r in template.residents]
    for resident, (title, _) in zip(template.residents, sheets, strict=True):
        _resident_sheet(book.create_sheet(title), template, resident)
    _meta_sheet(book, "actuals", template.park_id, template.quarter, sheets)
    return _saved(book)


def write_facts(template: FactsTemplate) -> bytes:
    """The workbook: the facts sheet, a row per fact, and the hidden ``krai`` sheet."""

    book = Workbook()
    _facts_sheet(book.create_sheet(FACTS_SHEET), template)
    _meta_sheet(book, "facts", template.park_id, "", [])
    return _saved(book)


def _saved(book: Workbook) -> bytes:
    book.remove(book.worksheets[0])  # the default empty sheet
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(inn: str) -> str:
    """A sheet title may not hold ``:``; a foreign id's scheme is set off by a space."""
    return inn.replace(":", " ")[:31]


def _resident_sheet(sheet: Worksheet, template: ActualsTemplate, resident: ResidentSheet) -> None:
    quarter = template.quarter
    period = f"{_russian_date(quarter_start(quarter))}–{_russian_date(quarter_end(quarter))}"
    _title(sheet, f"Отчёт резидента о фактических показателях за {_quarter_words(quarter)}")
    _labelled(
        sheet,
        3,
        [
            ("Парк", f"{template.park_name} ({template.park_id})"),
            ("Резидент (ИНН)", resident.inn),
            ("Наименование", resident.name or "—"),
            ("Квартал", f"{quarter} ({period})"),
            ("Статус резидента", RESIDENT_STATUSES.get(resident.status, resident.status)),
        ],
    )
    _heading(sheet, 8, "Заполните жёлтые ячейки за квартал")
    _labelled(
        sheet,
        9,
        [
            ("Инвестиции за квартал, руб. с копейками (1234567,89)", None),
            ("Рабочие места на конец квартала, чел.", None),
            ("Источник: документ, на котором основаны цифры", None),
        ],
    )
    _input(sheet, INVESTMENT_CELL, "decimal", "0", str(Decimal(AMOUNT_LIMIT).scaleb(-2)))
    sheet[INVESTMENT_CELL].number_format = "#,##0.00"
    _input(sheet, JOBS_CELL, "whole", "0", str(MAX_JOBS))
    _input(sheet, SOURCE_CELL, "textLength", "1", str(SOURCE_CHARS))
    row = _table(
        sheet,
        13,
        "Обязательства по соглашению (нарастающим итогом) и исполнение",
        [
            "Срок",
            "Инвестиции, руб.",
            "Рабочие места",
            "Инвестиции факт, руб.",
            "Рабочие места факт",
            "Оценка",
        ],
        [
            [
                _russian_date(c["due"]),
                _roubles(c["committed_investment_kopecks"]),
                c["committed_jobs"],
                _roubles(c["actual_investment_kopecks"]),
                c["actual_jobs"],
                ASSESSMENTS.get(c["status"], c["status"]),
            ]
            for c in resident.commitments
        ],
    )
    _table(
        sheet,
        row + 1,
        "Отчёты за прошлые кварталы",
        ["Квартал", "Инвестиции за квартал, руб.", "Рабочие места на конец", "Источник"],
        [[q, _roubles(i), j, s] for q, i, j, s in resident.reported] or [["—"]],
    )
    _widths(sheet, [52, 34, 16, 22, 20, 16])
    _lock(sheet)


def _facts_sheet(sheet: Worksheet, template: FactsTemplate) -> None:

    _title(sheet, "Сведения о парке")
    _labelled(
        sheet,
        3,
        [
            ("Парк", f"{template.park_name} ({template.park_id})"),
            ("По состоянию на (дата, ДД.ММ.ГГГГ)", None),
            ("Источник: документ, из которого взяты сведения", None),
        ],
    )
    _input(sheet, AS_OF_CELL, "date", "36526", "73050")  # 2000-01-01 … 2099-12-31
    sheet[AS_OF_CELL].number_format = "DD.MM.YYYY"
    _input(sheet, FACTS_SOURCE_CELL, "textLength", "1", str(SOURCE_CHARS))
    headers = [
        "Показатель",
        "Код",
        "Единица",
        "Сейчас в реестре",
        "Новое значение",
        "Оговорка",
        "Валюта",
    ]
    _table(
        sheet,
        FIRST_FACT_ROW - 1,
        None,
        headers,
        [
            [FACT_LABELS[name][0], name, FACT_LABELS[name][1], template.current.get(name, "—")]
            for name in PARK_FACTS
        ],
    )
    bounds = DataValidation(
        type="list", formula1='"' + ",".join([*BOUND_WORDS, UNKNOWN_WORD]) + '"'
    )
    currencies = DataValidation(
        type="list", formula1='"' + ",".join(sorted(CURRENCY_MINOR_UNITS)) + '"'
    )
    sheet.add_data_validation(bounds)
    sheet.add_data_validation(currencies)
    for row, name in enumerate(PARK_FACTS, start=FIRST_FACT_ROW):
        _unlocked(sheet[f"E{row}"])
        _unlocked(sheet[f"F{row}"])
        bounds.add(f"F{row}")
        if name.endswith("_kopecks"):
            _unlocked(sheet[f"G{row}"])
            currencies.add(f"G{row}")
    _widths(sheet, [40, 32, 18, 48, 24, 14, 10])
    _lock(sheet)


def _meta_sheet(
    book: Workbook,
    kind: ReportKind,
    park_id: str,
    quarter: str,
    sheets: list[tuple[str, str]],
) -> None:
    """The hidden sheet the reader starts from: A1 says what it is, B2:B6 the format, the
    template's version, the kind, the park and the quarter, then a row per resident sheet."""
    sheet = book.create_sheet(META_SHEET)
    sheet["A1"] = "Служебный лист krai: по нему импорт узнаёт, что он читает. Не изменяйте."
    for row, (key, value) in enumerate(
        [
            ("format", FORMAT),
            ("version", TEMPLATE_VERSION),
            ("kind", kind),
            ("park_id", park_id),
            ("quarter", quarter),
        ],
        start=2,
    ):
        sheet[f"A{row}"], sheet[f"B{row}"] = key, value
    sheet["A8"], sheet["B8"] = "sheet", "resident"
    for row, (title, inn) in enumerate(sheets, start=9):
        sheet[f"A{row}"], sheet[f"B{row}"] = title, inn
    sheet.sheet_state = "hidden"
    _lock(sheet)


def _title(sheet: Worksheet, text: str) -> None:

    sheet["A1"] = text
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = "Заполняются только жёлтые ячейки; остальные защищены. Формулы не принимаются."


def _heading(sheet: Worksheet, row: int, text: str) -> None:

    sheet[f"A{row}"] = text
    sheet[f"A{row}"].font = Font(bold=True)


def _labelled(sheet: Worksheet, first: int, pairs: list[tuple[str, Any]]) -> None:
    for row, (label, value) in enumerate(pairs, start=first):
        sheet[f"A{row}"] = label
        if value is not None:
            sheet[f"B{row}"] = value


def _table(
    sheet: Worksheet, first: int, heading: str | None, headers: list[str], rows: list[list[Any]]
) -> int:
    """Write a table under its heading; the next free row."""

    if heading is not None:
        _heading(sheet, first, heading)
        first += 1
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(first, column, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(first + offset, column, value)
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
    return first + len(rows) + 1


def _input(sheet: Worksheet, where: str, kind: InputKind, low: str, high: str) -> None:
    """A cell to fill: unlocked, yellow, and checked by the spreadsheet as it is typed."""

    rule = DataValidation(
        type=kind,
        operator="between",
        formula1=low,
        formula2=high,
        showErrorMessage=True,
        errorTitle="krai",
        error=f"Допустимо от {low} до {high}" if kind != "date" else "Введите дату",
    )
    sheet.add_data_validation(rule)
    rule.add(where)
    _unlocked(sheet[where])


def _unlocked(cell: Cell) -> None:

    cell.protection = Protection(locked=False)
    cell.fill = PatternFill("solid", start_color=FILL, end_color=FILL)


def _lock(sheet: Worksheet) -> None:
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widths may still be changed to read


def _widths(sheet: Worksheet, widths: list[int]) -> None:

    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _roubles(kopecks: int) -> Decimal:
    return Decimal(kopecks).scaleb(-2)


def _russian_date(day: str) -> str:
    return f"{day[8:10]}.{day[5:7]}.{day[:4]}"


def _quarter_words(quarter: str) -> str:
    return f"{quarter[-1]} квартал {quarter[:4]} г."


def _stated(fact: dict[str, Any]) -> str:
    """The fact's current value as it would be typed in its row (money in major units, rates
    in per cent), with its bound's word."""
    value = fact["value"]
    if value is None:
        return UNKNOWN_WORD
    words = {v: k for k, v in BOUND_WORDS.items()}
    bound = fact.get("bound", "exact")
    prefix = "" if bound == "exact" else words[bound] + " "
    currency = fact.get("currency") or "RUB"
    if fact["name"].endswith("_kopecks"):
        value = f"{Decimal(value).scaleb(-CURRENCY_MINOR_UNITS[currency])} {currency}"
    elif fact["name"].endswith("_basis_points"):
        value = f"{Decimal(value).scaleb(-2)} %"
    return f"{prefix}{value}"
