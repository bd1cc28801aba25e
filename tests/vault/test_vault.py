"""The vault's contract, the same on SQLite and PostgreSQL (docs/spec/pseudonyms.md)."""

import dataclasses
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from krai.adapters.vault import schema
from krai.adapters.vault.store import SqlVault, open_vault
from krai.app.vault import Person, VaultError
from tests.vault.conftest import ANNA, DAY_MS, PETR, SettableClock

PSEUDONYM = re.compile(r"ps:[0-9a-f]{32}")
DEDUP = re.compile(r"dd:[0-9a-f]{32}")


def all_rows(vault: SqlVault) -> dict[str, list[dict[str, Any]]]:
    """Every row of every vault table."""
    with vault.engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in schema.metadata.sorted_tables
        }


def test_enrolment_gives_a_pseudonym_per_programme(vault: SqlVault) -> None:
    first = vault.enrol(ANNA, "kld.child-benefit")
    assert PSEUDONYM.fullmatch(first)
    assert vault.enrol(ANNA, "kld.child-benefit") == first
    second = vault.enrol(ANNA, "kld.drugs")
    assert second != first
    assert vault.enrol(PETR, "kld.child-benefit") not in {first, second}
    subject = vault.find("11223344595")
    assert subject is not None
    assert subject.pseudonyms == {"kld.child-benefit": first, "kld.drugs": second}
    assert DEDUP.fullmatch(subject.dedup_key)
    assert subject.erased_ms is None
    assert subject.person is None  # find never decrypts


def test_pseudonyms_are_stable_across_reopening(
    vault: SqlVault, vault_url: str, key_file: Path, clock: SettableClock
) -> None:
    first = vault.enrol(ANNA, "kld.child-benefit")
    dedup = vault.find(ANNA.snils)
    vault.close()
    reopened = open_vault(vault_url, key_file, clock)
    try:
        assert reopened.enrol(ANNA, "kld.child-benefit") == first
        assert reopened.find(ANNA.snils) == dedup
    finally:
        reopened.close()


def test_read_decrypts_the_normalised_person(vault: SqlVault) -> None:
    vault.enrol(dataclasses.replace(ANNA, full_name="  Анна  Сергеевна Иванова "), "p1")
    subject = vault.read("11223344595")
    assert subject.person == dataclasses.replace(ANNA, snils="11223344595")


def test_unknown_people_are_not_found(vault: SqlVault) -> None:
    assert vault.find(PETR.snils) is None
    with pytest.raises(VaultError, match="no person"):
        vault.read(PETR.snils)
    with pytest.raises(VaultError, match="no person"):
        vault.erase(PETR.snils)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"snils": "11223344596"}, "invalid SNILS"),
        ({"snils": "1122334459"}, "invalid SNILS"),
        ({"full_name": "   "}, "full name is empty"),
        ({"full_name": "Анна\x00"}, "control characters"),
        ({"birth_date": "08.03.1984"}, "YYYY-MM-DD"),
        ({"birth_date": "1984-02-30"}, "not a calendar date"),
        ({"birth_date": "19840308"}, "YYYY-MM-DD"),
        ({"birth_date": "2026-01-02"}, "in the future"),
        ({"address": "x" * 1001}, "longer than"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    vault: SqlVault, change: dict[str, str], message: str
) -> None:
    before = all_rows(vault)
    with pytest.raises(VaultError, match=message):
        vault.enrol(dataclasses.replace(ANNA, **change), "kld.child-benefit")
    assert all_rows(vault) == before


def test_a_bad_programme_id_is_refused(vault: SqlVault) -> None:
    before = all_rows(vault)
    with pytest.raises(VaultError, match="programme id"):
        vault.enrol(ANNA, "Kaliningrad/Child Benefit")
    assert all_rows(vault) == before


def test_the_same_snils_with_other_personal_data_is_refused(vault: SqlVault) -> None:
    vault.enrol(ANNA, "p1")
    before = all_rows(vault)
    with pytest.raises(VaultError, match="different personal data"):
        vault.enrol(dataclasses.replace(ANNA, full_name="Анна Петрова"), "p2")
    assert all_rows(vault) == before


def test_no_personal_data_is_stored_in_clear(vault: SqlVault) -> None:
    vault.enrol(ANNA, "p1")
    vault.enrol(PETR, "p1")
    text = repr(all_rows(vault))
    for person in (ANNA, PETR):
        for value in (person.snils, "11223344595", person.full_name, person.birth_date):
            assert value not in text
        assert person.address.split(",")[0] not in text


