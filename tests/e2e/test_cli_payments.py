"""The payments audit, trace and bank import from the command line, on a real home."""

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.e2e.test_cli import krai, krai_bytes, run
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

from krai.adapters.keystore import Keystore
from krai.log.hashing import leaf_hash
from krai.log.verify import verify_inclusion

AGENT = "ВЭБ.РФ"


def kaliningrad(home: Path) -> Path:
    """A home holding the Kaliningrad benefit scenario, with VEB.RF's key named ``veb``."""
    scenario = Scenario(_load(HERE / "payments" / "kaliningrad_benefit.yaml"), SqlLedger, home=home)
    ledger = scenario.ledger
    assert isinstance(ledger, SqlLedger)
    scenario.run()
    ledger.close()
    seed = hashlib.sha256(f"krai-test-key:{AGENT}".encode()).digest()
    Keystore(home / "keys").store("veb", ledger.inn(AGENT), seed)
    return home


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield kaliningrad(tmp_path_factory.mktemp("payments") / "home")


def test_the_audit_reports_as_json_html_and_xlsx(home: Path, tmp_path: Path) -> None:
    page, workbook = tmp_path / "audit.html", tmp_path / "audit.xlsx"
    report = json.loads(
        krai(home, "payments", "audit", "--json", "--html", str(page), "--xlsx", str(workbook))
    )
    kinds = Counter(finding["kind"] for finding in report["findings"])
    assert kinds == {"override": 1, "unmatched_bank_line": 3}
    override = next(f for f in report["findings"] if f["kind"] == "override")
    assert override["at_stake_kopecks"] == 1100000 - 1050000
    assert report["at_stake"]["total_kopecks"] == sum(
        f["at_stake_kopecks"] for f in report["findings"]
    )
    text = page.read_text(encoding="utf-8")
    assert (
        "За март 2026 вручную начислено 11\u00a0000,00\u00a0₽ вместо 10\u00a0500,00\u00a0₽" in text
    )
    assert "Statement line of March 20, 2026 for 5,000.00\u00a0₽" in text
    for code in ("unmatched_bank_line", "duplicate_debit", "{&#39;", "_kopecks"):
        assert code not in text
    book = load_workbook(workbook)
    rows = list(book["Находки"].iter_rows(values_only=True))
    assert rows[0] == ("Вид", "Что найдено", "Finding", "Сумма под риском, ₽", "Записи журнала")
    kinds_read = sorted(row[0] for row in rows[1:])
    assert kinds_read == ["ручная корректировка суммы", *["строка выписки без выплаты"] * 3]
    money = next(row for row in book["Находки"].iter_rows(min_row=2) if "вручную" in row[1].value)
    assert money[3].value == 500.0
    assert "₽" in money[3].number_format
    total = list(book["По видам"].iter_rows(values_only=True))[-1]
    assert total == ("Итого", "Total", None, report["at_stake"]["total_kopecks"] / 100)
    later = json.loads(krai(home, "payments", "audit", "--json", "--as-of", "2026-05-20"))
    assert Counter(f["kind"] for f in later["findings"])["missing_accrual"] == 1
    alone = krai(home, "payments", "audit", "--json", "--as-of", "2026-05-20", "--parts", "1")
    shared = krai(home, "payments", "audit", "--json", "--as-of", "2026-05-20", "--parts", "3")
    assert json.loads(alone) == json.loads(shared) == later


def test_a_payment_traces_back_to_its_funding_and_every_link_is_proven(home: Path) -> None:
    traced = json.loads(krai(home, "payments", "trace", "--payment", "pay-boris-2026-03", "--json"))
    steps = [step["step"] for step in traced["steps"]]
    assert steps == [
        *("payment", "bank_line", "accrual", "rule", "assignment", "programme", "funding")
    ]
    line = traced["steps"][1]
    assert (line["statement_id"], line["amount_kopecks"], line["booked_on"]) == (
        "veb-2026-03-21",
        1100000,
        "2026-03-20",
    )
    flagged = {step["step"]: [f["kind"] for f in step["findings"]] for step in traced["steps"]}
    assert flagged["accrual"] == ["override"]
    assert flagged["payment"] == []
    for step in traced["steps"]:
        proof = step["inclusion"]
        entry = krai_bytes(home, "log", "entry", "--index", str(step["index"]))
        verify_inclusion(
            step["index"],
            proof["size"],
            leaf_hash(entry),
            [bytes.fromhex(h) for h in proof["proof"]],
            bytes.fromhex(proof["root_hash"]),
        )
    flows = json.loads(krai(home, "payments", "trace", "--programme", "child-benefit", "--json"))
    assert flows["funded_kopecks"] == 1000000000
    assert flows["paid_kopecks"] == 800000 + 1000000 + 1100000


