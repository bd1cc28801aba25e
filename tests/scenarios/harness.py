"""An in-memory ledger for scenario tests: the real engine, real Ed25519 signatures.

Every organisation has deterministic keys (key 1 from SHA-256(``krai-test-key:`` ‖ name),
key n from the name followed by ``#n``) and, unless the scenario gives them, synthetic INN
and OGRN derived from its name. ``Ledger.submit`` builds a transaction, signs it, sends it
through the strict JSON decoder as a client's bytes would go, admits it and executes it;
an accepted transaction's writes become part of the state, a refused one changes nothing.
The format of the YAML scenarios that drive it is described in ``README.md``.
"""

import datetime
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.modules.accounts.machine import AccountsModule
from krai.modules.energy.machine import EnergyModule
from krai.modules.identity.machine import IdentityModule
from krai.modules.identity.model import INN10_WEIGHTS
from krai.modules.identity.queries import IdentityAuthority
from krai.modules.notary.machine import NotaryModule
from krai.modules.parks.machine import ParksModule
from krai.modules.payments.machine import PaymentsModule
from krai.state.engine import Engine
from krai.state.entry import Entry, decode_entry
from krai.state.store import MemoryState, StateView, state_digest
from krai.tx.codec import decode_transaction
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError

DEFAULT_ORIGIN = "scenarios.krai.test/log"
DEFAULT_START = "2026-01-12T10:00:00+07:00"
UNSIGNABLE = "A" * 86 + "=="
"""Base64 of 64 zero bytes: the signature sent with a body that has no canonical form."""


def new_engine() -> Engine:
    """The engine with every module that scenarios exercise (domain modules join here)."""
    return Engine(
        [
            IdentityModule(),
            AccountsModule(),
            NotaryModule(),
            ParksModule(),
            EnergyModule(),
            PaymentsModule(),
        ],
        IdentityAuthority(),
    )


# --- deterministic identities --------------------------------------------------------------


def private_key(name: str, number: int = 1) -> Ed25519PrivateKey:
    """Key ``number`` of an organisation: seed SHA-256(b"krai-test-key:" + name[#number])."""
    label = name if number == 1 else f"{name}#{number}"
    return Ed25519PrivateKey(hashlib.sha256(b"krai-test-key:" + label.encode()).digest())


def synthetic_inn(name: str) -> str:
    """A 10-digit legal-entity INN with a valid check digit, derived from ``name``."""
    body = _digits("inn", name, 9)
    check = sum(w * int(d) for w, d in zip(INN10_WEIGHTS, body, strict=True)) % 11 % 10
    return body + str(check)


def synthetic_ogrn(name: str) -> str:
    """A 13-digit OGRN (first digit 1) with a valid check digit, derived from ``name``."""
    body = "1" + _digits("ogrn", name, 11)
    return body + str(int(body) % 11 % 10)


def _digits(salt: str, name: str, count: int) -> str:
    """``count`` decimal digits from a hash of the name, the first never 0."""
    number = int.from_bytes(hashlib.sha256(f"krai-test-{salt}:{name}".encode()).digest(), "big")
    digits = str(number)[-count:]
    return str(int(digits[0]) or 7) + digits[1:]


def time_ms(text: str) -> int:
    """Unix milliseconds of an ISO 8601 time that carries its UTC offset."""
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} needs its UTC offset, e.g. +07:00")
    return (moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)) // datetime.timedelta(
        milliseconds=1
    )


# --- the ledger ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    """An organisation a scenario names: identifiers, and roles if it is a founding member."""

    name: str
    inn: str
    ogrn: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """What became of one submitted transaction (no id when its bytes did not decode)."""

    tx_id: str | None
    events: tuple[dict[str, Any], ...] = ()
    error: RejectedError | None = None

    @property
    def accepted(self) -> bool:
        return self.error is None

    @property
    def event_names(self) -> list[str]:
        return [event["event"] for event in self.events]


