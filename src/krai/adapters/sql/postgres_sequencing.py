"""PostgreSQL: the sequencer's own connection, held from batch to batch (ADR 0044).

Each batch used to take a pooled connection for the advisory lock and another for the
writes, each checked by a ping on checkout, each statement after an explicit ``BEGIN``:
some nineteen round trips a batch. The sequencing thread now holds one connection of its
own in autocommit mode: the lock and the log's size are one message (it is also the ping: a
broken connection is replaced and the lock asked for once more, as nothing was done yet),
the writes and the checkpoint one pipeline ending in ``COMMIT``, the unlock one. Each table's
rows go as one statement over arrays (``unnest``), not one message a row. A batch
that fails drops the connection, so the next starts on a new one; the session's end
releases its lock. Each thread holds its own: advisory locks are per session, so two
threads of one process still exclude each other.

While it holds the lock the connection knows the log's size (read once the lock was
granted, then counted up by each batch it commits): every appender takes the lock, so no
other can change it meanwhile. The catch-up's read of the size and the contiguity check of
each batch are answered from it, with no exchange of their own (ADR 0057): each exchange
gives the sequencing thread's GIL away, and under load it waits up to the interpreter's
switch interval to have it back.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from krai.app.ports import NonContiguousBatchError

SEQUENCER_LOCK = 0x6B726169_5345510A
"""The PostgreSQL advisory lock key a sequencer holds while it appends ("krai", "SEQ\\n")."""
LOG_SIZE = "SELECT max(idx) FROM log_entry"
LOCK_AND_SIZE = (
    f"BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_lock({SEQUENCER_LOCK});"
    f" {LOG_SIZE}; COMMIT"
)
"""The lock, then the log's size, in one message (the simple protocol runs its statements in
order). Read committed whatever the session's default: the size's statement takes its own
snapshot, after the lock is granted, so it sees every batch committed before (ADR 0044
rejected one statement doing both: its snapshot would be taken before the lock)."""
BY_ARRAYS = {
    "log_entry": "INSERT INTO log_entry (idx, data, leaf_hash, tx_id, signer, tx_type, time_ms,"
    " events) SELECT * FROM unnest(%b::bigint[], %b::bytea[], %b::bytea[], %b::bytea[],"
    " %b::text[], %b::text[], %b::bigint[], %b::text[])",
    "tree_node": "INSERT INTO tree_node (level, idx, hash)"
    " SELECT * FROM unnest(%b::integer[], %b::bigint[], %b::bytea[])",
    "state_delete": "DELETE FROM state WHERE key = ANY(%b::text[])",
    "checkpoint": "INSERT INTO checkpoint (size, root_hash, note, time_ms)"
    " SELECT * FROM unnest(%b::bigint[], %b::bytea[], %b::text[], %b::bigint[])",
    "state_upsert": "INSERT INTO state (key, value) SELECT * FROM unnest(%b::text[], %b::bytea[])"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    "leaf_index": "INSERT INTO leaf_index (leaf_hash, idx) SELECT leaf_hash, idx FROM log_entry"
    " WHERE idx >= (%b::bigint[])[1] AND idx < (%b::bigint[])[1] ORDER BY leaf_hash",
}
"""Each table's rows as one statement over one array a column (the state's keys of a batch
are distinct, as ``ON CONFLICT`` requires; ``leaf_index``'s one row is the range of entries
it takes from ``log_entry``, ADR 0054). The arrays go in binary (``%b``): in text, psycopg
quotes every ``bytea`` and JSON element with a regular expression — a third of the sequencing
process's time on PostgreSQL (ADR 0050)."""


class SequencingConnection:
    """One thread's held connection and whether it holds the sequencing lock now."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._connection: Any = None
        self.locked = False
        self.size = 0
        """The log's size while ``locked``: read with the lock, counted up by each batch."""

    @contextmanager
    def locked_connection(self) -> Iterator[Any]:
        """The connection, holding the sequencing lock until the block ends."""
        connection = self._lock()
        self.locked = True
        try:
            yield connection
        except BaseException:
            self.locked = False
            self.drop()  # the session's end releases the lock
            raise
        self.locked = False
        try:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SEQUENCER_LOCK,))
        except Exception:  # the session is gone, and its lock with it
            self.drop()

    def _lock(self) -> Any:
        for attempt in range(2):
            if self._connection is None:
                self._connection = self._opened()
            try:
                self.size = _locked_size(self._connection.execute(LOCK_AND_SIZE))
            except Exception:
                self.drop()
                if attempt:
                    raise
            else:
                return self._connection
        raise AssertionError("unreachable")  # pragma: no cover

    def _opened(self) -> Any:
        connection = self._connect()
        connection.rollback()
        connection.autocommit = True
        return connection

    def drop(self) -> None:
        """Close the connection (if any); the next lock opens a new one."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with suppress(Exception):
                connection.close()

    def append(
        self,
        first_index: int | None,
        rows_by_table: Sequence[tuple[str, Sequence[tuple[Any, ...]]]],
        checkpoint: Callable[[], tuple[str, tuple[Any, ...]] | None],
    ) -> None:
        """Write each ``BY_ARRAYS`` statement's rows and the checkpoint in one transaction,
        once the batch is found to start at the log's size: ``BEGIN``, the statements and
        ``COMMIT`` pipelined, then one ``Sync``. Returns once the commit is durable.

        ``BEGIN`` and ``COMMIT`` are statements of the pipeline, not psycopg's
        ``transaction()``, which syncs after ``BEGIN`` and again before ``COMMIT`` (two more
        exchanges). If ``checkpoint`` raises (a signature guessed wrong, ADR 0009), or a
        statement fails, the open transaction is rolled back and the error raised."""
        if first_index is not None and first_index != self.size:
            raise NonContiguousBatchError(f"batch starts at {first_index}, log size is {self.size}")
        connection = self._connection
        try:
            with connection.pipeline():
                cursor = connection.cursor()
                cursor.execute("BEGIN")
                for table, rows in rows_by_table:
                    if rows:
                        columns = [list(column) for column in zip(*rows, strict=True)]
                        cursor.execute(BY_ARRAYS[table], columns)
                sealed = checkpoint()
                if sealed is not None:
                    cursor.execute(*sealed)
                cursor.execute("COMMIT")
        except BaseException:
            with suppress(Exception):  # a broken session is dropped with the lock's block
                connection.rollback()
            raise
        self.size += sum(len(rows) for table, rows in rows_by_table if table == "log_entry")


def _locked_size(cursor: Any) -> int:
    """The log's size from ``LOCK_AND_SIZE``'s results (its third statement's)."""
    for _ in range(2):
        cursor.nextset()
    highest = cursor.fetchone()[0]
    return 0 if highest is None else int(highest) + 1
