"""Identity transactions: governance proposals and approvals, and an organisation's keys."""

from dataclasses import dataclass
from typing import Annotated, ClassVar

from krai.modules.identity.identifiers import (
    FOREIGN_ID_PATTERN,
    ORGANISATION_ID_PATTERN,
    is_country_code,
    is_valid_foreign_id,
    is_valid_organisation_id,
)
from krai.modules.identity.model import ROLE_NAMES, is_valid_inn, is_valid_ogrn
from krai.state.messages import Check, Hex256, Length, Name, Pattern, Positive

Inn = Annotated[
    str,
    Check(
        is_valid_inn,
        "not a valid INN (10 or 12 digits with check digits)",
        "INN of an organisation: 10 digits (a legal entity) or 12 (an individual entrepreneur)"
        " with valid check digits (checked by the server)",
        pattern=r"[0-9]{10}|[0-9]{12}",
    ),
]
Ogrn = Annotated[
    str,
    Check(
        is_valid_ogrn,
        "not a valid OGRN/OGRNIP (13 or 15 digits)",
        "OGRN of a legal entity (13 digits, starting 1, 2 or 5) or OGRNIP of an individual"
        " entrepreneur (15 digits, starting 3), with a valid check digit (checked by the server)",
        pattern=r"[125][0-9]{12}|3[0-9]{14}",
    ),
]
ForeignOrganisationId = Annotated[
    str,
    Check(
        is_valid_foreign_id,
        "not a valid foreign organisation identifier (BY-UNP:, CN-USCC: or LEI: with check digits)",
        "Identifier of a foreign organisation, <scheme>:<value>: BY-UNP:<Belarus UNP, 9>,"
        " CN-USCC:<China unified social credit code, 18> or LEI:<ISO 17442 LEI, 20>; the server"
        " checks the value's check digits (UNP mod 11, USCC mod 31, LEI ISO 7064 MOD 97-10)",
        pattern=FOREIGN_ID_PATTERN,
    ),
]
OrganisationId = Annotated[
    str,
    Check(
        is_valid_organisation_id,
        "not a valid organisation identifier (an INN, or BY-UNP:, CN-USCC: or LEI: with check"
        " digits)",
        "Identifier of an organisation, Russian or foreign: its INN (10 or 12 digits), or"
        " <scheme>:<value> for BY-UNP (Belarus UNP), CN-USCC (China unified social credit code)"
        " or LEI (ISO 17442); the server checks the check digits",
        pattern=ORGANISATION_ID_PATTERN,
    ),
]
CountryCode = Annotated[
    str,
    Check(
        is_country_code,
        "not an ISO 3166-1 alpha-2 country code",
        "ISO 3166-1 alpha-2 code of the country where the organisation is registered; the server"
        " checks that the code is assigned",
        pattern=r"[A-Z]{2}",
    ),
]
RoleName = Annotated[
    str,
    Check(
        ROLE_NAMES.__contains__,
        f"roles are {', '.join(sorted(ROLE_NAMES))}",
        "A role an organisation may hold on the ledger",
        choices=tuple(sorted(ROLE_NAMES)),
    ),
]
PublicKeyText = Annotated[str, Pattern(r"[a-z0-9_-]+:[A-Za-z0-9+/=]{1,200}")]
KeyId = Annotated[str, Pattern(r"[0-9a-f]{16}")]


@dataclass(frozen=True)
class ProposeAdmission:
    """A governor proposes to admit an organisation with its first key and roles."""

    TYPE: ClassVar[str] = "identity.propose_admission"
    VERSION: ClassVar[int] = 1
    inn: Inn
    ogrn: Ogrn
    name: Name
    roles: Annotated[list[RoleName], Length(1, 20)]
    public_key: PublicKeyText
    name_en: Name | None = None


@dataclass(frozen=True)
class ProposeForeignAdmission:
    """A governor proposes to admit a foreign organisation, by its own identifier and country."""

    TYPE: ClassVar[str] = "identity.propose_foreign_admission"
    VERSION: ClassVar[int] = 1
    organisation: ForeignOrganisationId
    country: CountryCode
    name: Name
    roles: Annotated[list[RoleName], Length(1, 20)]
    public_key: PublicKeyText
    name_en: Name | None = None


@dataclass(frozen=True)
class ProposeRoleGrant:
    """A governor proposes to grant a role to a member organisation."""

    TYPE: ClassVar[str] = "identity.propose_role_grant"
    VERSION: ClassVar[int] = 1
    inn: OrganisationId
    role: RoleName


@dataclass(frozen=True)
class ProposeRoleRevocation:
    """A governor proposes to take a role away from a member organisation."""

    TYPE: ClassVar[str] = "identity.propose_role_revocation"
    VERSION: ClassVar[int] = 1
    inn: OrganisationId
    role: RoleName


@dataclass(frozen=True)
class ProposeQuorum:
    """A governor proposes a new number of governor approvals for governance actions."""

    TYPE: ClassVar[str] = "identity.propose_quorum"
    VERSION: ClassVar[int] = 1
    quorum: Positive


@dataclass(frozen=True)
class ProposeKeyRevocation:
    """A governor proposes to revoke a member's key (a lost or compromised key)."""

    TYPE: ClassVar[str] = "identity.propose_key_revocation"
    VERSION: ClassVar[int] = 1
    inn: OrganisationId
    key_id: KeyId


@dataclass(frozen=True)
class Approve:
    """A governor approves an open proposal, named by the id of its proposing transaction."""

    TYPE: ClassVar[str] = "identity.approve"
    VERSION: ClassVar[int] = 1
    proposal: Hex256


@dataclass(frozen=True)
class AddKey:
    """A member adds a signing key of its own."""

    TYPE: ClassVar[str] = "identity.add_key"
    VERSION: ClassVar[int] = 1
    public_key: PublicKeyText


@dataclass(frozen=True)
class RevokeKey:
    """A member revokes one of its keys; its last active key cannot be revoked this way."""

    TYPE: ClassVar[str] = "identity.revoke_key"
    VERSION: ClassVar[int] = 1
    key_id: KeyId


@dataclass(frozen=True)
class RotateKey:
    """A member replaces a key by a new one in one step."""

    TYPE: ClassVar[str] = "identity.rotate_key"
    VERSION: ClassVar[int] = 1
    old_key_id: KeyId
    new_public_key: PublicKeyText
