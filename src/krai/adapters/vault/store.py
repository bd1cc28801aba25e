"""The vault on SQLite or PostgreSQL, through SQLAlchemy Core, in a database of its own.

On SQLite the vault runs with ``secure_delete=ON`` and a rollback journal (not WAL), so the
bytes an erasure removes are overwritten in the database file itself. Every operation is one
database transaction: a refused one writes nothing.
"""

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from sqlalchemy import Connection, Engine, Row, create_engine, event, insert, select, update
from sqlalchemy.exc import IntegrityError

from krai.adapters.clock import SystemClock
from krai.adapters.vault import schema
from krai.adapters.vault.keys import create_master_key, load_master_key, new_key, unwrap, wrap
from krai.app.ports import Clock
from krai.app.vault import (
    Erasure,
    Person,
    Subject,
    VaultError,
    check_person,
    check_programme_id,
    iso_day,
)
from krai.modules.payments.pseudonyms import InvalidSnilsError, dedup_key, pseudonym, valid_snils

MIGRATIONS = Path(__file__).parent / "migrations"
LOOKUP_DOMAIN = b"krai/vault/lookup/v1\n"
CHECK_PLAINTEXT = b"krai/vault/check/v1"
SQLITE_PRAGMAS = (
    "journal_mode=DELETE",  # no WAL: an erased page is not left behind in a -wal file
    "secure_delete=ON",  # deleted content is overwritten with zeros
    "synchronous=FULL",
    "foreign_keys=ON",
    "busy_timeout=10000",
)


def open_vault(
    url: str,
    master_key_file: Path,
    clock: Clock | None = None,
    *,
    create: bool = False,
    key_source: Callable[[], bytes] = new_key,
) -> "SqlVault":
    """Open (and migrate) the vault at ``url`` with the master key in ``master_key_file``.

    With ``create``, a vault that holds no keys yet gets a new master key file; without it, a
    missing or unreadable key file is a ``VaultError`` and the database is not touched.
    ``key_source`` makes the vault's new keys (lookup, dedup, programme and data keys); only a
    reproducible simulation, such as the demo's, passes anything but fresh random keys.
    """
    creating = create and not master_key_file.exists()
    master_key = None if creating else load_master_key(master_key_file)
    engine = _engine(url, create=create)
    _migrate(engine)
    if master_key is None:
        if _holds_keys(engine):
            engine.dispose()
            raise VaultError(f"the vault at {url} holds keys, but {master_key_file} is missing")
        master_key = create_master_key(master_key_file)
    vault = SqlVault(engine, master_key, clock or SystemClock(), key_source)
    try:
        vault.initialise()
    except VaultError:
        vault.close()
        raise
    return vault


def _engine(url: str, *, create: bool) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database and engine.url.database != ":memory:":
            _private_file(Path(engine.url.database), create=create)
    return engine


def _private_file(path: Path, *, create: bool) -> None:
    """Create the SQLite file readable by its owner only (SQLite's journals copy its mode)."""
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _holds_keys(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(schema.vault_key.c.purpose)).first() is not None


