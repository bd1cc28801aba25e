"""The ledger's storage on SQLite or PostgreSQL: reads as plain SQL on a driver connection,
batches written to a SQLite file by its driver on a connection the writing thread holds
(``sqlite_writing``), and the other writes and migrations through SQLAlchemy Core and Alembic.

A batch — entries, tree nodes, state writes, events and its checkpoint — is written in one
database transaction, and on SQLite with ``synchronous=FULL`` in WAL mode, so it is durable
when ``append_batch`` returns. The sequencer is the only writer of a ledger.

SQLAlchemy and Alembic are imported when first needed: reads of a SQLite file open it with the
standard library's driver, and a database whose schema is already at ``SCHEMA_HEAD`` is not
handed to Alembic, so a command that only reads starts without either (ADR 0031).
"""

import fcntl
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson

from krai.adapters.sql.leaf_index import (
    LEAF_INDEX_INSERT,
    by_leaf_hash,
    leaf_hash_parameters,
    leaf_index_rows,
)
from krai.adapters.sql.postgres_sequencing import SequencingConnection
from krai.adapters.sql.sqlite_writing import append_on, writing_connection
from krai.adapters.sql.wal import WalCheckpointer
from krai.app.ports import (
    Batch,
    NodeKey,
    NonContiguousBatchError,
    SchemaTooNewError,
    StoredCheckpoint,
    StoredEntry,
)
from krai.log.hashing import node_hash
from krai.state.store import DELETED, SCAN_END

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0004"
"""The newest Alembic revision in ``migrations/versions`` (a test holds them equal)."""
KEYS_PER_QUERY = 500
LEAVES_SELECT = "SELECT 0, idx, leaf_hash FROM log_entry WHERE idx IN (MARKS)"
NODES_SELECT = "SELECT level, idx, hash FROM tree_node WHERE level = ? AND idx IN (MARKS)"
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=FULL",  # the WAL is fsync'd at every commit: durable before the receipt
    "busy_timeout=10000",
    "foreign_keys=ON",
    "cache_size=-65536",  # 64 MiB of page cache for index maintenance as tables grow
    "wal_autocheckpoint=0",  # checkpoints run on their own thread (WalCheckpointer)
    "mmap_size=2147483648",  # reads map the file (capped by SQLite's build; 2 GiB on Debian)
)


def open_storage(url: str) -> "SqlStorage":
    """Open the database at ``url``, migrating it first unless it is at ``SCHEMA_HEAD``;
    raise ``SchemaTooNewError`` if a newer krai wrote it (a revision this one does not know)."""
    storage = SqlStorage(url)
    revision = storage.schema_revision()
    if revision == SCHEMA_HEAD:
        return storage
    if revision is not None and revision not in known_revisions():
        storage.close()
        raise SchemaTooNewError(
            f"the database is at schema revision {revision}, which this krai does not know"
            f" (its newest is {SCHEMA_HEAD}): open it with the krai that wrote it"
        )
    storage.migrate()
    return storage


def known_revisions() -> set[str]:
    """The Alembic revisions in ``migrations/versions`` (each file is ``NNNN_name.py``)."""
    return {path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")}


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///path`` URL without options; None for any other URL (an
    in-memory database, PostgreSQL), which is then opened through SQLAlchemy."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url == prefix or url.endswith(":memory:"):
        return None
    return Path(url[len(prefix) :])


