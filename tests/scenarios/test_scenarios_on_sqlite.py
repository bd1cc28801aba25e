"""The scenarios again, through the sequencer into a SQLite home: the durable path agrees.

Each scenario runs twice — on the in-memory engine and on a real home — and must end in the
same state; then ``krai verify`` re-checks the home's every signature, leaf and checkpoint,
replaying into a state on disk that must reach the in-memory engine's digest.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

CHOSEN = sorted((HERE / "parks").glob("*.yaml")) + sorted((HERE / "energy").glob("*.yaml"))


@pytest.mark.parametrize("path", CHOSEN, ids=[str(p.relative_to(HERE)) for p in CHOSEN])
def test_the_durable_ledger_reaches_the_same_state(path: Path, tmp_path: Path) -> None:
    in_memory = Scenario(_load(path))
    in_memory.run()
    durable = Scenario(_load(path), SqlLedger, home=tmp_path / "home")
    ledger = durable.ledger
    assert isinstance(ledger, SqlLedger)
    try:
        durable.run()
        assert ledger.durable_digest() == in_memory.ledger.digest()
    finally:
        ledger.close()
    home = str(tmp_path / "home")
    verified = subprocess.run(
        # The replayed state goes to disk as soon as it is written (ADR 0029).
        [sys.executable, "-m", "krai", "verify", "--home", home, "--memory-mb", "0", "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stderr + verified.stdout
    assert json.loads(verified.stdout)["state_digest"] == in_memory.ledger.digest()
