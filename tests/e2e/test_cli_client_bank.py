"""Bank statements imported and payment orders exported in the «Клиент банка» format, from the
command line, on a home holding the Kaliningrad benefit scenario."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.test_cli import krai, krai_bytes, run
from tests.e2e.test_cli_payments import kaliningrad

from krai.adapters.keystore import Keystore
from krai.app.client_bank import read_client_bank, reference

FILES = Path(__file__).parents[1] / "unit" / "app" / "client_bank_files"
PAYOUTS = {"account": "30232810000000000002", "inn": "7750004150", "name": "ВЭБ.РФ (выплаты)"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield kaliningrad(tmp_path_factory.mktemp("client-bank") / "home")


def import_statement(home: Path, source: Path, *options: str) -> "list[str]":
    command = ("payments", "import-statement", str(source), "--signer", "veb", *options)
    imported = json.loads(krai(home, *command, "--json"))
    return [line.get("matched") or line["unmatched"] for line in imported["lines"]]


def test_a_windows_1251_statement_is_detected_and_matched_line_by_line(home: Path) -> None:
    source = FILES / "statement_1_02_windows.txt"
    outcomes = import_statement(home, source, "--statement-id", "veb-1c-2026-03-22")
    assert outcomes == ["duplicate_debit", "reversed", "unknown_reference"]


def test_a_malformed_statement_is_refused_with_its_line_and_key_and_nothing_recorded(
    home: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.txt"
    text = (FILES / "statement_1_03_utf8.txt").read_text(encoding="utf-8")
    broken.write_text(text.replace("Сумма=11000", "Сумма=11000,00"), encoding="utf-8")
    before = krai_bytes(home, "log", "checkpoint")
    command = ("payments", "import-statement", str(broken), "--statement-id", "veb-broken")
    refused = run(*command, "--signer", "veb", "--home", str(home))
    assert refused.returncode == 2
    assert "line 50: Сумма '11000,00': the decimal separator is a point" in refused.stderr
    as_csv = run(*command, "--format", "csv", "--signer", "veb", "--home", str(home))
    assert as_csv.returncode == 2
    assert "the header must name line_id" in as_csv.stderr
    unknown = run(*command, "--format", "xml", "--signer", "veb", "--home", str(home))
    assert (unknown.returncode, unknown.stderr) == (2, "error: 'xml' is not one of auto, csv, 1c\n")
    assert krai_bytes(home, "log", "checkpoint") == before


def requisites(home: Path, path: Path, payees: dict[str, dict[str, str]]) -> Path:
    agent = Keystore(home / "keys").load("veb").organisation
    payer = {"account": "40702810000000000001", "inn": agent, "name": "ВЭБ.РФ", "bic": "044525060"}
    path.write_text(json.dumps({"payer": payer, "payees": payees}), encoding="utf-8")
    return path


def test_a_days_payments_are_exported_as_payment_orders_the_importer_reads(
    home: Path, tmp_path: Path
) -> None:
    given = requisites(
        home, tmp_path / "req.json", {"veb:payouts:child-benefit": {**PAYOUTS, "bic": "044525060"}}
    )
    out = tmp_path / "orders.txt"
    command = ("payments", "export-orders", "--day", "2026-02-26", "--requisites", str(given))
    printed = krai(home, *command, "--format", "1c", "--out", str(out))
    assert "2 payment orders written" in printed
    orders = read_client_bank(out.read_bytes())
    assert orders.codec == "cp1251"
    assert orders.accounts == ("40702810000000000001",)
    assert [(reference(o), o.amount_kopecks, o.payee.account) for o in orders.documents] == [
        ("pay-anna-2026-02", 800000, PAYOUTS["account"]),
        ("pay-boris-2026-02", 1000000, PAYOUTS["account"]),
    ]
    assert [o.number for o in orders.documents] == ["1", "2"]
    utf8 = krai_bytes(home, *command, "--encoding", "utf-8")
    assert read_client_bank(utf8).documents == orders.documents
    assert "Кодировка=UTF-8" in utf8.decode()


def test_an_export_without_a_payout_accounts_requisites_is_refused(
    home: Path, tmp_path: Path
) -> None:
    given = requisites(home, tmp_path / "req.json", {})
    out = tmp_path / "orders.txt"
    command = ("payments", "export-orders", "--day", "2026-02-26", "--requisites", str(given))
    refused = run(*command, "--out", str(out), "--home", str(home))
    assert refused.returncode == 2
    assert "payment pay-anna-2026-02: no requisites for veb:payouts:child-benefit" in refused.stderr
    assert not out.exists()
