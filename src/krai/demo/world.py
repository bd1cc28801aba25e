"""The demo's world: a network founded on simulated time, its organisations, and the helpers
every area of the demo (parks.py, energy.py, payments.py) signs and submits with.

Everything goes through signed transactions and the real sequencer, in batches, exactly as a
client's would. The build is reproducible: every key seed is derived from a name, the clock is
simulated and only moves when the demo says so, and the only randomness is a seeded
``random.Random`` per area for synthetic volumes. The same code therefore gives the same
entries, byte for byte, and the same root hash on every run. Organisation names come from the
source texts; identifiers, amounts and everything marked synthetic are invented.
"""

import hashlib
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from krai.adapters.keystore import StoredKey
from krai.app.sequencer import Receipt
from krai.app.statements import PartToSign, Signer, signed_parts, statement_transactions
from krai.bootstrap import Founder, Services, found_network
from krai.config.settings import Settings
from krai.demo.identifiers import (
    synthetic_inn,
    synthetic_lei,
    synthetic_ogrn,
    synthetic_unp,
    synthetic_uscc,
)
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError

SEED = "krai-demo-2018"
"""Everything random in the demo is drawn from ``random.Random`` seeded from this."""
START = "2018-03-15T10:00:00+07:00"
"""The press release of source 000: the network is founded that morning, Krasnoyarsk time."""
BATCH = 1_000
"""Transactions per sequencer batch (one database transaction and one checkpoint each)."""
SECONDS_PER_BATCH = 1
"""The simulated clock's fixed step after each batch."""
FOUNDER_KEY = "operator"
REGION = "Правительство Красноярского края"
SYNTHETIC = "синтетический"


FOREIGN_IDS: dict[str, Callable[[str], str]] = {
    "BY": synthetic_unp,
    "CN": synthetic_uscc,
}
"""A foreign organisation's register by its country; any other country's gets an LEI."""


@dataclass(frozen=True)
class Organisation:
    """A demo organisation: the name of its key, its name, its roles and, if it is foreign,
    the ISO 3166-1 country it is registered in."""

    key: str
    name: str
    roles: tuple[str, ...]
    name_en: str | None = None
    country: str | None = None

    @property
    def inn(self) -> str:
        """Its identifier on the ledger: a synthetic INN, or if foreign its own register's
        synthetic identifier (``BY-UNP:…``, ``CN-USCC:…``, else ``LEI:…``)."""
        if self.country is None:
            return synthetic_inn(self.name)
        return FOREIGN_IDS.get(self.country, synthetic_lei)(self.name)

    @property
    def ogrn(self) -> str:
        return synthetic_ogrn(self.name)


FOUNDER = Organisation(
    FOUNDER_KEY, REGION, ("governor", "treasury", "auditor"), "Government of Krasnoyarsk Krai"
)
VEB = Organisation("veb", "ВЭБ.РФ", ("governor", "payment_agent"), "VEB.RF")


CURRENT_VERSIONS = {"energy.open_market": 2, "energy.settle_day": 2}
"""The version the demo submits of a type whose version 1 is kept only to replay old logs."""


@dataclass(frozen=True)
class Step:
    """What an area reports while it builds: a line to print, and work done."""

    note: str | None = None
    advance: int = 0


Area = Callable[["World"], Iterator[Step]]


@dataclass(frozen=True)
class Phase:
    """One area of the demo, run in order: its title, its work units and its builder."""

    title: str
    total: int
    build: Area


class DemoError(RuntimeError):
    """A demo transaction was refused: the demo itself is wrong."""


def key_seed(name: str) -> bytes:
    """The fixed key seed of a demo key: derived from its name, never random."""
    return hashlib.sha256(f"krai-demo-key:{name}".encode()).digest()


def ms_of(moment: str) -> int:
    """An ISO 8601 time with its offset, in Unix milliseconds."""
    return int(datetime.fromisoformat(moment).timestamp() * 1000)


class SimulatedClock:
    """The sequencer's clock in the demo: set by the script, one fixed step per batch."""

    def __init__(self, start: str) -> None:
        self._ms = ms_of(start)
        self._planned = self._ms

    def now_ms(self) -> int:
        """The simulated time, Unix milliseconds."""
        return self._ms

    def at(self, moment: str) -> None:
        """Move to ``moment``; the script's moments must never go back."""
        target = ms_of(moment)
        if target < self._planned:
            raise DemoError(f"the demo's time runs backwards to {moment}")
        self._planned = target
        self._ms = max(self._ms, target)

    def step(self) -> None:
        """Advance by the fixed step taken after each batch."""
        self._ms += SECONDS_PER_BATCH * 1000


