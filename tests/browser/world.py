"""One home holding the source texts' parks, the energy exchange's day and both payment
programmes: the scenario YAMLs merged into one network and played into SQLite through the
sequencer (``SqlLedger``), so every dashboard page has real data behind it.

The merge keeps every transaction and its expected outcome, with three allowances a shared
network needs: organisations named alike are one organisation with the union of their roles;
a region registered by an earlier scenario is not registered again; a step dated before the
previous one runs at the previous one's time. Check steps are left out — they count things
in their own scenario's network.
"""

from pathlib import Path
from typing import Any

from tests.scenarios.harness import time_ms
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

ORIGIN = "krai.test/dashboard"
SCENARIOS = (
    "parks/krasnoyarsk_power.yaml",
    "energy/krasnoyarsk_day.yaml",
    "parks/support_and_targets.yaml",
    "parks/park_and_site_lifecycle.yaml",
    "parks/angara_yenisei_cluster.yaml",
    "payments/kaliningrad_benefit.yaml",
    "parks/great_stone_agreement.yaml",
    "payments/novgorod_drug_chain.yaml",
)


def merged() -> dict[str, Any]:
    """The scenarios as one document."""
    roles: dict[str, list[str]] = {}
    steps: list[dict[str, Any]] = []
    sealed: dict[str, Any] = {}
    registered: set[tuple[str, str]] = set()
    now = ""
    for name in SCENARIOS:
        document = _load(HERE / name)
        for org in document["network"]["organisations"]:
            known = roles.setdefault(org["name"], [])
            known += [r for r in org.get("roles", []) if r not in known]
        sealed.update(document.get("sealed", {}))
        start = str(document["network"]["start"])
        for step in _transactions(document["steps"], start, registered):
            now = _not_before(step, now)
            steps.append(step)
    organisations = [{"name": n, "roles": r} for n, r in roles.items()]
    start = str(_load(HERE / SCENARIOS[0])["network"]["start"])
    network = {"origin": ORIGIN, "quorum": 1, "start": start, "organisations": organisations}
    return {"title": "dashboard world", "network": network, "sealed": sealed, "steps": steps}


def _transactions(
    steps: list[dict[str, Any]], start: str, done: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    chosen = []
    for original in steps:
        if "check" in original:
            continue
        step = dict(original)
        if not chosen and "at" not in step:
            step["at"] = start
        registers = {"parks.register_region": "region_id", "parks.register_park": "park_id"}
        if step["do"] in registers and "rejected" not in str(step.get("expect")):
            key = (step["do"], step["with"][registers[step["do"]]])
            if key in done:
                continue
            done.add(key)
        chosen.append(step)
    return chosen


def _not_before(step: dict[str, Any], now: str) -> str:
    if "at" not in step:
        return now
    if now and time_ms(str(step["at"])) < time_ms(now):
        del step["at"]
        return now
    return str(step["at"])


def build_world(home: Path) -> SqlLedger:
    """Play the merged scenarios into a new home; the caller closes the returned ledger."""
    scenario = Scenario(merged(), SqlLedger, home=home)
    ledger = scenario.ledger
    assert isinstance(ledger, SqlLedger)
    scenario.run()
    return ledger
