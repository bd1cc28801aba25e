"""Facts established by accounts transactions."""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class AccountOpened:
    NAME: ClassVar[str] = "accounts.AccountOpened"
    account_id: str
    owner: str
    kind: str
    purpose: str | None


@dataclass(frozen=True)
class Transferred:
    NAME: ClassVar[str] = "accounts.Transferred"
    from_account: str
    to_account: str
    amount_kopecks: int
    purpose: str | None
    reference: str


@dataclass(frozen=True)
class AccountClosed:
    NAME: ClassVar[str] = "accounts.AccountClosed"
    account_id: str
    owner: str
