"""An upgraded home whose stored state predates the rules' new index: `krai verify` says so
and names the remedy, and `krai rebuild-state` derives the state again from the log, which
it leaves as it was."""

import json
import sqlite3
from pathlib import Path

import pytest
from tests.e2e.test_cli import krai, run
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load


@pytest.fixture
def upgraded_home(tmp_path: Path) -> Path:
    """A payments home, with the subject index removed as an earlier release never wrote it."""
    home = tmp_path / "home"
    scenario = Scenario(_load(HERE / "payments" / "kaliningrad_benefit.yaml"), SqlLedger, home=home)
    ledger = scenario.ledger
    assert isinstance(ledger, SqlLedger)
    scenario.run()
    ledger.close()
    with sqlite3.connect(home / "krai.db") as database:
        removed = database.execute("DELETE FROM state WHERE key LIKE 'payments/subject/%'")
        assert removed.rowcount > 0
    return home


def test_an_upgraded_home_is_rebuilt_from_its_log(upgraded_home: Path) -> None:
    before = json.loads(krai(upgraded_home, "log", "checkpoint", "--json"))
    refused = run("verify", "--home", str(upgraded_home))
    assert refused.returncode == 1 and "krai rebuild-state" in refused.stderr
    report = json.loads(krai(upgraded_home, "rebuild-state", "--json"))
    assert report["entries"] == before["size"] and report["written"] > 0
    assert report["deleted"] == 0
    verified = json.loads(krai(upgraded_home, "verify", "--json"))
    assert verified["state_digest"] == report["state_digest"]
    assert json.loads(krai(upgraded_home, "log", "checkpoint", "--json")) == before


def test_a_home_a_newer_krai_wrote_is_refused_in_one_line_and_left_as_it_was(
    upgraded_home: Path,
) -> None:
    database = upgraded_home / "krai.db"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999'")
    before = dumped(database)
    for command in (["verify"], ["log", "checkpoint", "--json"]):
        refused = run(*command, "--home", str(upgraded_home))
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr.startswith("error: the database is at schema revision 0999")
        assert "open it with the krai that wrote it" in refused.stderr
        assert "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1
    assert dumped(database) == before


def dumped(database: Path) -> list[str]:
    """The database's schema and rows as SQL (its file's header may change when read)."""
    with sqlite3.connect(database) as connection:
        return list(connection.iterdump())
