"""SQLite WAL checkpoints on a thread of their own, off the writer's commit path.

By default SQLite copies the write-ahead log back into the database file inside whichever
commit crosses 1,000 WAL pages: the writer pays for it, about a batch in every one. Storage
turns that off (``wal_autocheckpoint=0``) and wakes this thread after each commit instead; it
runs a PASSIVE checkpoint on its own connection, which never blocks the writer or readers,
and SQLite releases the GIL while it copies. Checkpoints are spaced at least ``SPACING_SECONDS``
apart: the pages every batch touches (the tops of the indexes) are then copied once for
several commits, not once for each. Durability is unchanged: a commit is durable once the
WAL is fsync'd, checkpointed or not.
"""

import contextlib
import sqlite3
import threading
from pathlib import Path

IDLE_SECONDS = 1.0
"""How long the thread sleeps when nobody wakes it; it checkpoints then anyway."""
SPACING_SECONDS = 0.5
"""The least time from one checkpoint to the next, however many commits wake the thread."""


class WalCheckpointer:
    """A daemon thread that checkpoints one SQLite database's WAL when woken."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.checkpoints = 0
        """PASSIVE checkpoints run so far."""
        self._thread = threading.Thread(target=self._run, name="krai-wal-checkpoint", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Ask for a checkpoint soon (after a commit)."""
        self._wake.set()

    def stop(self) -> None:
        """Finish with a checkpoint that empties the WAL, and end the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, timeout=10.0, check_same_thread=False)
        try:
            while not self._stop.is_set():
                self._wake.wait(IDLE_SECONDS)
                self._wake.clear()
                _checkpoint(connection, "PASSIVE")
                self.checkpoints += 1
                self._stop.wait(SPACING_SECONDS)
            _checkpoint(connection, "TRUNCATE")
        finally:
            connection.close()


def _checkpoint(connection: sqlite3.Connection, mode: str) -> None:
    # Busy or locked: the next wake tries again; nothing is lost by waiting.
    with contextlib.suppress(sqlite3.OperationalError):
        connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
