"""A batch written to a SQLite file by the standard library's driver, past SQLAlchemy (ADR 0050).

Each writing thread holds one connection of its own, opened with the storage's pragmas (WAL,
``synchronous=FULL``: durable at ``COMMIT``) in autocommit mode, so a batch is exactly
``BEGIN IMMEDIATE``, the log's size checked, one ``executemany`` a table, its checkpoint,
``COMMIT`` — and anything raised on the way rolls it all back. Nothing of SQLAlchemy is
imported or run on the writer's path: a server's first batch does not wait for the import,
and no batch pays for a pool checkout, its ping, or the transaction's wrappers.
"""

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from krai.app.ports import NonContiguousBatchError

BUSY_TIMEOUT_S = 10.0
Statements = Sequence[tuple[str, list[tuple[Any, ...]]]]


def writing_connection(file: Path, pragmas: Sequence[str]) -> sqlite3.Connection:
    """A connection to write batches on: autocommit, so each batch's transaction is explicit."""
    connection = sqlite3.connect(
        file, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    for pragma in pragmas:
        connection.execute(f"PRAGMA {pragma}")
    return connection


def append_on(
    connection: sqlite3.Connection,
    first_index: int | None,
    statements: Statements,
    sealed: Callable[[], Statements],
) -> None:
    """Write a batch in one transaction, committed (durably) when this returns.

    ``first_index``: the index the batch's first entry must have (the log's size), or None
    for a batch without entries; ``sealed``: the statements of its checkpoint, made once the
    rest is written (signing it may still refuse the batch, which then leaves nothing).
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        _check_contiguous(connection, first_index)
        cursor = connection.cursor()
        # The batch first, then the seal: the sequencer's seal waits for the batch's last
        # signature verdicts, so the writes go on while the workers still verify (ADR 0056).
        _execute(cursor, statements)
        _execute(cursor, sealed())
        cursor.close()
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _execute(cursor: sqlite3.Cursor, statements: Statements) -> None:
    for sql, rows in statements:
        if rows:
            cursor.executemany(sql, rows)


def _check_contiguous(connection: sqlite3.Connection, first_index: int | None) -> None:
    if first_index is None:
        return
    highest = connection.execute("SELECT max(idx) FROM log_entry").fetchone()[0]
    size = 0 if highest is None else int(highest) + 1
    if first_index != size:
        raise NonContiguousBatchError(f"batch starts at {first_index}, log size is {size}")
