"""The personal-data vault's use cases: enrol a person, erase them, answer an access request.

Personal data never reaches the ledger (docs/spec/pseudonyms.md): a person is enrolled in the
operator's vault, which answers with the programme pseudonym that ledger transactions carry.
Erasure destroys the person's data key in the vault (crypto-shredding); the operator then
submits one ``payments.record_erasure`` per programme. An access request (152-FZ art. 14)
lists every ledger entry about the person: those the payments rules index under one of their
identifiers (accruals, payments, statement lines... carry none), and any other whose body or
events mention one.
"""

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from krai.app.ports import Storage
from krai.app.subject_entries import described, indexed_entries
from krai.modules.payments.pseudonyms import PROGRAMME_ID, InvalidSnilsError, valid_snils
from krai.modules.payments.records import SubjectEntry

ERASURE_TYPE = "payments.record_erasure"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
EARLIEST_BIRTH_YEAR = 1900
MAX_NAME_CHARS = 300
MAX_ADDRESS_CHARS = 1000
SUBJECT_IDENTIFIER = re.compile(r"(?:ps|dd):[0-9a-f]{32}")
OTHER_PERSON = "[another person]"
ENTRIES_PER_SCAN = 1024


class VaultError(Exception):
    """A vault operation was refused; the message says why. Nothing was written."""


@dataclass(frozen=True)
class Person:
    """What the vault keeps about a person, and the only place it is kept."""

    snils: str
    full_name: str
    birth_date: str
    """``YYYY-MM-DD``."""
    address: str = ""

    def to_json(self) -> dict[str, str]:
        """The person as a JSON object."""
        return {
            "snils": self.snils,
            "full_name": self.full_name,
            "birth_date": self.birth_date,
            "address": self.address,
        }


@dataclass(frozen=True)
class Subject:
    """A person as the vault knows them: pseudonyms always, personal data until erased."""

    pseudonyms: Mapping[str, str]
    """Programme id → pseudonym."""
    dedup_key: str
    enrolled_ms: int
    erased_ms: int | None = None
    person: Person | None = field(default=None, compare=False)
    """Decrypted personal data; ``None`` when erased or not asked for."""

    @property
    def identifiers(self) -> frozenset[str]:
        """Every identifier of the person that may appear on the ledger."""
        return frozenset({*self.pseudonyms.values(), self.dedup_key})

    def to_json(self) -> dict[str, Any]:
        """The subject as a JSON object (with the personal data when it was read)."""
        return {
            "status": "erased" if self.erased_ms is not None else "enrolled",
            "pseudonyms": dict(sorted(self.pseudonyms.items())),
            "dedup_key": self.dedup_key,
            "enrolled_on": iso_day(self.enrolled_ms),
            "erased_on": None if self.erased_ms is None else iso_day(self.erased_ms),
            "person": None if self.person is None else self.person.to_json(),
        }


@dataclass(frozen=True)
class Erasure:
    """The tombstone of an erased subject."""

    erased_ms: int
    pseudonyms: Mapping[str, str]
    first_time: bool
    """False when the subject had been erased before (the same tombstone is returned)."""


class Vault(Protocol):
    """An off-ledger store of personal data, keyed by SNILS through a keyed index."""

    def enrol(self, person: Person, programme_id: str) -> str:
        """The person's pseudonym in the programme, enrolling them if needed (idempotent)."""
        ...

    def find(self, snils: str) -> Subject | None:
        """The subject with this SNILS, without its personal data; ``None`` if unknown."""
        ...

    def read(self, snils: str) -> Subject:
        """The subject with its decrypted personal data (``None`` once erased)."""
        ...

    def erase(self, snils: str) -> Erasure:
        """Destroy the subject's data key and personal data, keeping a tombstone."""
        ...


def check_person(person: Person, today: date) -> Person:
    """The person with a normalised SNILS and trimmed text, or ``VaultError``."""
    try:
        snils = valid_snils(person.snils)
    except InvalidSnilsError as error:
        raise VaultError(f"invalid SNILS: {error}") from None
    name = _checked_text(person.full_name, "full name", MAX_NAME_CHARS)
    if not name:
        raise VaultError("the full name is empty")
    address = _checked_text(person.address, "address", MAX_ADDRESS_CHARS)
    return Person(snils, name, _checked_birth_date(person.birth_date, today), address)


def check_programme_id(programme_id: str) -> str:
    """The programme id, or ``VaultError`` if it is not a payments programme id."""
    if not PROGRAMME_ID.fullmatch(programme_id):
        raise VaultError(f"programme id {programme_id!r} must match {PROGRAMME_ID.pattern}")
    return programme_id


def _checked_text(text: str, what: str, limit: int) -> str:
    trimmed = " ".join(text.split())
    if len(trimmed) > limit:
        raise VaultError(f"the {what} is longer than {limit} characters")
    if any(unicodedata.category(char).startswith("C") for char in trimmed):
        raise VaultError(f"the {what} holds control characters")
    return trimmed


