"""A replay's state in a temporary SQLite file (``ScratchState``, ADR 0029).

Nothing here has to survive a crash: the file is unlinked as soon as it is open, so it is gone
when the process ends however it ends, and SQLite keeps no journal and never syncs. Keys are
``TEXT`` under SQLite's binary collation: UTF-8 byte order, which is ``str``'s code point order.
"""

import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from krai.state.store import DELETED

CACHE_KIB = 32 * 1024
"""SQLite's page cache: the hot part of the state (keys, roles) stays in memory."""


class SqliteScratchState:
    """State in a temporary SQLite file of its own, removed on ``close``."""

    def __init__(self, directory: Path | None = None) -> None:
        handle, path = tempfile.mkstemp(prefix="krai-replay-", suffix=".sqlite", dir=directory)
        os.close(handle)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        finally:
            Path(path).unlink()  # the open connection keeps the file until it closes
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            f"cache_size=-{CACHE_KIB}",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(
            "CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"
        )

    def get_bytes(self, key: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def scan_range(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        cursor = self._db.execute(
            "SELECT key, value FROM state WHERE key >= ? AND key < ? ORDER BY key", (start, end)
        )
        return iter(cursor)

    def write(self, writes: Mapping[str, bytes]) -> None:
        kept = [(key, raw) for key, raw in writes.items() if raw != DELETED]
        removed = [(key,) for key, raw in writes.items() if raw == DELETED]
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", kept)
        self._db.executemany("DELETE FROM state WHERE key = ?", removed)
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
