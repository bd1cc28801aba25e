"""Every YAML scenario under tests/scenarios, one test each, then replayed from its log."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.scenarios.body_schemas import accepted_transactions, validator
from tests.scenarios.scenario import Scenario

HERE = Path(__file__).parent
SCENARIOS = sorted(HERE.glob("**/*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("path", SCENARIOS, ids=[str(p.relative_to(HERE)) for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    scenario = Scenario(_load(path))
    scenario.run()
    assert scenario.ledger.replayed_digest() == scenario.ledger.digest(), (
        "replaying the log's bytes from genesis reached another state"
    )
    for tx in accepted_transactions(scenario.ledger):
        errors = [e.message for e in validator(tx.type, tx.version).iter_errors(tx.body)]
        assert not errors, f"{tx.type} accepted a body its published schema refuses: {errors}"


def test_there_are_scenarios_for_each_base_module() -> None:
    folders = {path.parent.name for path in SCENARIOS}
    assert {"identity", "accounts", "notary"} <= folders
