"""What the use cases need from the outside world: storage and a clock, and the errors the
adapters behind them raise.

Adapters implement these: ``adapters/sql`` (SQLite and PostgreSQL through SQLAlchemy Core)
and ``adapters/memory`` (unit tests). The errors are declared here, so that an edge catches
them without importing an adapter (ADR 0020). A ``Batch`` is written in ONE database transaction,
durable before ``append_batch`` returns: after a crash there is all of a batch or none of it.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

NodeKey = tuple[int, int]


class StoredEntry(NamedTuple):
    """One log entry as stored, with what indexes need."""

    index: int  # type: ignore[assignment]  # shadows tuple.index(), which nothing calls
    data: bytes
    leaf_hash: bytes
    tx_id: str | None
    signer: str | None
    tx_type: str | None
    time_ms: int


@dataclass(frozen=True)
class StoredCheckpoint:
    """A signed checkpoint: the size, the root, and the signed note text."""

    size: int
    root_hash: bytes
    note: str
    time_ms: int


@dataclass(frozen=True)
class Batch:
    """Everything one sequencing round changes, committed atomically."""

    entries: Sequence[StoredEntry]
    nodes: Sequence[tuple[NodeKey, bytes]]
    state_writes: Mapping[str, bytes]
    events: Sequence[tuple[int, int, Mapping[str, Any]]]
    checkpoint: StoredCheckpoint | None


class Storage(Protocol):
    """Durable storage of the log, its tree, checkpoints, state and events."""

    def log_size(self) -> int:
        """Number of entries stored."""
        ...

    def append_batch(
        self, batch: Batch, seal: Callable[[], StoredCheckpoint] | None = None
    ) -> None:
        """Store a batch in one durable transaction; raise ``NonContiguousBatchError`` if it
        does not start where the log ends.

        ``seal``, when given, runs inside that transaction after the batch's rows are written
        and before they are committed. It returns the batch's checkpoint, stored with it (the
        batch then carries none), or raises, and then nothing of the batch is stored.
        """
        ...

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """Stored tree nodes (level, index) → hash; missing keys are left out."""
        ...

    def entry(self, index: int) -> StoredEntry | None:
        """The entry at ``index``."""
        ...

    def entries(self, start: int, end: int) -> Iterator[StoredEntry]:
        """Entries with start <= index < end, in order."""
        ...

    def entry_bytes(self, start: int, end: int) -> list[bytes]:
        """The bytes of the entries with start <= index < end, in order: what a replay reads,
        without the columns of a ``StoredEntry`` it would not use."""
        ...

    def entry_by_tx_id(self, tx_id: str) -> StoredEntry | None:
        """The entry holding the transaction ``tx_id``."""
        ...

    def entry_by_leaf_hash(self, leaf_hash: bytes) -> StoredEntry | None:
        """The first entry whose RFC 9162 leaf hash is ``leaf_hash``."""
        ...

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The newest checkpoint."""
        ...

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        """A checkpoint of exactly ``size`` entries, if one was signed."""
        ...

    def checkpoints(self, limit: int) -> list[StoredCheckpoint]:
        """The newest checkpoints, newest first."""
        ...

    def get_bytes(self, key: str) -> bytes | None:
        """State value bytes under ``key``."""
        ...

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        """State (key, bytes) under ``prefix`` in key order."""
        ...

    def get_many(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """State values of those ``keys`` that exist, in few queries."""
        ...

    def state_after(self, key: str, limit: int) -> list[tuple[str, bytes]]:
        """Up to ``limit`` state (key, bytes) whose keys sort after ``key``, in key order: the
        whole state read in bounded pages."""
        ...

    def events(self, start: int, end: int) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """(entry index, position, event) for entries with start <= index < end."""
        ...

    def rewrite_state(self, changes: Iterable[tuple[str, bytes]]) -> None:
        """Apply ``changes`` (key, bytes; ``DELETED`` removes the key), read as iterated, in
        one durable transaction: all of them, or none if the iteration raises. The log is not
        touched (``krai rebuild-state``)."""
        ...

    def sequencing(self) -> AbstractContextManager[None]:
        """Hold the right to append, against every other process on this database, until the
        context ends; a process that dies releases it."""
        ...

    def after_fork(self) -> "Storage":
        """This storage, made safe to read in a process forked after it was opened."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class ScratchState(Protocol):
    """State kept on disk, outside the process's memory, while a log is replayed: a
    temporary database that is gone when closed (ADR 0029). Keys compare as ``str`` does."""

    def get_bytes(self, key: str) -> bytes | None:
        """The bytes under ``key``, or None."""
        ...

    def scan_range(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        """Every (key, bytes) with ``start <= key < end``, in key order, read as iterated:
        nothing may be written before the iteration ends."""
        ...

    def write(self, writes: Mapping[str, bytes]) -> None:
        """Store ``writes``; a value of ``DELETED`` (empty bytes) removes its key."""
        ...

    def close(self) -> None:
        """Remove the database."""
        ...


class FollowerFiles(Protocol):
    """What a follower keeps in its home beside the ledger (ADR 0036): its status, the
    checkpoint it is catching up to, and the evidence of each alarm. Each write is whole
    and durable (temporary file, fsync, rename)."""

    def read(self, name: str) -> bytes | None:
        """The bytes of the follower's file ``name``, or None."""
        ...

    def write(self, name: str, data: bytes) -> None:
        """Replace the follower's file ``name`` with ``data``."""
        ...

    def remove(self, name: str) -> None:
        """Delete the follower's file ``name`` if it is there."""
        ...

    def store_alarm(self, name: str, files: Mapping[str, bytes]) -> str:
        """Keep ``files`` as the evidence of the alarm ``name``; return where they are."""
        ...

    def alarms(self) -> list[tuple[str, bytes]]:
        """(where, summary.json bytes) of every alarm kept, oldest first."""
        ...


class Clock(Protocol):
    """The sequencer's source of time."""

    def now_ms(self) -> int:
        """Unix time in milliseconds."""
        ...


class NonContiguousBatchError(ValueError):
    """A batch does not start where the log ends: nothing of it is stored."""


class SchemaTooNewError(Exception):
    """The database was written by a newer krai: its schema revision is one this krai does
    not know, so it is neither read nor migrated."""


class KeystoreError(Exception):
    """A key name is invalid, taken or unknown."""


class OperatorTokenError(Exception):
    """The operator's token file is missing, unreadable or readable by others."""


class WitnessKeyError(Exception):
    """A witness's key file is missing, malformed, or already there."""
