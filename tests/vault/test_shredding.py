"""Crypto-shredding on SQLite: after an erasure the vault file holds no trace of the person.

The personal data never reaches the file in clear; what an erasure must remove is the sealed
data and the wrapped data key, which the master key would open. The raw bytes of every file
of the vault's database are searched for them.
"""

from pathlib import Path

from sqlalchemy import select

from krai.adapters.vault import schema
from krai.adapters.vault.store import open_vault
from tests.vault.conftest import ANNA, PETR, SettableClock


def vault_bytes(directory: Path) -> bytes:
    """The raw bytes of the database file and of any journal beside it."""
    return b"".join(path.read_bytes() for path in sorted(directory.glob("vault.db*")))


def test_no_trace_of_an_erased_person_remains_in_the_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    vault = open_vault(
        f"sqlite:///{home / 'vault.db'}", home / "keys" / "k", SettableClock(), create=True
    )
    vault.enrol(ANNA, "p1")
    vault.enrol(ANNA, "p2")
    vault.enrol(PETR, "p1")
    table = schema.subject
    with vault.engine.connect() as connection:
        rows = connection.execute(select(table)).all()
    anna = next(row for row in rows if row.dedup_key == vault.find(ANNA.snils).dedup_key)  # type: ignore[union-attr]
    sealed, wrapped = bytes(anna.sealed_data), bytes(anna.wrapped_data_key)
    clear = [ANNA.full_name.encode(), b"11223344595", ANNA.birth_date.encode()]
    before = vault_bytes(home)
    assert sealed in before
    assert wrapped in before
    assert not any(value in before for value in clear)  # sealed from the start

    vault.erase(ANNA.snils)
    vault.close()

    after = vault_bytes(home)
    for value in [sealed, wrapped, sealed[24:40], wrapped[24:40], *clear]:
        assert value not in after
    assert [path.name for path in home.glob("vault.db*")] == ["vault.db"]
    reopened = open_vault(f"sqlite:///{home / 'vault.db'}", home / "keys" / "k")
    try:
        assert reopened.read(ANNA.snils).to_json()["status"] == "erased"
        assert reopened.read(PETR.snils).person == PETR
    finally:
        reopened.close()
