"""The home's witnesses wired up: its cosigned-note store, the collector, the published note.

Shared by ``krai serve`` (which runs the collector in the background while it serves),
``krai log cosign`` (one round) and the C2SP ``/checkpoint`` route.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from krai.adapters.clock import SystemClock
from krai.adapters.sql.cosigned import SqlCosignedStore
from krai.adapters.sql.storage import SqlStorage
from krai.adapters.witness_client import HttpWitnessClient
from krai.app.cosigning import (
    CollectorThread,
    CosignatureCollector,
    CosignedNote,
    Witness,
    WitnessOutcome,
    published,
)
from krai.bootstrap import Services
from krai.config.settings import Settings
from krai.log.cosigned import CosignedCheckpoint
from krai.log.note import parse_cosignature_vkey


def configured_witnesses(settings: Settings) -> list[Witness]:
    """The witnesses of the home's settings, their keys parsed."""
    return [Witness(w.name, w.url, parse_cosignature_vkey(w.vkey)) for w in settings.witnesses]


def cosigned_store(services: Services) -> SqlCosignedStore | None:
    """The store of cosigned notes, in the ledger's SQL database (None off SQL storage)."""
    storage = services.storage
    return SqlCosignedStore(storage.engine) if isinstance(storage, SqlStorage) else None


def published_checkpoint(services: Services) -> tuple[CosignedNote, CosignedCheckpoint] | None:
    """The newest checkpoint cosigned by the home's quorum of witnesses, verified."""
    store = cosigned_store(services)
    if store is None or not services.settings.witnesses:
        return None
    witnesses = configured_witnesses(services.settings)
    return published(store, services.log_verifier, witnesses, services.settings.quorum)


def collect_once(services: Services) -> list[WitnessOutcome]:
    """One round: the newest checkpoint sent to every witness that has not cosigned it."""
    store = cosigned_store(services)
    if store is None or not services.settings.witnesses:
        return []
    client = HttpWitnessClient()
    collector = CosignatureCollector(
        services.storage, store, client, configured_witnesses(services.settings), SystemClock()
    )
    try:
        return collector.collect()
    finally:
        collector.close()
        client.close()


@contextmanager
def cosigning(services: Services, interval_s: float = 1.0) -> Iterator[bool]:
    """Gather cosignatures in the background while the block runs, if witnesses are
    configured; yields whether it does."""
    store = cosigned_store(services)
    if store is None or not services.settings.witnesses:
        yield False
        return
    client = HttpWitnessClient()
    witnesses = configured_witnesses(services.settings)
    collector = CosignatureCollector(services.storage, store, client, witnesses, SystemClock())
    thread = CollectorThread(collector, services.storage, interval_s)
    thread.start()
    try:
        yield True
    finally:
        thread.stop()
        client.close()
