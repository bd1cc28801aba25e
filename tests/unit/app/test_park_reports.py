"""Park report templates written and read back: what a filled template records, and every
refusal naming its sheet and cell (docs/modules/parks.md, "Reports from spreadsheets")."""

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from krai.app import park_reports, park_templates
from krai.app.park_reports import ReportFileError, read_report, signed_report
from krai.app.park_templates import (
    ActualsTemplate,
    FactsTemplate,
    ResidentSheet,
    checked_quarter,
    write_actuals,
    write_facts,
)
from krai.app.statements import Signer
from krai.crypto.keys import Ed25519PrivateKey
from krai.tx.errors import RejectedError

PARK = "krasnoyarsk-digital"
FIRST, SECOND = "7707083893", "7736207543"
FOREIGN = "LEI:5493001KJTIIGC8Y1R12"
ACTUALS = ActualsTemplate(
    PARK,
    "Индустриальный парк цифровых технологий",
    "2026-Q2",
    [
        ResidentSheet(
            FIRST,
            "ПАО «Сбербанк»",
            "registered",
            [
                {
                    "due": "2026-12-31",
                    "committed_investment_kopecks": 100_000_000_00,
                    "committed_jobs": 40,
                    "actual_investment_kopecks": 5_000_000_00,
                    "actual_jobs": 12,
                    "status": "pending",
                }
            ],
            [("2026-Q1", 5_000_000_00, 12, "Отчёт за I кв.")],
        ),
        ResidentSheet(SECOND, "", "agreement", [], []),
        ResidentSheet(FOREIGN, "Foreign Ltd", "agreement", [], []),
    ],
)
FACTS = FactsTemplate(PARK, "Парк", {"jobs_count": "около 5 на 01.01.2026 (Сайт)"})
FIRST_REPORT = {"B9": 1234567.89, "B10": 17, "B11": "Отчёт за II кв. 2026"}


def filled(
    template: bytes, cells: dict[str, Any], sheet: str = FIRST, edit: Callable[..., None] = print
) -> bytes:
    book = load_workbook(io.BytesIO(template))
    for where, value in cells.items():
        book[sheet][where] = value
    if edit is not print:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusals(data: bytes) -> list[str]:
    with pytest.raises(ReportFileError) as refused:
        read_report(data)
    return refused.value.errors


def test_the_template_has_a_locked_sheet_per_resident_and_the_hidden_krai_sheet() -> None:
    book = load_workbook(io.BytesIO(write_actuals(ACTUALS)))
    assert book.sheetnames == [FIRST, SECOND, "LEI 5493001KJTIIGC8Y1R12", "krai"]
    sheet, meta = book[FIRST], book["krai"]
    assert meta.sheet_state == "hidden"
    assert [meta[f"B{row}"].value for row in range(2, 7)] == [
        *("krai.parks.report", 1, "actuals", PARK, "2026-Q2")
    ]
    assert [meta["B11"].value, meta["A11"].value] == [FOREIGN, "LEI 5493001KJTIIGC8Y1R12"]
    assert sheet.protection.sheet
    assert [sheet[c].protection.locked for c in ("B9", "B10", "B11", "B4", "A15")] == [
        *(False, False, False, True, True)
    ]
    assert "руб. с копейками" in sheet["A9"].value
    assert sheet["B4"].value == FIRST
    assert (sheet["A15"].value, sheet["B15"].value, sheet["F15"].value) == (
        "31.12.2026",
        100_000_000,
        "впереди",
    )
    assert sheet["A19"].value == "2026-Q1"
    assert sheet["B7"].value == "в реестре резидентов"
    rules = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert rules == {"B9": ("decimal", "0"), "B10": ("whole", "0"), "B11": ("textLength", "1")}
    assert sheet.column_dimensions["A"].width > 40
    assert not sheet.merged_cells.ranges