class SqlStorage:
    """Storage of one ledger in one SQL database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._file = sqlite_file(url)
        self._sqlite = url.startswith("sqlite")
        """SQLite: the driver's rows are already tuples of Python values (a PostgreSQL
        driver's rows and ``bytea`` values need converting), and JSON arrays can be joined."""
        self._marker = "?" if self._sqlite else "%s"
        self._local = threading.local()
        self._checkpointer: WalCheckpointer | None = None
        self._held: list[SequencingConnection] = []
        """Every thread's sequencing connection, closed with the storage (PostgreSQL)."""
        self._held_lock = threading.Lock()
        self._writers: list[sqlite3.Connection] = []
        """Every thread's connection writing batches to a SQLite file."""

    @cached_property
    def engine(self) -> "Engine":
        """SQLAlchemy's engine, created on first use (writes, migrations, PostgreSQL reads)."""
        from sqlalchemy import create_engine, event  # noqa: PLC0415 - only when writing

        engine = create_engine(self.url, pool_pre_ping=True)
        if self._sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            event.listen(engine, "checkin", _transactional_again)
        return engine

    def _connect(self) -> Any:
        """A driver connection of this thread's own: SQLite files directly, else from the pool."""
        if self._file is None:
            # One statement a read: autocommit spares a BEGIN and a ROLLBACK a read (ADR 0044).
            pooled = self.engine.raw_connection()
            pooled.rollback()
            pooled.driver_connection.autocommit = True  # type: ignore[union-attr]
            return pooled
        connection = sqlite3.connect(self._file, timeout=10)
        _sqlite_pragmas(connection, None)
        return connection

    def _read_connection(self) -> Any:
        """This thread's own driver connection for reads, opened on first use."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    def fetch_rows(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run a read on this thread's own driver connection, past SQLAlchemy's overhead."""
        connection = self._read_connection()
        rows: list[tuple[Any, ...]]
        cursor = connection.cursor()
        try:
            cursor.execute(sql.replace("?", self._marker), tuple(parameters))
            fetched = cursor.fetchall()
            rows = cast("list[Any]", fetched) if self._sqlite else [tuple(r) for r in fetched]
        finally:
            cursor.close()
            connection.rollback()
        return rows

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at; None before its first migration."""
        exists = (
            "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            if self._sqlite
            else "SELECT count(*) FROM information_schema.tables"
            " WHERE table_name = 'alembic_version' AND table_schema = current_schema()"
        )
        if not self.fetch_rows(exists, [])[0][0]:
            return None
        rows = self.fetch_rows("SELECT version_num FROM alembic_version", [])
        return str(rows[0][0]) if rows else None

    def migrate(self) -> None:
        """Bring the schema to the newest revision."""
        from alembic import command  # noqa: PLC0415 - only when migrating
        from alembic.config import Config  # noqa: PLC0415

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def log_size(self) -> int:
        held = self._held_sequencing()
        if held is not None:  # PostgreSQL, under the lock: known since it was granted
            return held.size
        highest = self.fetch_rows("SELECT max(idx) FROM log_entry", [])[0][0]
        return 0 if highest is None else int(highest) + 1

    def append_batch(
        self, batch: Batch, seal: Callable[[], StoredCheckpoint] | None = None
    ) -> None:
        if self._file is not None:
            append_on(
                self._writer(),
                batch.entries[0].index if batch.entries else None,
                _batch_statements(batch),
                lambda: [] if seal is None else [(CHECKPOINT_INSERT, [_checkpoint_row(seal())])],
            )
            self._after_commit()
            return
        held = self._held_sequencing()
        if held is not None:
            held.append(
                batch.entries[0].index if batch.entries else None,
                [(_TABLES[sql], rows) for sql, rows in _batch_statements(batch)],
                lambda: None if seal is None else (_CHECKPOINT_PG, _checkpoint_row(seal())),
            )
            return
        with self.engine.begin() as connection:
            size = _log_size(connection)
            if batch.entries and batch.entries[0].index != size:
                raise NonContiguousBatchError(
                    f"batch starts at {batch.entries[0].index}, log size is {size}"
                )
            self._write(connection, _batch_statements(batch))
            if seal is not None:
                self._write(connection, [(CHECKPOINT_INSERT, [_checkpoint_row(seal())])])
        self._after_commit()

    def _writer(self) -> sqlite3.Connection:
        """This thread's connection for writing batches to the SQLite file (ADR 0050)."""
        writer: sqlite3.Connection | None = getattr(self._local, "writer", None)
        if writer is None:
            assert self._file is not None  # only called for a file
            writer = self._local.writer = writing_connection(self._file, SQLITE_PRAGMAS)
            with self._held_lock:
                self._writers.append(writer)
        return writer

    def _after_commit(self) -> None:
        """Wake the WAL checkpointer of a SQLite file, starting it on the first commit."""
        if self._checkpointer is None:
            if self._file is None:
                return
            self._checkpointer = WalCheckpointer(self._file)
        self._checkpointer.wake()

    def _write(
        self, connection: "Connection", statements: list[tuple[str, list[tuple[Any, ...]]]]
    ) -> None:
        """Bulk inserts through the driver, inside the SQLAlchemy transaction."""
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for sql, rows in statements:
                if rows:
                    cursor.executemany(sql.replace("?", self._marker), rows)
        finally:
            cursor.close()

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """One query, using the primary keys: leaves come from ``log_entry``, nodes of level 2
        and up from ``tree_node`` (level by level, ``idx IN (...)``); a level-1 node is not
        stored but hashed from its two leaves (ADR 0018)."""
        pairs = {index for level, index in keys if level == 1}
        wanted = [key for key in keys if key[0] != 1]
        wanted += [(0, 2 * index + side) for index in pairs for side in (0, 1)]
        found = self._read_stored(wanted)
        for index in pairs:
            left, right = found.get((0, 2 * index)), found.get((0, 2 * index + 1))
            if left is not None and right is not None:
                found[(1, index)] = node_hash(left, right)
        return {key: found[key] for key in keys if key in found}

    def _read_stored(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        by_level: dict[int, set[int]] = {}
        for level, index in keys:
            by_level.setdefault(level, set()).add(index)
        selects, parameters = [], []
        for level, indexes in sorted(by_level.items()):
            marks = ", ".join("?" * len(indexes))  # only placeholders enter the SQL text
            if level == 0:
                selects.append(LEAVES_SELECT.replace("MARKS", marks))
                parameters.extend(sorted(indexes))
            else:
                selects.append(NODES_SELECT.replace("MARKS", marks))
                parameters.extend([level, *sorted(indexes)])
        if not selects:
            return {}
        rows = self.fetch_rows(" UNION ALL ".join(selects), parameters)
        return {(level, index): bytes(value) for level, index, value in rows}

    def entry(self, index: int) -> StoredEntry | None:
        return next(self.entries(index, index + 1), None)

    def entries(self, start: int, end: int) -> Iterator[StoredEntry]:
        # On the driver's connection, as other hot reads: a proof reads its entry this way,
        # and SQLAlchemy's statement building took half of a proof's time.
        rows = self.fetch_rows(ENTRIES_SELECT, [start, end])
        return iter([_stored_entry(row) for row in rows])

    def entry_bytes(self, start: int, end: int) -> list[bytes]:
        rows = self.fetch_rows(ENTRY_BYTES_SELECT, [start, end])
        return [bytes(data) for (data,) in rows]

    def entry_by_tx_id(self, tx_id: str) -> StoredEntry | None:
        digest = _digest(tx_id)
        if digest is None:
            return None
        rows = self.fetch_rows(f"{ENTRY_SELECT} WHERE tx_id = ?", [digest])
        return _stored_entry(rows[0]) if rows else None

    def entry_by_leaf_hash(self, leaf_hash: bytes) -> StoredEntry | None:
        rows = self.fetch_rows(by_leaf_hash(ENTRY_SELECT), leaf_hash_parameters(leaf_hash))
        return _stored_entry(rows[0]) if rows else None

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        newest = self.checkpoints(limit=1)
        return newest[0] if newest else None

    def checkpoint_at(self, size: int) -> StoredCheckpoint | None:
        rows = self.fetch_rows(f"{CHECKPOINT_SELECT} WHERE size = ?", [size])
        return _stored_checkpoint(rows[0]) if rows else None

    def checkpoints(self, limit: int) -> list[StoredCheckpoint]:
        rows = self.fetch_rows(f"{CHECKPOINT_SELECT} ORDER BY size DESC LIMIT ?", [limit])
        return [_stored_checkpoint(row) for row in rows]

    def write_now(self, sql: str, parameters: Sequence[Any]) -> None:
        """One statement in a transaction of its own, outside the sequencer's batches."""
        with self.engine.begin() as connection:
            self._write(connection, [(sql, [tuple(parameters)])])

    def get_bytes(self, key: str) -> bytes | None:
        rows = self.fetch_rows("SELECT value FROM state WHERE key = ?", [key])
        return bytes(rows[0][0]) if rows else None

    def get_many(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        if self._sqlite:
            # The keys as one JSON array, each looked up in the key index in turn: about half
            # the time per key of an IN list, which SQLite first sorts into a temporary B-tree
            # (the sequencer prefetches two mostly absent keys a transaction). SQLite's JSON
            # text ends at a NUL, so a key holding one is looked up by the IN list.
            array = orjson.dumps(list(keys))
            if b"\\u0000" not in array:
                return dict(self.fetch_rows(STATE_GET_JSON, [array.decode()]))
        else:
            return self._state_by_array(keys)
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT key, value FROM state WHERE key IN ({marks})"  # noqa: S608 - placeholders only
            found.update((key, bytes(value)) for key, value in self.fetch_rows(sql, chunk))
        return found

    def _state_by_array(self, keys: Sequence[str]) -> dict[str, bytes]:
        """PostgreSQL: ``STATE_GET_ARRAY``, sent unprepared (planned with its keys each time)."""
        cursor = self._read_connection().cursor()
        try:
            cursor.execute(STATE_GET_ARRAY, (list(keys),), prepare=False)
            return {key: bytes(value) for key, value in cursor.fetchall()}
        finally:
            cursor.close()

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        return self.scan_range(prefix, prefix + SCAN_END)

    def scan_range(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        rows = self.fetch_rows(
            "SELECT key, value FROM state WHERE key >= ? AND key < ? ORDER BY key", [start, end]
        )
        if self._sqlite:
            return iter(rows)  # SQLite gives (str, bytes) tuples
        return iter([(key, bytes(value)) for key, value in rows])

    def read_unmapped(self) -> None:
        """SQLite: stop mapping the file into this thread's reads (a verification reads it
        all once; mapped, every page read would stay in the process's resident memory)."""
        if self._sqlite:
            self.fetch_rows("PRAGMA mmap_size=0", [])

    def state_after(self, key: str, limit: int) -> list[tuple[str, bytes]]:
        rows = self.fetch_rows(
            "SELECT key, value FROM state WHERE key > ? ORDER BY key LIMIT ?", [key, limit]
        )
        return [(found, bytes(value)) for found, value in rows]

    def events(self, start: int, end: int) -> Iterator[tuple[int, int, dict[str, Any]]]:
        rows = self.fetch_rows(
            "SELECT idx, events FROM log_entry WHERE idx >= ? AND idx < ? AND events IS NOT NULL"
            " ORDER BY idx",
            [start, end],
        )
        return iter(
            [
                (index, position, event)
                for index, text in rows
                for position, event in enumerate(orjson.loads(text))
            ]
        )

    def rewrite_state(self, changes: Iterable[tuple[str, bytes]]) -> None:
        """Written ``STATE_REWRITE_CHUNK`` changes at a time, all in one transaction."""
        with self.engine.begin() as connection:
            chunk: list[tuple[str, bytes]] = []
            for change in changes:
                chunk.append(change)
                if len(chunk) == STATE_REWRITE_CHUNK:
                    self._write(connection, _state_statements(chunk))
                    chunk = []
            self._write(connection, _state_statements(chunk))
        self._after_commit()

    def _held_sequencing(self) -> SequencingConnection | None:
        """PostgreSQL: this thread's sequencing connection while it holds the lock, else None."""
        held: SequencingConnection | None = getattr(self._local, "sequencing", None)
        return held if held is not None and held.locked else None

    @contextmanager
    def sequencing(self) -> Iterator[None]:
        """PostgreSQL: a session advisory lock on a connection this thread holds from batch
        to batch, which also writes the batches (ADR 0044); SQLite: an exclusive ``flock`` on
        a file beside the database. Both end with the process."""
        if not self._sqlite:
            with self._sequencing_connection().locked_connection():
                yield
            return
        if self._file is None:
            yield
            return
        with Path(f"{self._file}-sequencer.lock").open("a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _sequencing_connection(self) -> SequencingConnection:
        held: SequencingConnection | None = getattr(self._local, "sequencing", None)
        if held is None:
            held = self._local.sequencing = SequencingConnection(self._detached_connection)
            with self._held_lock:
                self._held.append(held)
        return held

    def _detached_connection(self) -> Any:
        """A driver connection of the pool's, taken out of it for good."""
        pooled = self.engine.raw_connection()
        connection = pooled.driver_connection
        pooled.detach()
        return connection

    def after_fork(self) -> "SqlStorage":
        """Make this storage safe to read in a process forked after it was opened: forget the
        parent's connections (without closing them, the parent still owns them)."""
        self._local = threading.local()
        self._checkpointer = None
        # The parent's connections: kept from the collector, never closed here (it owns them).
        self._inherited, self._held = self._held, []
        self._inherited_writers, self._writers = self._writers, []
        if "engine" in self.__dict__:
            self.engine.dispose(close=False)
        return self

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
        with self._held_lock:
            held, self._held = self._held, []
            writers, self._writers = self._writers, []
        for connection in held:
            connection.drop()
        for writer in writers:
            writer.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def _log_size(connection: "Connection") -> int:
    highest = connection.exec_driver_sql("SELECT max(idx) FROM log_entry").scalar()
    return 0 if highest is None else int(highest) + 1


def _transactional_again(dbapi_connection: Any, _record: Any) -> None:
    """A read connection (autocommit) goes back to the pool as SQLAlchemy's writes expect it:
    with transactions, so a batch written on it stays atomic."""
    if dbapi_connection is not None and dbapi_connection.autocommit:
        with suppress(Exception):  # a broken connection is replaced at the next ping
            dbapi_connection.autocommit = False


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


ENTRY_INSERT = (
    "INSERT INTO log_entry (idx, data, leaf_hash, tx_id, signer, tx_type, time_ms, events) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
NODE_INSERT = "INSERT INTO tree_node (level, idx, hash) VALUES (?, ?, ?)"
STATE_DELETE = "DELETE FROM state WHERE key = ?"
STATE_REWRITE_CHUNK = 10_000
"""State changes of a rewrite sent to the database at a time."""
STATE_UPSERT = (
    "INSERT INTO state (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
ENTRY_FIELDS = ("idx", "data", "leaf_hash", "tx_id", "signer", "tx_type", "time_ms")
"""The columns a ``StoredEntry`` is read from, in ``_stored_entry``'s order."""
ENTRY_SELECT = f"SELECT {', '.join(ENTRY_FIELDS)} FROM log_entry"  # noqa: S608 - fixed names
ENTRIES_SELECT = f"{ENTRY_SELECT} WHERE idx >= ? AND idx < ? ORDER BY idx"
ENTRY_BYTES_SELECT = "SELECT data FROM log_entry WHERE idx >= ? AND idx < ? ORDER BY idx"
CHECKPOINT_SELECT = "SELECT size, root_hash, note, time_ms FROM checkpoint"
STATE_GET_JSON = (
    "SELECT s.key, s.value FROM json_each(?) AS j CROSS JOIN state AS s ON s.key = j.value"
)
STATE_GET_ARRAY = (
    "SELECT s.key, s.value FROM unnest(%b::text[]) AS wanted(key) CROSS JOIN LATERAL"
    " (SELECT key, value FROM state WHERE state.key = wanted.key LIMIT 1) AS s"
)
"""PostgreSQL: the values of many keys, the keys as one binary array (psycopg converted an IN
list's placeholders one by one, 1.6-8 µs of the client's CPU a key; this is under 1), each
looked up in the key index in turn. The ``LIMIT`` keeps the subquery from being flattened
into a join, whose plan followed the table's size and statistics: a sequential scan of the
whole state at 40,000 rows, for an IN list as for ``key = ANY(array)`` (ADRs 0053, 0057)."""
CHECKPOINT_INSERT = "INSERT INTO checkpoint (size, root_hash, note, time_ms) VALUES (?, ?, ?, ?)"
_CHECKPOINT_PG = CHECKPOINT_INSERT.replace("?", "%s")
_TABLES = {
    ENTRY_INSERT: "log_entry",
    NODE_INSERT: "tree_node",
    STATE_DELETE: "state_delete",
    STATE_UPSERT: "state_upsert",
    CHECKPOINT_INSERT: "checkpoint",
    LEAF_INDEX_INSERT: "leaf_index",
}
"""Each statement of ``_batch_statements`` as ``postgres_sequencing.BY_ARRAYS`` names it."""


def _batch_statements(batch: Batch) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Each statement of a batch with its rows, in a fixed order."""
    writes = batch.state_writes
    checkpoint = batch.checkpoint
    events: dict[int, list[Mapping[str, Any]]] = {}
    for index, _, fact in batch.events:
        events.setdefault(index, []).append(fact)
    return [
        (ENTRY_INSERT, [_entry_row(e, events.get(e.index)) for e in batch.entries]),
        # Leaves are not repeated in tree_node (log_entry.leaf_hash holds them), and a level-1
        # node is hashed from its two leaves when read (ADR 0018): half the rows.
        (NODE_INSERT, [(lv, index, value) for (lv, index), value in batch.nodes if lv > 1]),
        # In key order: the inserts walk the state's key index from one end to the other.
        *_state_statements(sorted(writes.items())),
        (CHECKPOINT_INSERT, [_checkpoint_row(checkpoint)] if checkpoint else []),
        # After the entries it reads from log_entry: the strides the batch completes (ADR 0054).
        (LEAF_INDEX_INSERT, _leaf_index_ranges(batch)),
    ]


def _leaf_index_ranges(batch: Batch) -> list[tuple[int, int]]:
    """The range of entries the batch brings into ``leaf_index``, if it completes a stride."""
    if not batch.entries:
        return []
    return leaf_index_rows(batch.entries[0].index, batch.entries[-1].index + 1)


def _state_statements(writes: Sequence[tuple[str, bytes]]) -> list[tuple[str, list[Any]]]:
    return [
        (STATE_DELETE, [(key,) for key, raw in writes if raw == DELETED]),
        (STATE_UPSERT, [(key, raw) for key, raw in writes if raw != DELETED]),
    ]


def _entry_row(entry: StoredEntry, events: list[Mapping[str, Any]] | None) -> tuple[Any, ...]:
    return (
        entry.index,
        entry.data,
        entry.leaf_hash,
        bytes.fromhex(entry.tx_id) if entry.tx_id else None,
        entry.signer,
        entry.tx_type,
        entry.time_ms,
        orjson.dumps(events, option=orjson.OPT_SORT_KEYS).decode() if events else None,
    )


def _digest(tx_id: str) -> bytes | None:
    """The 32 bytes of a transaction id in hex, or None if it is not one."""
    if len(tx_id) != 64:
        return None
    try:
        return bytes.fromhex(tx_id)
    except ValueError:
        return None


def _checkpoint_row(checkpoint: StoredCheckpoint) -> tuple[Any, ...]:
    return (checkpoint.size, checkpoint.root_hash, checkpoint.note, checkpoint.time_ms)


def _stored_entry(row: Sequence[Any]) -> StoredEntry:
    """An entry from its ``ENTRY_FIELDS`` columns (a driver's row or a tuple)."""
    index, data, leaf, tx_id, signer, tx_type, time_ms = row
    return StoredEntry(
        index=index,
        data=bytes(data),
        leaf_hash=bytes(leaf),
        tx_id=bytes(tx_id).hex() if tx_id is not None else None,
        signer=signer,
        tx_type=tx_type,
        time_ms=time_ms,
    )


def _stored_checkpoint(row: Sequence[Any]) -> StoredCheckpoint:
    size, root_hash, note, time_ms = row
    return StoredCheckpoint(size=size, root_hash=bytes(root_hash), note=note, time_ms=time_ms)