def test_a_bank_statement_imported_from_csv_is_matched_line_by_line(
    home: Path, tmp_path: Path
) -> None:
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "line_id,booked_on,direction,amount_rub,reference\n"
        "1,2026-03-22,debit,8000.00,pay-anna-2026-02\n"
        '2,2026-03-22,credit,"11 000,00",pay-boris-2026-03\n'
        "3,2026-03-22,debit,15.5,pay-nobody\n",
        encoding="utf-8",
    )
    imported = json.loads(
        krai(
            home,
            "payments",
            "import-statement",
            str(statement),
            "--statement-id",
            "veb-2026-03-22",
            "--signer",
            "veb",
            "--json",
        )
    )
    outcomes = [line.get("matched") or line["unmatched"] for line in imported["lines"]]
    assert outcomes == ["duplicate_debit", "reversed", "unknown_reference"]
    assert imported["lines"][2]["amount_kopecks"] == 1550


def test_bad_input_is_refused_clearly(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "line_id,booked_on,direction,amount_rub,reference\n1,2026-03-22,debit,12.345,x\n",
        encoding="utf-8",
    )
    refused = run(
        "payments",
        "import-statement",
        str(broken),
        "--statement-id",
        "s",
        "--signer",
        "veb",
        "--home",
        str(home),
    )
    assert refused.returncode == 2
    assert "amount_rub '12.345'" in refused.stderr
    both = run("payments", "trace", "--payment", "x", "--programme", "y", "--home", str(home))
    assert both.returncode == 2
    missing = run("payments", "trace", "--payment", "nope", "--home", str(home))
    assert missing.returncode == 3
    assert "payment nope is not recorded" in missing.stderr
    for day in ("", "2026-02-30", "20.03.2026"):
        bad_day = run("payments", "audit", "--as-of", day, "--home", str(home))
        assert bad_day.returncode == 2, day
        assert "Traceback" not in bad_day.stderr


def long_statement(path: Path, count: int) -> Path:
    """A statement of ``count`` lines; line 1400 reverses a payment a statement matched."""
    rows = ["line_id,booked_on,direction,amount_rub,reference"]
    rows += [f"{n},2026-03-23,debit,{n}.00,pay-elsewhere-{n:05d}" for n in range(1, count + 1)]
    rows[1400] = "1400,2026-03-23,credit,8000.00,pay-anna-2026-02"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_long_statement_is_recorded_in_parts_as_one_statement(tmp_path: Path) -> None:
    home = kaliningrad(tmp_path / "home")
    source = long_statement(tmp_path / "long.csv", 1500)
    statement_id = "veb-2026-03-23-" + "x" * 45  # 60 characters: a readable nonce would not fit
    command = ("payments", "import-statement", str(source), "--statement-id", statement_id)
    imported = json.loads(krai(home, *command, "--signer", "veb", "--json"))
    assert imported["parts"] == len(imported["receipts"]) == 3
    assert imported["complete"] is True
    assert [line["line_id"] for line in imported["lines"]] == [str(n) for n in range(1, 1501)]
    assert imported["lines"][1399]["matched"] == "reversed"
    assert {line.get("unmatched") for line in imported["lines"][:1399]} == {"unknown_reference"}
    indices = [receipt["index"] for receipt in imported["receipts"]]
    assert indices == list(range(indices[0], indices[0] + 3))
    for index in indices:
        assert len(krai_bytes(home, "log", "entry", "--index", str(index))) <= 0xFFFF
    assert "sound:" in krai(home, "verify")
    again = run(*command, "--signer", "veb", "--home", str(home))
    assert again.returncode == 1
    assert "part 1 refused (0 of 3 parts recorded): replay" in again.stderr


def test_a_line_id_twice_is_refused_before_anything_is_recorded(home: Path, tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "line_id,booked_on,direction,amount_rub,reference\n"
        "7,2026-03-22,debit,1.00,a\n8,2026-03-22,debit,1.00,b\n7,2026-03-22,debit,2.00,c\n",
        encoding="utf-8",
    )
    command = ("payments", "import-statement", str(twice), "--statement-id", "veb-twice")
    refused = run(*command, "--signer", "veb", "--home", str(home))
    assert refused.returncode == 2
    assert "line 4: line_id '7' is also on line 2" in refused.stderr