def _checked_birth_date(text: str, today: date) -> str:
    if not ISO_DATE.fullmatch(text):
        raise VaultError(f"birth date {text!r} must be written YYYY-MM-DD")
    try:
        born = date.fromisoformat(text)
    except ValueError:
        raise VaultError(f"birth date {text!r} is not a calendar date") from None
    if born.year < EARLIEST_BIRTH_YEAR or born > today:
        raise VaultError(f"birth date {text} is before {EARLIEST_BIRTH_YEAR} or in the future")
    return text


def iso_day(time_ms: int) -> str:
    """The UTC calendar date of a Unix time in milliseconds."""
    return date.fromordinal(date(1970, 1, 1).toordinal() + time_ms // 86_400_000).isoformat()


def enrol(vault: Vault, person: Person, programme_id: str) -> str:
    """Enrol ``person`` in a programme; the pseudonym ledger transactions must carry."""
    return vault.enrol(person, check_programme_id(programme_id))


def enrolment(vault: Vault, person: Person, programme_id: str) -> dict[str, str]:
    """Enrol ``person`` in a programme; the document the CLI and the API answer: the
    programme, the pseudonym and the cross-programme dedup key ``payments.assign`` needs."""
    pseudonym = enrol(vault, person, programme_id)
    subject = vault.find(person.snils)
    assert subject is not None, "an enrolled person is found"
    return {"programme_id": programme_id, "pseudonym": pseudonym, "dedup_key": subject.dedup_key}


def erase(vault: Vault, snils: str) -> list[dict[str, str]]:
    """Erase the person; the bodies of the ``payments.record_erasure`` transactions to submit,
    one per programme the person was enrolled in."""
    erasure = vault.erase(snils)
    erased_on = iso_day(erasure.erased_ms)
    return [
        {"pseudonym": pseudonym, "programme_id": programme_id, "erased_on": erased_on}
        for programme_id, pseudonym in sorted(erasure.pseudonyms.items())
    ]


def access_report(storage: Storage, vault: Vault, snils: str) -> dict[str, Any] | None:
    """The subject access report (152-FZ art. 14): the personal data held and the pseudonyms
    (``subject``), and every ledger entry that mentions them (``ledger``); None when no
    person with this SNILS is enrolled."""
    if vault.find(snils) is None:
        return None
    return {"subject": vault.read(snils).to_json(), "ledger": access_request(storage, vault, snils)}


def access_request(storage: Storage, vault: Vault, snils: str) -> list[dict[str, Any]]:
    """Every ledger entry about the person (152-FZ art. 14), oldest first: those the payments
    rules indexed under one of their identifiers and those whose body or events mention one;
    each says what it is, its amount in kopecks and what it records about the person, with
    other people's identifiers masked and other people's statement lines and dispensings
    left out."""
    subject = vault.find(snils)
    if subject is None:
        raise VaultError("no person with this SNILS is enrolled in the vault")
    identifiers = subject.identifiers
    indexed = indexed_entries(storage, identifiers)
    size = storage.log_size()
    report: list[dict[str, Any]] = []
    for start in range(0, size, ENTRIES_PER_SCAN):
        end = min(size, start + ENTRIES_PER_SCAN)
        report.extend(_mentions(storage, start, end, identifiers, indexed))
    return report


def _mentions(
    storage: Storage,
    start: int,
    end: int,
    identifiers: frozenset[str],
    indexed: Mapping[int, list[SubjectEntry]],
) -> Iterator[dict[str, Any]]:
    events: dict[int, list[dict[str, Any]]] = {}
    for index, _position, event in storage.events(start, end):
        if _mentioned(json.dumps(event), identifiers):
            events.setdefault(index, []).append(_masked(event, identifiers))
    for entry in storage.entries(start, end):
        body = json.loads(entry.data).get("tx", {}).get("body")
        concerns = indexed.get(entry.index, [])
        if concerns or entry.index in events or _mentioned(json.dumps(body), identifiers):
            found = described(entry.tx_type, body, concerns)
            yield {
                "index": entry.index,
                "time_ms": entry.time_ms,
                "tx_id": entry.tx_id,
                "tx_type": entry.tx_type,
                "signer": entry.signer,
                **found,
                "body": _masked(found["body"], identifiers),
                "events": events.get(entry.index, []),
            }


def _mentioned(text: str, identifiers: frozenset[str]) -> bool:
    return any(identifier in text for identifier in identifiers)


def _masked(value: Any, identifiers: frozenset[str]) -> Any:
    """``value`` with every pseudonym or dedup key not the person's replaced."""

    def mask(found: re.Match[str]) -> str:
        return found[0] if found[0] in identifiers else OTHER_PERSON

    return json.loads(SUBJECT_IDENTIFIER.sub(mask, json.dumps(value, ensure_ascii=False)))
