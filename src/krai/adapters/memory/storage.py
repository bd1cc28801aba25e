"""Storage in dicts, with the same contract as SQL storage: for unit tests."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from krai.app.ports import (
    Batch,
    NodeKey,
    NonContiguousBatchError,
    StoredCheckpoint,
    StoredEntry,
)
from krai.state.store import DELETED


class MemoryStorage:
    """A whole ledger in memory."""

    def __init__(self) -> None:
        self._entries: list[StoredEntry] = []
        self._by_tx: dict[str, int] = {}
        self._nodes: dict[NodeKey, bytes] = {}
        self._checkpoints: dict[int, StoredCheckpoint] = {}
        self._state: dict[str, bytes] = {}
        self._events: list[tuple[int, int, dict[str, Any]]] = []

    def log_size(self) -> int:
        return len(self._entries)

    def append_batch(
        self, batch: Batch, seal: Callable[[], StoredCheckpoint] | None = None
    ) -> None:
        if batch.entries and batch.entries[0].index != len(self._entries):
            raise NonContiguousBatchError(
                f"batch starts at {batch.entries[0].index}, log size is {len(self._entries)}"
            )
        checkpoint = seal() if seal is not None else batch.checkpoint
        for entry in batch.entries:
            self._entries.append(entry)
            if entry.tx_id:
                self._by_tx[entry.tx_id] = entry.index
        self._nodes.update(batch.nodes)
        self._apply_state(batch.state_writes)
        self._events.extend((i, p, dict(e)) for i, p, e in batch.events)
        if checkpoint is not None:
            self._checkpoints[checkpoint.size] = checkpoint

    def _apply_state(self, writes: Mapping[str, bytes]) -> None:
        for key, raw in writes.items():
            if raw == DELETED:
                self._state.pop(key, None)
            else:
                self._state[key] = raw

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        return {key: self._nodes[key] for key in keys if key in self._nodes}

    def entry(self, index: int) -> StoredEntry | None:
        return self._entries[index] if 0 <= index < len(self._entries) else None

    def entries(self, start: int, end: int) -> Iterator[StoredEntry]:
        return iter(self._entries[max(start, 0) : end])

    def entry_bytes(self, start: int, end: int) -> list[bytes]:
        return [entry.data for entry in self._entries[max(start, 0) : end]]

    def entry_by_tx_id(self, tx_id: str) -> StoredEntry | None:
        index = self._by_tx.get(tx_id)
        return None if index is None else self._entries[index]

    def entry_by_leaf_hash(self, leaf_hash: bytes) -> StoredEntry | None:
        return next((e for e in self._entries if e.leaf_hash == leaf_hash), None)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        return self._checkpoints[max(self._checkpoints)] if self._checkpoints else None

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        return self._checkpoints.get(size)

    def checkpoints(self, limit: int) -> list[StoredCheckpoint]:
        newest = sorted(self._checkpoints, reverse=True)[:limit]
        return [self._checkpoints[size] for size in newest]

    def get_bytes(self, key: str) -> bytes | None:
        return self._state.get(key)

    def get_many(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        return {key: self._state[key] for key in keys if key in self._state}

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        for key in sorted(k for k in self._state if k.startswith(prefix)):
            yield key, self._state[key]

    def state_after(self, key: str, limit: int) -> list[tuple[str, bytes]]:
        after = sorted(k for k in self._state if k > key)[:limit]
        return [(k, self._state[k]) for k in after]

    def events(self, start: int, end: int) -> Iterator[tuple[int, int, dict[str, Any]]]:
        return iter([e for e in self._events if start <= e[0] < end])

    def rewrite_state(self, changes: Iterable[tuple[str, bytes]]) -> None:
        self._apply_state(dict(changes))

    def sequencing(self) -> AbstractContextManager[None]:
        """Nothing to hold: a memory storage has one process."""
        return nullcontext()

    def after_fork(self) -> "MemoryStorage":
        """Nothing to drop: a forked process has its own copy."""
        return self

    def close(self) -> None:
        """Nothing to release."""
