"""Derive the stored state again from the log, for an upgrade whose rules keep new state.

The log is what the Merkle tree commits to; the state is a function of it. When a release's
rules write state the earlier release did not (an index, a summary), a home's stored state
no longer equals what replaying its log gives, and `krai verify` says so. Rebuilding replays
every entry with this release's rules and replaces the stored state by the result in one
database transaction, under the sequencing lock: the log is not touched, and nothing is
appended meanwhile. Run it with the server stopped (docs/deployment.md, Upgrades).

The replay writes into a ``SpillingState`` when given a scratch database, and the replayed
and the stored states are then compared as two streams in key order, so the memory stays
bounded whatever the ledger's size (ADR 0029, amendment).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from krai.app.ports import ScratchState, Storage
from krai.app.replay_state import MEMORY_BYTES, SpillingState
from krai.app.verify import ReplayState, Unmappable, replay_entry, stored_entries, stored_state
from krai.state.engine import Engine
from krai.state.store import DELETED, MemoryState, state_digest


@dataclass(frozen=True)
class RebuildReport:
    """What a rebuild replayed and changed."""

    entries: int
    written: int
    deleted: int
    state_digest: str

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "entries": self.entries,
            "written": self.written,
            "deleted": self.deleted,
            "state_digest": self.state_digest,
        }


def rebuild_state(
    storage: Storage,
    new_engine: Callable[[], Engine],
    *,
    scratch: Callable[[], ScratchState] | None = None,
    memory_bytes: int = MEMORY_BYTES,
) -> RebuildReport:
    """Replay the whole log and make the stored state exactly the replayed one; with
    ``scratch``, the replayed state moves to such a database once it takes ``memory_bytes``."""
    if isinstance(storage, Unmappable):
        storage.read_unmapped()
    state: ReplayState = SpillingState(scratch, memory_bytes) if scratch else MemoryState()
    try:
        with storage.sequencing():
            size = storage.log_size()
            engine = new_engine()
            for index, data in enumerate(stored_entries(storage, size)):
                replay_entry(engine, state, data, index)
            counts = _Counts()
            storage.rewrite_state(counts.of(_changes(state.items(), stored_state(storage))))
        return RebuildReport(size, counts.written, counts.deleted, state_digest(state.items()))
    finally:
        if isinstance(state, SpillingState):
            state.close()


class _Counts:
    """The changes a rewrite made, counted as they pass."""

    def __init__(self) -> None:
        self.written = 0
        self.deleted = 0

    def of(self, changes: Iterator[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
        for key, raw in changes:
            if raw == DELETED:
                self.deleted += 1
            else:
                self.written += 1
            yield key, raw


def _changes(
    replayed: Iterator[tuple[str, bytes]], stored: Iterator[tuple[str, bytes]]
) -> Iterator[tuple[str, bytes]]:
    """What makes ``stored`` equal ``replayed`` (both in key order): the replayed records it
    lacks or holds otherwise, and ``DELETED`` for the keys only it holds, in key order."""
    mine, theirs = next(replayed, None), next(stored, None)
    while mine is not None or theirs is not None:
        if theirs is None or (mine is not None and mine[0] < theirs[0]):
            assert mine is not None
            yield mine
            mine = next(replayed, None)
        elif mine is None or theirs[0] < mine[0]:
            yield theirs[0], DELETED
            theirs = next(stored, None)
        else:
            if mine[1] != theirs[1]:
                yield mine
            mine, theirs = next(replayed, None), next(stored, None)
