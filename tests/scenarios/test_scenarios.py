"""Every YAML scenario under tests/scenarios, one test each."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.scenarios.harness import found, run_step

SCENARIOS = sorted(Path(__file__).parent.glob("**/*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize(
    "path", SCENARIOS, ids=[str(p.relative_to(Path(__file__).parent)) for p in SCENARIOS]
)
def test_scenario(path: Path) -> None:
    scenario = _load(path)
    ledger = found(scenario["network"])
    for number, step in enumerate(scenario["steps"], start=1):
        try:
            run_step(ledger, step)
        except AssertionError as failure:
            raise AssertionError(f"{scenario['title']} — step {number}: {failure}") from failure


def test_there_are_scenarios_for_each_base_module() -> None:
    folders = {path.parent.name for path in SCENARIOS}
    assert {"identity", "accounts", "notary"} <= folders
