"""Derive the stored state again from the log, for an upgrade whose rules keep new state.

The log is what the Merkle tree commits to; the state is a function of it. When a release's
rules write state the earlier release did not (an index, a summary), a home's stored state
no longer equals what replaying its log gives, and `krai verify` says so. Rebuilding replays
every entry with this release's rules and replaces the stored state by the result in one
database transaction, under the sequencing lock: the log is not touched, and nothing is
appended meanwhile. Run it with the server stopped (docs/deployment.md, Upgrades).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from krai.app.ports import Batch, Storage
from krai.app.verify import replay_entry
from krai.state.engine import Engine
from krai.state.store import DELETED, MemoryState, state_digest

CHUNK = 10_000
"""Entries read from storage at a time."""


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


def rebuild_state(storage: Storage, new_engine: Callable[[], Engine]) -> RebuildReport:
    """Replay the whole log and make the stored state exactly the replayed one."""
    with storage.sequencing():
        size = storage.log_size()
        replayed = _replayed(storage, size, new_engine())
        stored = dict(storage.scan_bytes(""))
        writes = {key: raw for key, raw in replayed.items() if stored.get(key) != raw}
        removed = {key: DELETED for key in stored if key not in replayed}
        if writes or removed:
            storage.append_batch(Batch([], [], {**writes, **removed}, [], checkpoint=None))
    return RebuildReport(
        size, len(writes), len(removed), state_digest(iter(sorted(replayed.items())))
    )


def _replayed(storage: Storage, size: int, engine: Engine) -> dict[str, bytes]:
    state = MemoryState()
    for start in range(0, size, CHUNK):
        for stored in storage.entries(start, min(start + CHUNK, size)):
            replay_entry(engine, state, stored.data, stored.index)
    return dict(state.items())
