"""The vault on each SQL back end: a SQLite file and a real PostgreSQL, with a settable clock."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from krai.adapters.vault.store import SqlVault, open_vault
from krai.app.vault import Person

DAY_MS = 86_400_000
START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z

ANNA = Person("112-233-445 95", "Анна Сергеевна Иванова", "1984-03-08", "Калининград, ул. Мира, 1")
PETR = Person("01024236877", "Пётр Ильич Смирнов", "1950-11-30", "Черняховск, ул. Ленина, 7")


@dataclass
class SettableClock:
    """A clock the test moves."""

    time_ms: int = START_MS

    def now_ms(self) -> int:
        return self.time_ms


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def vault_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty vault database of each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'home' / 'vault.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "home" / "keys" / "vault-master.key"


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def vault(vault_url: str, key_file: Path, clock: SettableClock) -> Iterator[SqlVault]:
    opened = open_vault(vault_url, key_file, clock, create=True)
    yield opened
    opened.close()