def test_a_filled_template_round_trips_into_the_transactions_expected() -> None:
    data = filled(write_actuals(ACTUALS), FIRST_REPORT)
    data = filled(data, {"B9": "250 000,5", "B10": "3", "B11": "Отчёт"}, sheet=SECOND)
    report = read_report(data)
    assert (report.kind, report.park_id, report.quarter) == ("actuals", PARK, "2026-Q2")
    assert [(t.sheet, t.signer, t.type, t.version) for t in report.transactions] == [
        (FIRST, FIRST, "parks.report_actuals", 1),
        (SECOND, SECOND, "parks.report_actuals", 1),
    ]
    assert [t.body for t in report.transactions] == [
        {
            "park_id": PARK,
            "quarter": "2026-Q2",
            "investment_kopecks": 123456789,
            "jobs": 17,
            "source": "Отчёт за II кв. 2026",
        },
        {
            "park_id": PARK,
            "quarter": "2026-Q2",
            "investment_kopecks": 25000050,
            "jobs": 3,
            "source": "Отчёт",
        },
    ]
    nonce = report.transactions[0].nonce
    assert nonce.startswith(f"park-actuals:{PARK}:2026-Q2:")
    assert read_report(data).transactions[0].nonce == nonce  # whoever reads it signs the same
    corrected = filled(data, {"B10": 18})
    assert read_report(corrected).transactions[0].nonce != nonce  # a correction is new


def test_only_the_resident_signs_its_own_sheet() -> None:
    key = Ed25519PrivateKey(b"\1" * 32)
    report = read_report(filled(write_actuals(ACTUALS), FIRST_REPORT))
    [signed] = signed_report("krai.example/t", Signer(FIRST, "0123456789abcdef", key), report)
    assert (signed.signer, signed.nonce, signed.body) == (
        FIRST,
        report.transactions[0].nonce,
        report.transactions[0].body,
    )
    with pytest.raises(ReportFileError) as refused:
        signed_report("krai.example/t", Signer(SECOND, "0123456789abcdef", key), report)
    assert refused.value.errors == [
        f"{FIRST}!B4: the report of {FIRST}, which only {FIRST} signs (the key is {SECOND}'s); "
        "leave its sheet blank"
    ]


@pytest.mark.parametrize(
    ("cells", "errors"),
    [
        ({"B9": "12,345"}, ["B9: '12,345' has more than 2 decimal places"]),
        ({"B9": 0.001}, ["B9: 0.001 has more than 2 decimal places"]),
        ({"B9": -5}, ["B9: -5 is negative"]),
        ({"B9": "сто"}, ["B9: 'сто' is not a number"]),
        ({"B9": True}, ["B9: True is not an amount"]),
        (
            {"B9": datetime(2026, 5, 1)},
            ["B9: datetime.datetime(2026, 5, 1, 0, 0) is not an amount"],
        ),
        ({"B9": 10**14}, [f"B9: {10**14} is more than the ledger's largest amount"]),
        ({"B10": 5.5}, ["B10: 5.5 is not a whole number"]),
        ({"B10": 10**8}, [f"B10: {10**8} is more than 10000000"]),
        ({"B10": "=B9*2"}, ["B10: a formula; type the value itself"]),
        ({"B11": "  "}, ["B11: empty; fill it in"]),
        ({"B11": "x" * 301}, ["B11: the source has 301 characters; 1 to 300"]),
        ({"B10": None, "B11": None}, ["B10: empty; fill it in", "B11: empty; fill it in"]),
    ],
)
def test_a_wrong_cell_refuses_the_whole_file_naming_it(
    cells: dict[str, Any], errors: list[str]
) -> None:
    data = filled(write_actuals(ACTUALS), {**FIRST_REPORT, **cells})
    assert refusals(data) == [f"{FIRST}!{error}" for error in errors]


def test_every_wrong_cell_of_every_sheet_is_listed() -> None:
    data = filled(write_actuals(ACTUALS), {"B9": "x", "B10": -1, "B11": "ok"})
    data = filled(data, {"B9": 1}, sheet=SECOND)
    assert refusals(data) == [
        f"{FIRST}!B9: 'x' is not a number",
        f"{FIRST}!B10: -1 is negative",
        f"{SECOND}!B10: empty; fill it in",
        f"{SECOND}!B11: empty; fill it in",
    ]


def test_a_template_left_blank_reports_nothing() -> None:
    assert refusals(write_actuals(ACTUALS)) == [
        f"{FIRST}!B9: no sheet is filled: nothing to report"
    ]


def test_merged_cells_are_refused() -> None:
    data = filled(
        write_actuals(ACTUALS), FIRST_REPORT, edit=lambda b: b[FIRST].merge_cells("A9:B9")
    )
    assert refusals(data) == [f"{FIRST}!A9:B9: merged cells; the template has none"]


