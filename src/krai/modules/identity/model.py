"""Organisations, keys, roles and governance: identifiers and invariants.

INN and OGRN check digits follow the Federal Tax Service rules (see
``docs/spec/identifiers.md``). A check digit catches typos only: that an organisation is who
it says is established off the ledger before governors admit it.
"""

from enum import StrEnum
from typing import Any, Literal

import msgspec

from krai.state.records import Record, SafeInt

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


class Role(StrEnum):
    """What an organisation may do on the ledger."""

    GOVERNOR = "governor"
    PARK_OPERATOR = "park_operator"
    RESIDENT = "resident"
    INVESTOR = "investor"
    AUTHORITY = "authority"
    MARKET_OPERATOR = "market_operator"
    MARKET_PARTICIPANT = "market_participant"
    METER_OPERATOR = "meter_operator"
    HEAT_UTILITY = "heat_utility"
    SOCIAL_AUTHORITY = "social_authority"
    PAYMENT_AGENT = "payment_agent"
    CLINIC = "clinic"
    PHARMACY = "pharmacy"
    ATTESTOR = "attestor"
    AUDITOR = "auditor"
    WITNESS = "witness"
    TREASURY = "treasury"


ROLE_NAMES = frozenset(role.value for role in Role)


def _weighted_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(w * int(d) for w, d in zip(weights, digits, strict=False)) % 11 % 10


def is_valid_inn(inn: str) -> bool:
    """Whether ``inn`` is a 10-digit (legal entity) or 12-digit INN with valid check digits."""
    if not inn.isascii() or not inn.isdigit():
        return False
    if len(inn) == 10:
        return _weighted_check_digit(inn[:9], INN10_WEIGHTS) == int(inn[9])
    if len(inn) == 12:
        first = _weighted_check_digit(inn[:10], INN12_WEIGHTS_11)
        second = _weighted_check_digit(inn[:11], INN12_WEIGHTS_12)
        return (first, second) == (int(inn[10]), int(inn[11]))
    return False


def is_valid_ogrn(ogrn: str) -> bool:
    """Whether ``ogrn`` is a 13-digit OGRN or a 15-digit OGRNIP with a valid check digit."""
    if not ogrn.isascii() or not ogrn.isdigit():
        return False
    if len(ogrn) == 13 and ogrn[0] in "125":
        return int(ogrn[:12]) % 11 % 10 == int(ogrn[12])
    if len(ogrn) == 15 and ogrn[0] == "3":
        return int(ogrn[:14]) % 13 % 10 == int(ogrn[14])
    return False


def org_key(inn: str) -> str:
    """State key of an organisation."""
    return f"identity/org/{inn}"


def signing_key_key(inn: str, key_id: str) -> str:
    """State key of one of an organisation's keys."""
    return f"identity/key/{inn}/{key_id}"


def proposal_key(proposal_id: str) -> str:
    """State key of a governance proposal."""
    return f"identity/proposal/{proposal_id}"


GOVERNANCE_KEY = "identity/governance"


KeyStatus = Literal["active", "revoked"]
ProposalStatus = Literal["open", "executed"]


class Organisation(Record, frozen=True):
    """A member organisation, stored under ``org_key(inn)``: its roles sorted by name.

    ``inn`` holds the organisation's identifier (``identifiers.py``): a Russian
    organisation's INN, with its ``ogrn``, or a foreign one's ``<scheme>:<value>``, with the
    ``country`` it is registered in (ISO 3166-1 alpha-2) and no OGRN.
    """

    inn: str
    name: str
    roles: tuple[str, ...]
    admitted_index: SafeInt
    ogrn: str | None = None
    name_en: str | None = None
    country: str | None = None

    def with_roles(self, roles: set[str]) -> "Organisation":
        """The same organisation holding ``roles`` instead."""
        return msgspec.structs.replace(self, roles=tuple(sorted(roles)))


class SigningKey(Record, frozen=True):
    """One of an organisation's keys, stored under ``signing_key_key(inn, key_id)``."""

    public_key: str
    status: KeyStatus
    added_index: SafeInt
    revoked_index: SafeInt | None = None

    def revoked(self, index: int) -> "SigningKey":
        """The same key, revoked at entry ``index``."""
        return msgspec.structs.replace(self, status="revoked", revoked_index=index)


class SigningKeyView(SigningKey, frozen=True, kw_only=True):
    """A key with its id: what queries answer."""

    key_id: str


class Governance(Record, frozen=True):
    """The number of governor approvals a governance action needs (``GOVERNANCE_KEY``)."""

    quorum: SafeInt


class Proposal(Record, frozen=True):
    """A governance proposal, stored under ``proposal_key(id)``, the id of the transaction
    that opened it: the proposed transaction's type and body, and who approved it."""

    action: str
    body: dict[str, Any]
    proposer: str
    approvals: tuple[str, ...]
    status: ProposalStatus
    opened_index: SafeInt
    executed_index: SafeInt | None = None

    def approved_by(self, governor: str) -> "Proposal":
        """The same proposal with ``governor``'s approval added last."""
        return msgspec.structs.replace(self, approvals=(*self.approvals, governor))

    def executed(self, index: int) -> "Proposal":
        """The same proposal, executed at entry ``index``."""
        return msgspec.structs.replace(self, status="executed", executed_index=index)


class ProposalView(Proposal, frozen=True, kw_only=True):
    """A proposal with its id: what queries answer."""

    id: str