def test_erasure_keeps_pseudonyms_and_a_tombstone(vault: SqlVault, clock: SettableClock) -> None:
    pseudonym = vault.enrol(ANNA, "p1")
    clock.time_ms += 3 * DAY_MS
    erasure = vault.erase(ANNA.snils)
    assert erasure.first_time
    assert erasure.pseudonyms == {"p1": pseudonym}
    assert erasure.erased_ms == clock.time_ms
    subject = vault.read(ANNA.snils)
    assert subject.person is None
    assert subject.to_json()["status"] == "erased"
    assert subject.to_json()["erased_on"] == "2026-01-04"
    assert subject.pseudonyms == {"p1": pseudonym}
    rows = all_rows(vault)["subject"]
    assert rows[0]["wrapped_data_key"] is None
    assert rows[0]["sealed_data"] is None


def test_erasing_twice_returns_the_first_tombstone(vault: SqlVault, clock: SettableClock) -> None:
    vault.enrol(ANNA, "p1")
    first = vault.erase(ANNA.snils)
    clock.time_ms += DAY_MS
    again = vault.erase(ANNA.snils)
    assert not again.first_time
    assert again.erased_ms == first.erased_ms


def test_an_erased_person_cannot_be_enrolled_again(vault: SqlVault) -> None:
    vault.enrol(ANNA, "p1")
    vault.erase(ANNA.snils)
    before = all_rows(vault)
    for programme in ("p1", "p2"):
        with pytest.raises(VaultError, match="erased on 2026-01-01"):
            vault.enrol(ANNA, programme)
    assert all_rows(vault) == before


def test_erasing_one_person_leaves_the_others(vault: SqlVault) -> None:
    vault.enrol(ANNA, "p1")
    vault.enrol(PETR, "p1")
    vault.erase(ANNA.snils)
    assert vault.read(PETR.snils).person == PETR


def test_another_master_key_does_not_open_the_vault(
    vault: SqlVault, vault_url: str, key_file: Path, tmp_path: Path
) -> None:
    vault.enrol(ANNA, "p1")
    other = tmp_path / "other.key"
    open_vault(f"sqlite:///{tmp_path / 'other.db'}", other, create=True).close()
    with pytest.raises(VaultError, match="does not open this vault"):
        open_vault(vault_url, other)


def test_a_vault_with_keys_is_never_given_a_new_master_key(
    vault: SqlVault, vault_url: str, key_file: Path
) -> None:
    vault.enrol(ANNA, "p1")
    key_file.unlink()
    with pytest.raises(VaultError, match="missing"):
        open_vault(vault_url, key_file, create=True)
    assert not key_file.exists()


def test_a_missing_key_file_is_refused_before_the_database_is_touched(tmp_path: Path) -> None:
    database = tmp_path / "vault.db"
    with pytest.raises(VaultError, match="needs the vault operator's key"):
        open_vault(f"sqlite:///{database}", tmp_path / "keys" / "vault-master.key")
    assert not database.exists()


def test_the_master_key_file_is_0600_and_opener_refuses_looser_modes(
    vault: SqlVault, vault_url: str, key_file: Path
) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes() not in repr(all_rows(vault)).encode()
    key_file.chmod(0o640)
    with pytest.raises(VaultError, match="chmod 600"):
        open_vault(vault_url, key_file)


def test_a_damaged_master_key_file_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "vault-master.key"
    key_file.write_text("not base64!\n")
    key_file.chmod(0o600)
    with pytest.raises(VaultError, match="not 32 bytes"):
        open_vault(f"sqlite:///{tmp_path / 'vault.db'}", key_file)


def test_a_row_moved_onto_another_subject_does_not_open(vault: SqlVault) -> None:
    vault.enrol(ANNA, "p1")
    vault.enrol(PETR, "p1")
    table = schema.subject
    with vault.engine.begin() as connection:
        rows = {r.dedup_key: r for r in connection.execute(select(table))}
        anna, petr = (rows[vault.find(p.snils).dedup_key] for p in (ANNA, PETR))  # type: ignore[union-attr]
        connection.execute(
            table.update()
            .where(table.c.subject_id == petr.subject_id)
            .values(wrapped_data_key=anna.wrapped_data_key, sealed_data=anna.sealed_data)
        )
    with pytest.raises(VaultError, match="another owner"):
        vault.read(PETR.snils)


def test_the_vault_keeps_its_own_alembic_version_table(vault: SqlVault) -> None:
    with vault.engine.connect() as connection:
        names = set(vault.engine.dialect.get_table_names(connection))
    assert "vault_alembic_version" in names
    assert "alembic_version" not in names
    assert "log_entry" not in names


def test_a_person_object_is_what_was_enrolled(vault: SqlVault) -> None:
    person = Person("05686067192", "Ким Ир", "2000-02-29")
    vault.enrol(person, "p1")
    assert vault.read(person.snils).person == person