def test_a_sheet_with_more_rows_than_a_template_is_refused() -> None:
    data = filled(write_actuals(ACTUALS), {**FIRST_REPORT, "A501": "x"})
    assert refusals(data) == [
        f"{FIRST}!A1: 501 rows × 6 columns, more than a template has (500 × 20)"
    ]


@pytest.mark.parametrize(
    ("where", "value", "error"),
    [
        ("B2", "something.else", "krai!B2: not a krai.parks.report template of version 1"),
        ("B3", 2, "krai!B2: not a krai.parks.report template of version 1"),
        ("B5", "Not A Slug", "krai!B5: 'Not A Slug' is not a park id"),
        ("B6", "2026-Q5", "krai!B6: quarter '2026-Q5' is not YYYY-Qn, e.g. 2026-Q2"),
        (
            "B9",
            "7707083894",
            "krai!B9: '7707083894' is not a valid INN (check digits) nor a foreign id",
        ),
        ("A9", "Лист9", "krai!A9: no resident sheet 'Лист9' in the workbook"),
        ("A9", "krai", "krai!A9: no resident sheet 'krai' in the workbook"),
        ("B9", None, "krai!B9: empty; fill it in"),
        ("B10", FIRST, f"krai!B10: {FIRST} has a sheet already (row 9)"),
    ],
)
def test_the_krai_sheet_is_checked(where: str, value: Any, error: str) -> None:
    data = filled(write_actuals(ACTUALS), {**FIRST_REPORT}, edit=lambda b: _set(b, where, value))
    assert error in refusals(data)


def _set(book: Workbook, where: str, value: Any) -> None:
    book["krai"][where] = value


def test_a_workbook_without_the_krai_sheet_is_not_a_template() -> None:
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    assert refusals(out.getvalue()) == [
        "krai!A1: the workbook has no krai sheet: it is not a krai template"
    ]


def test_a_file_too_large_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(park_reports, "load_workbook", _never)
    assert refusals(b"PK" + b"\0" * (50 * 1024 * 1024)) == [
        f"the file has {50 * 1024 * 1024 + 2} bytes, more than {2 * 1024 * 1024}"
    ]


