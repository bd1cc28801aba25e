"""Facts established by identity transactions."""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class ProposalOpened:
    NAME: ClassVar[str] = "identity.ProposalOpened"
    proposal: str
    action: str
    proposer: str


@dataclass(frozen=True)
class ProposalApproved:
    NAME: ClassVar[str] = "identity.ProposalApproved"
    proposal: str
    governor: str
    approvals: int
    quorum: int


@dataclass(frozen=True)
class OrganisationAdmitted:
    NAME: ClassVar[str] = "identity.OrganisationAdmitted"
    inn: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RoleGranted:
    NAME: ClassVar[str] = "identity.RoleGranted"
    inn: str
    role: str


@dataclass(frozen=True)
class RoleRevoked:
    NAME: ClassVar[str] = "identity.RoleRevoked"
    inn: str
    role: str


@dataclass(frozen=True)
class QuorumChanged:
    NAME: ClassVar[str] = "identity.QuorumChanged"
    quorum: int


@dataclass(frozen=True)
class KeyAdded:
    NAME: ClassVar[str] = "identity.KeyAdded"
    inn: str
    key_id: str


@dataclass(frozen=True)
class KeyRevoked:
    NAME: ClassVar[str] = "identity.KeyRevoked"
    inn: str
    key_id: str