class SqlVault:
    """Personal data of the people one operator enrols, in one SQL database."""

    def __init__(
        self,
        engine: Engine,
        master_key: bytes,
        clock: Clock,
        key_source: Callable[[], bytes] = new_key,
    ) -> None:
        self.engine = engine
        self._master_key = master_key
        self._clock = clock
        self._new_key = key_source
        self._lookup_key = b""
        self._dedup_secret = b""

    def initialise(self) -> None:
        """Create the vault's own keys on first use, and prove the master key opens them."""
        with self.engine.begin() as connection:
            keys = {
                row.purpose: bytes(row.wrapped_key)
                for row in connection.execute(select(schema.vault_key))
            }
            if not keys:
                keys = self._create_vault_keys(connection)
        self._check_master_key(keys.get("check", b""))
        self._lookup_key = unwrap(self._master_key, "lookup", "vault", keys["lookup"])
        self._dedup_secret = unwrap(self._master_key, "dedup", "vault", keys["dedup"])

    def _create_vault_keys(self, connection: Connection) -> dict[str, bytes]:
        keys = {
            "check": bytes(SecretBox(self._master_key).encrypt(CHECK_PLAINTEXT)),
            "lookup": wrap(self._master_key, "lookup", "vault", self._new_key()),
            "dedup": wrap(self._master_key, "dedup", "vault", self._new_key()),
        }
        now = self._clock.now_ms()
        rows = [{"purpose": p, "wrapped_key": k, "created_ms": now} for p, k in keys.items()]
        connection.execute(insert(schema.vault_key), rows)
        return keys

    def _check_master_key(self, check: bytes) -> None:
        try:
            opened = SecretBox(self._master_key).decrypt(check)
        except CryptoError:
            opened = b""
        if opened != CHECK_PLAINTEXT:
            raise VaultError("the vault master key does not open this vault")

    def enrol(self, person: Person, programme_id: str) -> str:
        """The person's pseudonym in the programme; enrols them first if they are new."""
        checked = check_person(person, self._today())
        check_programme_id(programme_id)
        try:
            return self._enrol(checked, programme_id)
        except IntegrityError:  # a concurrent enrolment of the same person or programme won
            return self._enrol(checked, programme_id)

    def _enrol(self, person: Person, programme_id: str) -> str:
        with self.engine.begin() as connection:
            row = self._subject_row(connection, person.snils)
            if row is None:
                subject_id = self._insert_subject(connection, person)
            else:
                self._check_same_person(row, person)
                subject_id = row.subject_id
            return self._pseudonym_for(connection, subject_id, programme_id, person.snils)

    def _insert_subject(self, connection: Connection, person: Person) -> str:
        subject_id = secrets.token_hex(16)
        data_key = self._new_key()
        sealed = SecretBox(data_key).encrypt(_plaintext(subject_id, person))
        row = {
            "subject_id": subject_id,
            "lookup": self._lookup(person.snils),
            "dedup_key": dedup_key(self._dedup_secret, person.snils),
            "wrapped_data_key": wrap(self._master_key, "data-key", subject_id, data_key),
            "sealed_data": bytes(sealed),
            "enrolled_ms": self._clock.now_ms(),
        }
        connection.execute(insert(schema.subject), row)
        return subject_id

    def _check_same_person(self, row: Row[Any], person: Person) -> None:
        if row.erased_ms is not None:
            raise VaultError(
                f"the person with this SNILS was erased on {iso_day(row.erased_ms)}; "
                "an erased person cannot be enrolled again"
            )
        if self._open(row) != person:
            raise VaultError("this SNILS is enrolled already with different personal data")

    def _pseudonym_for(
        self, connection: Connection, subject_id: str, programme_id: str, snils: str
    ) -> str:
        table = schema.pseudonym
        found = connection.execute(
            select(table.c.pseudonym).where(
                table.c.subject_id == subject_id, table.c.programme_id == programme_id
            )
        ).scalar()
        if found is not None:
            return str(found)
        value = pseudonym(self._programme_key(connection, programme_id), programme_id, snils)
        row = {
            "subject_id": subject_id,
            "programme_id": programme_id,
            "pseudonym": value,
            "enrolled_ms": self._clock.now_ms(),
        }
        connection.execute(insert(table), row)
        return value

    def _programme_key(self, connection: Connection, programme_id: str) -> bytes:
        table = schema.programme_key
        wrapped = connection.execute(
            select(table.c.wrapped_key).where(table.c.programme_id == programme_id)
        ).scalar()
        if wrapped is not None:
            return unwrap(self._master_key, "programme", programme_id, bytes(wrapped))
        key = self._new_key()
        row = {
            "programme_id": programme_id,
            "wrapped_key": wrap(self._master_key, "programme", programme_id, key),
            "created_ms": self._clock.now_ms(),
        }
        connection.execute(insert(table), row)
        return key

    def find(self, snils: str) -> Subject | None:
        """The subject with this SNILS, without decrypting its personal data."""
        with self.engine.connect() as connection:
            row = self._subject_row(connection, _snils(snils))
            return None if row is None else self._subject(connection, row)

    def read(self, snils: str) -> Subject:
        """The subject with its personal data, or only its tombstone once erased."""
        with self.engine.connect() as connection:
            row = self._known_row(connection, snils)
            person = None if row.erased_ms is not None else self._open(row)
            return self._subject(connection, row, person)

    def erase(self, snils: str) -> Erasure:
        """Destroy the wrapped data key and the sealed data; keep pseudonyms and a tombstone."""
        with self.engine.begin() as connection:
            row = self._known_row(connection, snils)
            pseudonyms = self._pseudonyms(connection, row.subject_id)
            if row.erased_ms is not None:
                return Erasure(row.erased_ms, pseudonyms, first_time=False)
            now = self._clock.now_ms()
            connection.execute(
                update(schema.subject)
                .where(schema.subject.c.subject_id == row.subject_id)
                .values(wrapped_data_key=None, sealed_data=None, erased_ms=now)
            )
        return Erasure(now, pseudonyms, first_time=True)

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    def _known_row(self, connection: Connection, snils: str) -> Row[Any]:
        row = self._subject_row(connection, _snils(snils))
        if row is None:
            raise VaultError("no person with this SNILS is enrolled in the vault")
        return row

    def _subject_row(self, connection: Connection, snils: str) -> Row[Any] | None:
        table = schema.subject
        return connection.execute(
            select(table).where(table.c.lookup == self._lookup(snils))
        ).first()

    def _subject(
        self, connection: Connection, row: Row[Any], person: Person | None = None
    ) -> Subject:
        pseudonyms = self._pseudonyms(connection, row.subject_id)
        return Subject(pseudonyms, row.dedup_key, row.enrolled_ms, row.erased_ms, person)

    def _pseudonyms(self, connection: Connection, subject_id: str) -> dict[str, str]:
        table = schema.pseudonym
        rows = connection.execute(
            select(table.c.programme_id, table.c.pseudonym).where(table.c.subject_id == subject_id)
        )
        return {row.programme_id: row.pseudonym for row in rows}

    def _open(self, row: Row[Any]) -> Person:
        data_key = unwrap(self._master_key, "data-key", row.subject_id, bytes(row.wrapped_data_key))
        try:
            document = json.loads(SecretBox(data_key).decrypt(bytes(row.sealed_data)))
        except CryptoError:
            raise VaultError("a subject's personal data does not open with its key") from None
        if document.pop("subject", None) != row.subject_id:
            raise VaultError("a subject's personal data belongs to another subject")
        return Person(**document)

    def _lookup(self, snils: str) -> bytes:
        message = LOOKUP_DOMAIN + snils.encode("ascii")
        return hmac.new(self._lookup_key, message, hashlib.sha256).digest()

    def _today(self) -> date:
        return date.fromisoformat(iso_day(self._clock.now_ms()))


def _snils(text: str) -> str:
    try:
        return valid_snils(text)
    except InvalidSnilsError as error:
        raise VaultError(f"invalid SNILS: {error}") from None


def _plaintext(subject_id: str, person: Person) -> bytes:
    document = {"subject": subject_id, **person.to_json()}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
