"""The exchange's day read from a real home: prices, curves, books anyone re-clears, invoices."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.e2e.test_cli import krai, run
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

DAY = "2018-06-02"


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SqlLedger]]:
    home = tmp_path_factory.mktemp("exchange") / "home"
    scenario = Scenario(_load(HERE / "energy" / "krasnoyarsk_day.yaml"), SqlLedger, home=home)
    ledger = scenario.ledger
    assert isinstance(ledger, SqlLedger)
    scenario.run()
    ledger.close()
    yield home, ledger


def test_the_day_prices_show_the_binding_connection(day: tuple[Path, SqlLedger]) -> None:
    home, _ = day
    rows = json.loads(krai(home, "energy", "prices", "krasnoyarsk-dam", DAY, "--json"))
    assert len(rows) == 24
    assert {row["price_kopecks_per_mwh"] for row in rows} == {280000}
    assert all(row["congested"] and row["import_kwh"] == 120000 for row in rows)
    table = krai(home, "energy", "prices", "krasnoyarsk-dam", DAY)
    assert "RUB/MWh" in table and "2,800.00" in table and "120,000" in table
    assert "280000" not in table, "a price in kopecks read as roubles"


def test_anyone_re_clears_a_period_offline_and_gets_the_ledger_result(
    day: tuple[Path, SqlLedger], tmp_path: Path
) -> None:
    home, _ = day
    book = tmp_path / "book.json"
    book.write_text(
        krai(home, "energy", "book", "krasnoyarsk-dam", DAY, "14", "--json"), encoding="utf-8"
    )
    cleared = run("energy", "clear", "--orders", str(book), "--json")
    assert cleared.returncode == 0, cleared.stderr
    offline = json.loads(cleared.stdout)
    assert offline["price_kopecks_per_mwh"] == 280000
    assert offline["import_kwh"] == 120000
    curves = json.loads(krai(home, "energy", "curves", "krasnoyarsk-dam", DAY, "14", "--json"))
    assert curves["traded_kwh"] == 150000
    assert curves["supply"][-1]["cumulative_kwh"] == 150000
    assert curves["demand"][0]["price_kopecks_per_mwh"] == 900000


def test_recompute_checks_every_period_and_its_certificate(day: tuple[Path, SqlLedger]) -> None:
    home, _ = day
    checks = json.loads(krai(home, "energy", "recompute", "krasnoyarsk-dam", DAY, "--json"))
    assert len(checks) == 24
    assert all(check["sound"] for check in checks)


def test_statements_and_heat(day: tuple[Path, SqlLedger]) -> None:
    home, ledger = day
    inn = ledger.inn("Корпорация BitBaza")
    invoice = json.loads(krai(home, "energy", "statement", "krasnoyarsk-dam", DAY, inn, "--json"))
    assert invoice["total_kopecks"] == 720000000
    heat = json.loads(krai(home, "energy", "heat", "krasnoyarsk-dam", "2018-06", "--json"))
    assert heat["micro_districts"] == [{"micro_district": "мкр. Солнечный", "heat_mcal": 58813000}]


def test_a_statement_is_a_table_or_a_file_in_each_format(
    day: tuple[Path, SqlLedger], tmp_path: Path
) -> None:
    """A table by default, the document with --json, and files whose day totals are the
    invoice's: JSON as --json prints it, CSV in UTF-8 with the zone in its header, XLSX with
    number formats."""
    home, ledger = day
    inn = ledger.inn("Корпорация BitBaza")
    args = ("energy", "statement", "krasnoyarsk-dam", DAY, inn)
    table = krai(home, *args)
    assert "00:00" in table and "23:00" in table and "7,200,000.00" in table
    document = json.loads(krai(home, *args, "--json"))
    written = {kind: tmp_path / f"statement.{kind}" for kind in ("json", "csv", "xlsx")}
    for kind, path in written.items():
        krai(home, *args, "--format", kind, "--out", str(path))
    assert json.loads(written["json"].read_text("utf-8")) == document
    rows = list(csv.reader(io.StringIO(written["csv"].read_text("utf-8-sig"))))
    assert rows[0][:2] == ["From (UTC+7)", "To (UTC+7)"]
    assert [row[:2] for row in rows[1:3]] == [["00:00", "01:00"], ["01:00", "02:00"]]
    assert rows[25][0] == "Day total" and rows[25][-1] == "7200000.00"
    sheet = load_workbook(written["xlsx"]).active
    assert sheet is not None
    assert sheet["L26"].value == 7_200_000 and sheet["L26"].number_format == "#,##0.00"
    assert sheet["C2"].number_format == "#,##0"
    wrong = run(*args, "--format", "pdf", "--out", str(tmp_path / "x"), "--home", str(home))
    assert wrong.returncode == 2 and "--format" in wrong.stderr


def test_missing_things_are_clear_errors(day: tuple[Path, SqlLedger]) -> None:
    home, _ = day
    missing = run("energy", "statement", "krasnoyarsk-dam", DAY, "7707083893", "--home", str(home))
    assert missing.returncode == 3
    assert "has no settled invoice" in missing.stderr
    uncleared = run("energy", "recompute", "krasnoyarsk-dam", "2018-06-09", "--home", str(home))
    assert uncleared.returncode == 1
