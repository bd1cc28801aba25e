"""Park reports from spreadsheets on the command line: the operator writes the quarter's
template, a resident fills its sheet and imports it signed with its own key; a wrong cell
refuses the whole file and records nothing; the park facts go the same way."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.e2e.test_cli import krai, lines, run
from tests.e2e.test_cli_parks import OPERATOR_INN, OPERATOR_OGRN, build

PARK = "krasnoyarsk-digital"
RESIDENT_INN, RESIDENT_OGRN = "7707083893", "1027700132195"


def admission(home: Path, key: str, inn: str, ogrn: str, *, name: str, roles: list[str]) -> str:
    made = json.loads(krai(home, "keys", "generate", key, "--org", inn, "--json"))
    body = {"inn": inn, "ogrn": ogrn, "name": name, "roles": roles}
    return build(
        home,
        "operator",
        "identity.propose_admission",
        {**body, "public_key": made["public_key"]},
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("park-reports") / "home"
    krai(home, "init", "--origin", "krai.example/park-reports")
    region = {
        "region_id": "RU-24",
        "name_ru": "Красноярский край",
        "name_en": "Krasnoyarsk Krai",
        "time_zone": "Asia/Krasnoyarsk",
        "utc_offset_minutes": 420,
    }
    park = {
        "park_id": PARK,
        "name_ru": "Индустриальный парк цифровых технологий",
        "name_en": "Krasnoyarsk Industrial Park of Digital Technologies",
        "kind": "industrial_park",
        "region_id": "RU-24",
        "total_area_m2": 250000,
        "saleable_area_m2": 200000,
        "source": "Пресс-релиз 15.03.2018",
    }
    application = {
        "park_id": PARK,
        "stage": "application",
        "activity": "Центр обработки данных",
    }
    agreement = {
        "park_id": PARK,
        "resident_inn": RESIDENT_INN,
        "document_sha256": "ab" * 32,
        "milestones": [{"due": "2026-12-31", "investment_kopecks": 100_000_000_00, "jobs": 40}],
    }
    batch = (
        admission(
            home,
            "gigabyte",
            OPERATOR_INN,
            OPERATOR_OGRN,
            name="ООО «Гигабайт»",
            roles=["park_operator"],
        )
        + admission(home, "dc", RESIDENT_INN, RESIDENT_OGRN, name="АО «ЦОД»", roles=["resident"])
        + build(home, "operator", "parks.register_region", region)
        + build(home, "gigabyte", "parks.register_park", park)
        + build(home, "dc", "parks.apply_for_residency", application)
        + build(home, "gigabyte", "parks.conclude_resident_agreement", agreement)
    )
    receipts = lines(krai(home, "tx", "submit", "-", stdin=batch))
    assert len(receipts) == 6 and all("index" in r for r in receipts), receipts
    return home


def filled(path: Path, cells: dict[str, Any], sheet: str = RESIDENT_INN) -> Path:
    book = load_workbook(path)
    for where, value in cells.items():
        book[sheet][where] = value
    out = path.with_name(f"filled-{len(cells)}-{path.name}")
    book.save(out)
    return out


def refused(home: Path, *args: str, expect: int) -> str:
    result = run(*args, "--home", str(home))
    assert result.returncode == expect, result.stderr + result.stdout
    return result.stderr + result.stdout


def log_size(home: Path) -> int:
    return int(json.loads(krai(home, "log", "checkpoint", "--json"))["size"])


def test_a_resident_fills_the_quarters_template_and_its_report_is_recorded(
    home: Path, tmp_path: Path
) -> None:
    template = tmp_path / "q3.xlsx"
    said = krai(
        home, "parks", "template", "--park", PARK, "--quarter", "2026Q3", "--out", str(template)
    )
    assert "1 resident sheet(s) for 2026-Q3" in said
    book = load_workbook(template)
    assert book.sheetnames == [RESIDENT_INN, "krai"]
    assert book["krai"].sheet_state == "hidden"
    assert book[RESIDENT_INN].protection.sheet is True
    assert book[RESIDENT_INN]["A15"].value == "31.12.2026"  # the milestone's due date
    report = filled(template, {"B9": "1 234 567,89", "B10": 17, "B11": "Отчёт за III кв. 2026"})

    [receipt] = json.loads(
        krai(home, "parks", "import-report", str(report), "--signer", "dc", "--json")
    )
    assert receipt["type"] == "parks.report_actuals"
    [resident] = json.loads(krai(home, "parks", "residents", PARK, "--json"))
    actuals = resident["actuals"]["2026-Q3"]
    assert (actuals["investment_kopecks"], actuals["jobs"], actuals["by"]) == (
        123456789,
        17,
        RESIDENT_INN,
    )
    again = refused(home, "parks", "import-report", str(report), "--signer", "dc", expect=1)
    assert "replay" in again


def test_a_wrong_cell_refuses_the_whole_file_naming_each_cell(home: Path, tmp_path: Path) -> None:
    template = tmp_path / "q3.xlsx"
    krai(home, "parks", "template", "--park", PARK, "--quarter", "2026-Q3", "--out", str(template))
    report = filled(template, {"B9": "12,345", "B10": "=2+2", "B11": "Отчёт"})
    size = log_size(home)
    result = refused(home, "parks", "import-report", str(report), "--signer", "dc", expect=2)
    assert f"{RESIDENT_INN}!B9: '12,345' has more than 2 decimal places" in result
    assert f"{RESIDENT_INN}!B10: a formula; type the value itself" in result
    assert log_size(home) == size


def test_the_operator_may_not_sign_a_residents_actuals(home: Path, tmp_path: Path) -> None:
    template = tmp_path / "q3.xlsx"
    krai(home, "parks", "template", "--park", PARK, "--quarter", "2026-Q3", "--out", str(template))
    report = filled(template, {"B9": 100, "B10": 1, "B11": "Отчёт"})
    result = refused(home, "parks", "import-report", str(report), "--signer", "gigabyte", expect=2)
    assert f"{RESIDENT_INN}!B4: the report of {RESIDENT_INN}, which only {RESIDENT_INN} signs" in (
        result
    )


def test_the_operator_states_park_facts_from_the_facts_template(home: Path, tmp_path: Path) -> None:
    template = tmp_path / "facts.xlsx"
    krai(home, "parks", "template", "--park", PARK, "--facts", "--out", str(template))
    report = filled(
        template,
        {"B4": "01.09.2026", "B5": "Сайт парка", "E9": 35000, "F9": "около", "E26": "ЦОД"},
        sheet="Факты",
    )
    krai(home, "parks", "import-report", str(report), "--signer", "gigabyte")
    facts = {f["name"]: f for f in json.loads(krai(home, "parks", "show", PARK, "--json"))["facts"]}
    assert (facts["distance_to_regional_centre_m"]["value"], facts["specialisation"]["value"]) == (
        35000,
        "ЦОД",
    )
    assert facts["distance_to_regional_centre_m"]["bound"] == "about"
    assert facts["specialisation"]["as_of"] == "2026-09-01"


def test_a_template_needs_a_quarter_or_facts(home: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "x.xlsx")
    krai(home, "parks", "template", "--park", PARK, "--out", out, expect=2)
    krai(home, "parks", "template", "--park", "nowhere", "--facts", "--out", out, expect=3)


def test_a_file_not_a_workbook_is_refused(home: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_bytes(io.BytesIO(b"not a zip").getvalue())
    result = refused(home, "parks", "import-report", str(bogus), "--signer", "dc", expect=2)
    assert "not an XLSX workbook" in result
