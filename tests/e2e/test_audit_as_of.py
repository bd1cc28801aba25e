"""The payments audit as of a past day reads the ledger as it stood when that day ended: it
equals the audit of a ledger built from only the steps taken by then, and names the cut."""

import datetime
import json
from pathlib import Path
from typing import Any

from tests.e2e.test_cli import krai
from tests.e2e.test_cli_payments import kaliningrad
from tests.scenarios.scenario import Scenario
from tests.scenarios.test_scenarios import HERE, _load

from krai.modules.payments.audit import audit

DAY = "2026-03-15"
"""A day after the March payments and before the bank statements of 21 March."""
DAY_ENDS = datetime.datetime(2026, 3, 16, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
"""The end of ``DAY`` in Kaliningrad, the programme's zone."""


def steps_by_end_of_day() -> tuple[Scenario, int]:
    """The Kaliningrad scenario with only the steps taken before ``DAY`` ended, played on a
    fresh in-memory ledger, and how many log entries it holds."""
    document = _load(HERE / "payments" / "kaliningrad_benefit.yaml")
    kept: list[Any] = []
    for step in document["steps"]:
        if "at" in step and datetime.datetime.fromisoformat(step["at"]) >= DAY_ENDS:
            break
        kept.append(step)
    scenario = Scenario({**document, "steps": kept})
    scenario.run()
    return scenario, len(scenario.ledger.entries)


def test_the_audit_as_of_a_past_day_is_the_audit_of_the_ledger_of_that_day(
    tmp_path: Path,
) -> None:
    home = kaliningrad(tmp_path / "home")
    report = json.loads(krai(home, "payments", "audit", "--json", "--as-of", DAY))
    then, size_then = steps_by_end_of_day()
    assert report["findings"] == audit(then.ledger.view, DAY)
    ledger = report["ledger"]
    assert (ledger["cut_size"], ledger["cut_index"]) == (size_then, size_then - 1)
    assert ledger["cut_size"] < ledger["size"]
    kinds = {finding["kind"] for finding in report["findings"]}
    assert "unmatched_bank_line" not in kinds  # the statements of 21 March came later
    for finding in report["findings"]:
        assert all(tx["index"] < size_then for tx in finding["transactions"])
    today = json.loads(krai(home, "payments", "audit", "--json"))
    assert today["ledger"]["cut_size"] == today["ledger"]["size"]
    assert "unmatched_bank_line" in {finding["kind"] for finding in today["findings"]}


def test_the_audit_long_before_the_ledger_finds_nothing(tmp_path: Path) -> None:
    home = kaliningrad(tmp_path / "home")
    report = json.loads(krai(home, "payments", "audit", "--json", "--as-of", "2010-01-01"))
    assert report["findings"] == []
    assert report["at_stake"] == {"kinds": {}, "total_kopecks": 0}
    assert report["ledger"]["cut_size"] == 0
