"""Batches written to a SQLite file by the driver itself (ADR 0050): without SQLAlchemy, and
on a connection each writing thread holds."""

import subprocess
import sys
import threading
from pathlib import Path

from krai.adapters.sql.sqlite_writing import append_on, writing_connection
from krai.adapters.sql.storage import SQLITE_PRAGMAS, open_storage
from krai.log.tree import CompactRange, root_hash
from tests.storage.test_storage_conformance import batch_of

WRITE_ONE_BATCH = """
import sys
from krai.adapters.sql.sqlite_writing import append_on, writing_connection
from krai.adapters.sql.storage import SQLITE_PRAGMAS, open_storage
from krai.app.ports import Batch, StoredCheckpoint, StoredEntry
from krai.log.hashing import leaf_hash
from krai.log.tree import CompactRange
storage = open_storage(sys.argv[1])
tree = CompactRange()
entry = StoredEntry(0, b"{}", leaf_hash(b"{}"), "ab" * 32, "7734250208", "notary.anchor", 1)
nodes = tree.append(entry.leaf_hash)
checkpoint = StoredCheckpoint(1, tree.root(), "note\\n", 2)
storage.append_batch(Batch([entry], nodes, {"k": b"1"}, [], checkpoint))
print(storage.log_size(), storage.get_bytes("k"), "sqlalchemy" in sys.modules)
"""


def test_a_batch_is_written_to_a_sqlite_file_without_importing_sqlalchemy(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'krai.db'}"
    open_storage(url).close()  # created and migrated: the next opening needs no Alembic
    written = subprocess.run(
        [sys.executable, "-c", WRITE_ONE_BATCH, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert written.stdout.split() == ["1", "b'1'", "False"]


def test_each_thread_writes_on_its_own_connection_and_close_ends_them_all(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'krai.db'}"
    storage = open_storage(url)
    tree = CompactRange()
    storage.append_batch(batch_of(0, 2, tree))
    other = threading.Thread(target=lambda: storage.append_batch(batch_of(2, 2, tree)))
    other.start()
    other.join()
    storage.append_batch(batch_of(4, 1, tree))
    assert storage.log_size() == 5 and root_hash(storage, 5) == tree.root()
    storage.close()
    again = open_storage(url)
    assert again.log_size() == 5
    again.close()


def test_a_batch_is_written_before_its_seal_is_asked_for(tmp_path: Path) -> None:
    """The sequencer's seal waits for the batch's last signature verdicts: the batch's rows
    are written in the open transaction first, so the writes overlap verification (ADR 0056),
    and no other connection sees any of them before the commit."""
    file = tmp_path / "krai.db"
    open_storage(f"sqlite:///{file}").close()
    connection = writing_connection(file, SQLITE_PRAGMAS)
    entries = [(index, b"{}", bytes([index]) * 32, 1) for index in range(3)]
    statements = [
        ("INSERT INTO log_entry (idx, data, leaf_hash, time_ms) VALUES (?, ?, ?, ?)", entries),
        ("INSERT INTO state (key, value) VALUES (?, ?)", [("k", b"1")]),
    ]
    reader = open_storage(f"sqlite:///{file}")
    seen: list[tuple[int, int, int]] = []

    def sealed() -> list[tuple[str, list[tuple[object, ...]]]]:
        written = connection.execute("SELECT count(*) FROM log_entry").fetchone()[0]
        keys = connection.execute("SELECT count(*) FROM state").fetchone()[0]
        seen.append((written, keys, reader.log_size()))
        checkpoint = (3, b"r" * 32, "note\n", 2)
        return [("INSERT INTO checkpoint VALUES (?, ?, ?, ?)", [checkpoint])]

    append_on(connection, 0, statements, sealed)
    assert seen == [(3, 1, 0)]
    assert reader.log_size() == 3 and reader.checkpoint_at(3) is not None
    reader.close()
    connection.close()
