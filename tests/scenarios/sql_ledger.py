"""The scenario ledger on a real home: SQLite storage, the sequencer, signed checkpoints.

``SqlLedger`` plays the same YAML scenarios as the in-memory ``Ledger``, but every accepted
transaction goes through ``Sequencer.submit`` into a home that the ``krai`` command reads,
with the scenario's clock as the sequencer's. Tests use it to check that the durable path
reaches the same state as the in-memory engine, and to give CLI tests a realistic ledger.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from krai.adapters.keystore import Keystore
from krai.bootstrap import LOG_KEY_NAME, Services, build
from krai.config.settings import Settings, default_database_url, write_settings
from krai.state.entry import Entry
from krai.state.store import StateView, state_digest
from krai.tx.errors import RejectedError
from tests.scenarios.harness import Ledger


@dataclass
class ScenarioClock:
    """The sequencer's clock, read from the scenario ledger's time."""

    ledger: "SqlLedger"

    def now_ms(self) -> int:
        """The scenario's current time."""
        return self.ledger.now_ms


@dataclass
class SqlLedger(Ledger):
    """A scenario ledger whose entries go through the sequencer into a home on disk."""

    home: Path = field(default_factory=Path)
    services: Services | None = None

    def _append(self, entry: Entry) -> tuple[dict[str, Any], ...]:
        if entry.genesis is not None:
            self.services = _open_home(self.home, entry.genesis, ScenarioClock(self))
            self.services.sequencer.genesis(entry.genesis)
            return ()
        assert self.services is not None and entry.tx is not None
        [outcome] = self.services.sequencer.submit([entry.tx])
        if isinstance(outcome, RejectedError):
            raise outcome
        stored = self.services.storage.events(outcome.index, outcome.index + 1)
        return tuple(event for _, _, event in stored)

    @property
    def view(self) -> StateView:
        """The durable state."""
        assert self.services is not None
        return self.services.storage

    def durable_digest(self) -> str:
        """The digest of the state as stored."""
        return state_digest(iter(self.view.scan_bytes("")))

    def close(self) -> None:
        """Release the home."""
        if self.services is not None:
            self.services.close()


def _open_home(home: Path, genesis: Mapping[str, Any], clock: ScenarioClock) -> Services:
    origin = str(genesis["origin"])
    settings = Settings(home=home, database_url=default_database_url(home), origin=origin)
    home.mkdir(parents=True, exist_ok=True)
    Keystore(settings.keys_dir).generate(LOG_KEY_NAME)
    write_settings(settings)
    settings.genesis_file.write_text(json.dumps(genesis, ensure_ascii=False), encoding="utf-8")
    return build(settings, clock)
