"""A first world on the ledger: governance, accounts and a multi-party document.

Everything goes through signed transactions and the sequencer, exactly as a client's would.
Organisation names come from the source texts; identifiers and amounts are synthetic.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from krai.adapters.keystore import StoredKey
from krai.app.sequencer import Receipt
from krai.bootstrap import Founder, Services, found_network
from krai.config.settings import Settings
from krai.demo.identifiers import synthetic_inn, synthetic_ogrn
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError

REGION = "Правительство Красноярского края"


@dataclass(frozen=True)
class Member:
    """A demo organisation: its key name, name and roles."""

    key_name: str
    name: str
    name_en: str
    roles: tuple[str, ...]

    @property
    def inn(self) -> str:
        return synthetic_inn(self.name)

    @property
    def ogrn(self) -> str:
        return synthetic_ogrn(self.name)


MEMBERS = (
    Member("veb", "ВЭБ.РФ", "VEB.RF", ("governor", "payment_agent")),
    Member(
        "kraipark",
        "Красноярский индустриальный парк цифровых технологий",
        "Krasnoyarsk industrial park of digital technologies",
        ("park_operator",),
    ),
    Member(
        "great-stone",
        "Администрация индустриального парка «Великий камень»",
        "Great Stone industrial park administration",
        ("park_operator",),
    ),
    Member("sever", "Проектный центр НОЦ «Север»", "NOC Sever project centre", ("resident",)),
    Member(
        "auditor",
        "Счётная палата Красноярского края",
        "Krasnoyarsk krai accounts chamber",
        ("auditor",),
    ),
)


class DemoError(RuntimeError):
    """A demo transaction was refused: the demo itself is wrong."""


class World:
    """Signs as the demo's organisations and submits through the sequencer."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._nonce = 0

    def key(self, name: str) -> StoredKey:
        return self.services.keystore.load(name)

    def submit(self, key_name: str, type_name: str, body: dict[str, Any]) -> Receipt:
        """Sign as ``key_name`` and sequence; return the receipt."""
        key = self.key(key_name)
        self._nonce += 1
        unsigned = Transaction(
            self.services.origin,
            type_name,
            1,
            key.organisation or "",
            key.key_id,
            f"demo-{self._nonce}",
            body,
        )
        outcome = self.services.sequencer.submit([sign(unsigned, key.private_key)])[0]
        if isinstance(outcome, RejectedError):
            raise DemoError(f"{type_name} by {key_name} refused: {outcome}")
        return outcome


def build_world(settings: Settings) -> Iterator[str]:
    """Found the network and play the first steps; yield a line per step."""
    services = found_network(
        settings, Founder(synthetic_inn(REGION), synthetic_ogrn(REGION), REGION, "region")
    )
    world = World(services)
    try:
        yield f"Founded {settings.origin}: {REGION} governs"
        yield from _admit_members(world)
        yield from _fund_programme(world)
        yield from _sign_agreement(world)
    finally:
        services.close()


def _admit_members(world: World) -> Iterator[str]:
    for member in MEMBERS:
        seed = hashlib.sha256(f"krai-demo-key:{member.key_name}".encode()).digest()
        key = world.services.keystore.store(member.key_name, member.inn, seed)
        body = {
            "inn": member.inn,
            "ogrn": member.ogrn,
            "name": member.name,
            "name_en": member.name_en,
            "roles": list(member.roles),
            "public_key": key.public_key_text,
        }
        proposal = world.submit("region", "identity.propose_admission", body)
        if member.key_name != "veb":
            world.submit("veb", "identity.approve", {"proposal": proposal.tx_id})
        yield f"Admitted {member.name_en} (INN {member.inn})"
        if member.key_name == "veb":
            world.submit("region", "identity.propose_quorum", {"quorum": 2})
            yield "Governance quorum raised to 2: each later admission needs VEB.RF's approval"


def _fund_programme(world: World) -> Iterator[str]:
    purpose = "industrial-park-support"
    world.submit(
        "region",
        "accounts.open_account",
        {"account_id": "treasury:krasnoyarsk", "kind": "treasury", "title": "Краевой бюджет"},
    )
    world.submit(
        "kraipark",
        "accounts.open_account",
        {
            "account_id": "kraipark:support",
            "kind": "budget",
            "title": "Субсидия на инфраструктуру",
            "purpose": purpose,
        },
    )
    world.submit(
        "kraipark",
        "accounts.open_account",
        {"account_id": "kraipark:operating", "kind": "operating", "title": "Расчётный счёт"},
    )
    world.submit(
        "region",
        "accounts.transfer",
        {
            "from_account": "treasury:krasnoyarsk",
            "to_account": "kraipark:support",
            "amount_kopecks": 350_000_000_00,
            "purpose": purpose,
            "reference": "subsidy-2026-01",
        },
    )
    yield "Region funded the park's earmarked support account with 350,000,000.00 RUB (synthetic)"


def _sign_agreement(world: World) -> Iterator[str]:
    text = (
        "Соглашение о сотрудничестве: проектный центр НОЦ «Север» "
        "и администрация парка «Великий камень»"
    )
    digest = hashlib.sha256(text.encode()).hexdigest()
    world.submit(
        "sever",
        "notary.anchor",
        {"sha256": digest, "title": "Соглашение о сотрудничестве", "kind": "agreement"},
    )
    world.submit("great-stone", "notary.countersign", {"sha256": digest})
    yield f"Agreement {digest[:16]}… anchored by NOC Sever, countersigned by Great Stone"