@dataclass
class Ledger:
    """One network: the engine, its state, the log of accepted entries, the scenario's clock."""

    origin: str
    organisations: dict[str, Organisation]
    engine: Engine = field(default_factory=new_engine)
    state: MemoryState = field(default_factory=MemoryState)
    entries: list[bytes] = field(default_factory=list)
    now_ms: int = field(default_factory=lambda: time_ms(DEFAULT_START))
    nonces: int = 0

    @classmethod
    def found(
        cls,
        organisations: Sequence[Organisation],
        *,
        quorum: int = 1,
        origin: str = DEFAULT_ORIGIN,
        start: str = DEFAULT_START,
        **extra: Any,
    ) -> "Ledger":
        """A ledger whose genesis admits the organisations that have roles (``extra``: the
        fields a subclass adds)."""
        for attribute in ("name", "inn"):
            values = [getattr(org, attribute) for org in organisations]
            if len(set(values)) != len(values):
                raise ValueError(f"two organisations share the {attribute}: {sorted(values)}")
        ledger = cls(
            origin, {org.name: org for org in organisations}, now_ms=time_ms(start), **extra
        )
        founders = [org for org in organisations if org.roles]
        genesis = {
            "origin": origin,
            "quorum": quorum,
            "organisations": [ledger._genesis_record(org) for org in founders],
        }
        ledger._append(Entry(0, ledger.now_ms, genesis=genesis))
        return ledger

    def _genesis_record(self, org: Organisation) -> dict[str, Any]:
        return {
            "inn": org.inn,
            "ogrn": org.ogrn,
            "name": org.name,
            "roles": list(org.roles),
            "public_keys": [self.public_key(org.name)],
        }

    # identities of the organisations the scenario names

    def organisation(self, name: str) -> Organisation:
        """The named organisation; one the network does not list gets synthetic identifiers."""
        found = self.organisations.get(name)
        return found or Organisation(name, synthetic_inn(name), synthetic_ogrn(name))

    def inn(self, name: str) -> str:
        """The INN of the named organisation."""
        return self.organisation(name).inn

    def public_key(self, name: str, number: int = 1) -> str:
        """Key ``number`` of the organisation as ``ed25519:<base64>``."""
        return encode_public_key(private_key(name, number).public_key)

    def key_id(self, name: str, number: int = 1) -> str:
        """The key id of the organisation's key ``number``."""
        return key_id(private_key(name, number).public_key)

    # time

    def set_time(self, text: str) -> None:
        """Move the sequencer's clock to ``text``; time never runs backwards."""
        moment = time_ms(text)
        if moment < self.now_ms:
            raise ValueError(f"time {text} is earlier than the previous step")
        self.now_ms = moment

    # transactions

    def submit(
        self,
        signer: str,
        type_name: str,
        body: Mapping[str, Any],
        version: int = 1,
        *,
        key: int = 1,
        network: str | None = None,
        nonce: str | None = None,
        tamper: bool = False,
    ) -> Result:
        """Sign a transaction as ``signer``, send its bytes, admit and execute it."""
        wire = self.encode(
            signer, type_name, body, version, key=key, network=network, nonce=nonce, tamper=tamper
        )
        try:
            tx = decode_transaction(wire)
        except RejectedError as error:
            return Result(None, error=error)
        try:
            events = self._append(Entry(len(self.entries), self.now_ms, tx=tx))
        except RejectedError as error:
            return Result(tx.tx_id, error=error)
        return Result(tx.tx_id, events)

    def encode(
        self,
        signer: str,
        type_name: str,
        body: Mapping[str, Any],
        version: int = 1,
        *,
        key: int = 1,
        network: str | None = None,
        nonce: str | None = None,
        tamper: bool = False,
    ) -> bytes:
        """The JSON bytes a client would send (``tamper``: the body changed after signing)."""
        self.nonces += 1
        private = private_key(signer, key)
        unsigned = Transaction(
            network=network or self.origin,
            type=type_name,
            version=version,
            signer=self.inn(signer),
            key_id=key_id(private.public_key),
            nonce=nonce or f"n{self.nonces}",
            body=dict(body),
        )
        document = _signed_document(unsigned, private)
        if tamper:
            document["body"] = {**document["body"], "tampered": True}
        return json.dumps(document, ensure_ascii=False).encode()

    def _append(self, entry: Entry) -> tuple[dict[str, Any], ...]:
        if entry.tx is not None:
            self.engine.admit(self.state, entry.tx)
        outcome = self.engine.execute(self.state, entry)
        self.state.apply_writes(outcome.writes)
        self.entries.append(entry.encode())
        return outcome.events

    @property
    def view(self) -> StateView:
        """The state that queries read."""
        return self.state

    # audit

    def digest(self) -> str:
        """The digest of the current state."""
        return state_digest(self.state.items())

    def replayed_digest(self) -> str:
        """The state digest a fresh engine reaches replaying the log's bytes from genesis."""
        engine, state = new_engine(), MemoryState()
        for data in self.entries:
            state.apply_writes(engine.execute(state, decode_entry(data)).writes)
        return state_digest(state.items())


def _signed_document(unsigned: Transaction, private: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed transaction as JSON; a body with no canonical form goes out unsigned."""
    try:
        return sign(unsigned, private).to_json()
    except RejectedError:
        return {**unsigned.to_json(), "sig": UNSIGNABLE}