@dataclass
class World:
    """Signs as the demo's organisations and submits through the sequencer."""

    services: Services
    clock: SimulatedClock
    organisations: dict[str, Organisation] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _keys: dict[str, StoredKey] = field(default_factory=dict)
    _nonce: int = 0

    def rng(self, area: str) -> random.Random:
        """The seeded generator of one area (the same numbers on every run)."""
        return random.Random(f"{SEED}:{area}")  # noqa: S311 -- synthetic volumes, not secrets

    def at(self, moment: str) -> None:
        """Set the simulated time (ISO 8601 with offset)."""
        self.clock.at(moment)

    def inn(self, key: str) -> str:
        """The INN of the organisation holding ``key``."""
        return self.organisations[key].inn

    def count(self, what: str, number: int = 1) -> None:
        """Add to the figures the demo reports at the end."""
        self.counts[what] = self.counts.get(what, 0) + number

    def tx(self, key: str, type_name: str, body: dict[str, Any]) -> Transaction:
        """A transaction signed with ``key``."""
        stored = self._key(key)
        self._nonce += 1
        unsigned = Transaction(
            self.services.origin,
            type_name,
            CURRENT_VERSIONS.get(type_name, 1),
            stored.organisation or "",
            stored.key_id,
            f"demo-{self._nonce}",
            body,
        )
        return sign(unsigned, stored.private_key)

    def do(self, key: str, type_name: str, body: dict[str, Any]) -> Receipt:
        """Sign and sequence one transaction."""
        return self.submit([self.tx(key, type_name, body)])[0]

    def record_statement(
        self, key: str, statement_id: str, lines: Sequence[dict[str, Any]]
    ) -> list[Receipt]:
        """Sign a bank statement with ``key`` in as many parts as it needs (each part's nonce
        derived from the statement id) and sequence them in order."""
        stored = self._key(key)
        signer = Signer(stored.organisation or "", stored.key_id, stored.private_key)
        origin = self.services.origin
        return self.submit(statement_transactions(origin, signer, statement_id, lines))

    def record_parts(self, key: str, parts: Sequence[PartToSign]) -> list[Receipt]:
        """Sign parts whose nonces are derived (a file's transactions) with ``key`` and
        sequence them in order."""
        stored = self._key(key)
        signer = Signer(stored.organisation or "", stored.key_id, stored.private_key)
        return self.submit(signed_parts(self.services.origin, signer, parts))

    def submit(self, transactions: Sequence[Transaction]) -> list[Receipt]:
        """Sequence in batches; every one must be accepted."""
        receipts: list[Receipt] = []
        for start in range(0, len(transactions), BATCH):
            batch = transactions[start : start + BATCH]
            outcomes = self.services.sequencer.submit(batch)
            self.clock.step()
            for tx, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, RejectedError):
                    raise DemoError(f"{tx.type} by {tx.signer} refused: {outcome}")
                receipts.append(outcome)
        return receipts

    def submit_all(self, calls: Sequence[tuple[str, str, dict[str, Any]]]) -> list[Receipt]:
        """Sign every ``(key, type, body)`` and sequence them in order, in batches."""
        return self.submit([self.tx(key, type_name, body) for key, type_name, body in calls])

    def admit(self, organisations: Sequence[Organisation]) -> None:
        """Admit organisations by governance: the founder proposes, VEB.RF approves."""
        calls: list[Transaction] = []
        for organisation in organisations:
            key = self._store_key(organisation)
            body: dict[str, Any] = {
                "name": organisation.name,
                "roles": list(organisation.roles),
                "public_key": key.public_key_text,
            }
            if organisation.name_en:
                body["name_en"] = organisation.name_en
            proposal = self.tx(FOUNDER_KEY, *_admission(organisation, body))
            calls += [proposal, self.tx(VEB.key, "identity.approve", {"proposal": proposal.tx_id})]
        self.submit(calls)
        self.count("organisations", len(organisations))

    def _store_key(self, organisation: Organisation) -> StoredKey:
        if organisation.key in self.organisations:
            raise DemoError(f"key {organisation.key} is used twice")
        self.organisations[organisation.key] = organisation
        key = self.services.keystore.store(
            organisation.key, organisation.inn, key_seed(organisation.key)
        )
        self._keys[organisation.key] = key
        return key

    def _key(self, key: str) -> StoredKey:
        if key not in self._keys:
            self._keys[key] = self.services.keystore.load(key)
        return self._keys[key]


def _admission(organisation: Organisation, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The admission proposal's type and body: by INN and OGRN, or by foreign identifier."""
    if organisation.country is None:
        identifiers = {"inn": organisation.inn, "ogrn": organisation.ogrn}
        return "identity.propose_admission", {**identifiers, **body}
    foreign = {"organisation": organisation.inn, "country": organisation.country}
    return "identity.propose_foreign_admission", {**foreign, **body}


def found(settings: Settings) -> World:
    """Found the demo's network at the start of its simulated time, with VEB.RF co-governing."""
    clock = SimulatedClock(START)
    founder = Founder(FOUNDER.inn, FOUNDER.ogrn, FOUNDER.name, FOUNDER_KEY)
    seeds = (key_seed(FOUNDER_KEY), key_seed("log"))
    services = found_network(settings, founder, clock, seeds)
    world = World(services, clock)
    world.organisations[FOUNDER_KEY] = FOUNDER
    veb = world._store_key(VEB)
    body = {
        "inn": VEB.inn,
        "ogrn": VEB.ogrn,
        "name": VEB.name,
        "name_en": VEB.name_en,
        "roles": list(VEB.roles),
        "public_key": veb.public_key_text,
    }
    world.do(FOUNDER_KEY, "identity.propose_admission", body)
    world.do(FOUNDER_KEY, "identity.propose_quorum", {"quorum": 2})
    world.count("organisations", 2)
    return world


def document_sha256(text: str) -> str:
    """The SHA-256 of a (synthetic) document's text, as the ledger anchors it."""
    return hashlib.sha256(text.encode()).hexdigest()