def test_a_zip_bomb_and_a_million_rows_are_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(park_reports, "load_workbook", _never)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 1_000_000)
    [error] = refusals(bomb.getvalue())
    assert error == (
        "xl/worksheets/sheet1.xml unpacks to 6000000 bytes, more than a sheet of 500 rows (524288)"
    )
    parts = io.BytesIO()
    with zipfile.ZipFile(parts, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(12):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", b" " * 400_000)
    assert refusals(parts.getvalue()) == [
        f"the workbook unpacks to 4800000 bytes, more than {4 * 1024 * 1024}"
    ]


def _never(*_: object, **__: object) -> None:
    raise AssertionError("the file was parsed")


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    assert refusals(b"not a zip")[0].startswith("not an XLSX workbook")


def test_the_quarter_is_written_either_way() -> None:
    assert checked_quarter("2026Q2") == checked_quarter("2026-Q2") == "2026-Q2"
    with pytest.raises(RejectedError, match="is not YYYY-Qn"):
        checked_quarter("2026-06")


# -- Park facts ---------------------------------------------------------------------------


def facts(cells: dict[str, Any]) -> bytes:
    return filled(write_facts(FACTS), {"B4": "01.09.2026", "B5": "Сайт парка", **cells}, "Факты")


def test_current_values_are_shown_in_the_unit_a_row_is_typed_in() -> None:
    stated = {
        "private_investment_kopecks": {"value": 19300000000, "currency": "USD", "bound": "over"},
        "profit_tax_rate_basis_points": {"value": 1350},
        "jobs_count": {"value": None},
    }
    current = {
        name: park_templates._stated({"name": name, **fact}) for name, fact in stated.items()
    }
    assert current == {
        "private_investment_kopecks": "более 193000000.00 USD",
        "profit_tax_rate_basis_points": "13.50 %",
        "jobs_count": "нет данных",
    }


def test_the_facts_template_lists_every_fact_with_its_unit_and_current_value() -> None:
    sheet = load_workbook(io.BytesIO(write_facts(FACTS)))["Факты"]
    assert (sheet["B8"].value, sheet["C8"].value) == ("distance_to_city_m", "м")
    assert (sheet["B24"].value, sheet["D24"].value) == ("jobs_count", FACTS.current["jobs_count"])
    assert [sheet[c].protection.locked for c in ("E8", "F8", "G8", "G18", "D8", "B4")] == [
        *(False, False, True, False, True, False)
    ]


def test_filled_facts_round_trip_into_one_statement() -> None:
    report = read_report(
        facts(
            {
                "E8": 35000,
                "F8": "около",
                "E14": "20",  # profit tax, per cent
                "E15": 2.2,
                "E18": "193 000 000",
                "G18": "USD",
                "F19": "нет данных",
                "E24": 5,
                "F24": "более",
                "E26": "ЦОД и майнинг",
            }
        )
    )
    [statement] = report.transactions
    assert (statement.type, statement.signer, report.quarter) == (
        "parks.state_park_facts",
        None,
        None,
    )
    assert statement.body == {
        "park_id": PARK,
        "as_of": "2026-09-01",
        "source": "Сайт парка",
        "facts": [
            {"name": "distance_to_city_m", "amount": 35000, "bound": "about"},
            {"name": "profit_tax_rate_basis_points", "amount": 2000},
            {"name": "property_tax_rate_basis_points", "amount": 220},
            {"name": "public_investment_kopecks", "amount": 19300000000, "currency": "USD"},
            {"name": "private_investment_kopecks", "unknown": True},
            {"name": "jobs_count", "amount": 5, "bound": "over"},
            {"name": "specialisation", "text": "ЦОД и майнинг"},
        ],
    }
    assert statement.nonce.startswith(f"park-facts:{PARK}:2026-09-01:")


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ({"B4": "31.02.2026", "E8": 1}, "Факты!B4: '31.02.2026' is not a calendar date"),
        ({"B4": "вчера", "E8": 1}, "Факты!B4: 'вчера' is not a date (ДД.ММ.ГГГГ)"),
        (
            {"B4": datetime(2026, 9, 1, 12, 30), "E8": 1},
            "Факты!B4: 2026-09-01 12:30:00 has a time of day; a date is asked",
        ),
        ({"B5": None, "E8": 1}, "Факты!B5: empty; fill it in"),
        (
            {"E8": 1, "F8": "примерно"},
            "Факты!F8: 'примерно' is not one of точно, около, более, не менее, до, менее, "
            "нет данных",
        ),
        ({"E8": 1, "F8": "нет данных"}, "Факты!E8: «нет данных» takes no value; clear E or F"),
        ({"E8": 1, "G8": "USD"}, "Факты!G8: distance_to_city_m is not money; it takes no currency"),
        ({"E18": 1, "G18": "XXX"}, "Факты!G18: 'XXX' is not a currency the registry knows"),
        ({"E26": "ЦОД", "F26": "около"}, "Факты!F26: a text fact takes no bound"),
        ({"E26": "x" * 2001}, "Факты!E26: the text has 2001 characters; 1 to 2000"),
        ({"E14": 20.125}, "Факты!E14: 20.125 has more than 2 decimal places"),
        ({"F8": "около"}, "Факты!E8: empty; fill it in"),
        (
            {"B8": "website", "E8": 1},
            "Факты!B8: the template has distance_to_city_m in this row, not 'website'",
        ),
        ({}, "Факты!E8: no fact is filled: nothing to state"),
    ],
)
def test_a_wrong_fact_cell_is_named(cells: dict[str, Any], error: str) -> None:
    assert error in refusals(facts(cells))


def test_a_date_cell_and_an_iso_date_are_read_as_the_day() -> None:
    for as_of in (date(2026, 9, 1), datetime(2026, 9, 1), "2026-09-01"):
        [statement] = read_report(facts({"B4": as_of, "E8": 1})).transactions
        assert statement.body["as_of"] == "2026-09-01"


CELL_VALUES = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(investment=CELL_VALUES, jobs=CELL_VALUES, source=CELL_VALUES)
def test_any_cell_values_are_read_or_refused_never_a_traceback(
    investment: object, jobs: object, source: object
) -> None:
    data = filled(TEMPLATE, {"B9": investment, "B10": jobs, "B11": source})
    try:
        report = read_report(data)
    except ReportFileError as refused:
        assert all(error.startswith(f"{FIRST}!B") for error in refused.errors)
    else:
        body = report.transactions[0].body
        assert body["investment_kopecks"] >= 0 and body["jobs"] >= 0 and body["source"]


TEMPLATE = write_actuals(ACTUALS)
