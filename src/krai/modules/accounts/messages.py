"""Accounts transactions: open an account, pay from it, close it."""

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from krai.modules.accounts.model import (
    ACCOUNT_ID_PATTERN,
    BALANCE_LIMIT_KOPECKS,
    PURPOSE_PATTERN,
)
from krai.state.messages import Length, Max, Min, Name, Pattern

AccountId = Annotated[str, Pattern(ACCOUNT_ID_PATTERN)]
Purpose = Annotated[str, Pattern(PURPOSE_PATTERN)]
Reference = Annotated[str, Length(1, 200)]
Kopecks = Annotated[int, Min(1), Max(BALANCE_LIMIT_KOPECKS)]
Kind = Literal["operating", "budget", "treasury", "clearing"]


@dataclass(frozen=True)
class OpenAccount:
    """An organisation opens an account of its own, in roubles (treasury: treasury role)."""

    TYPE: ClassVar[str] = "accounts.open_account"
    VERSION: ClassVar[int] = 1
    account_id: AccountId
    kind: Kind
    title: Name
    purpose: Purpose | None = None


@dataclass(frozen=True)
class Transfer:
    """The owner of ``from_account`` pays ``amount_kopecks`` into ``to_account``."""

    TYPE: ClassVar[str] = "accounts.transfer"
    VERSION: ClassVar[int] = 1
    from_account: AccountId
    to_account: AccountId
    amount_kopecks: Kopecks
    reference: Reference
    purpose: Purpose | None = None
    memo: Annotated[str, Length(1, 500)] | None = None


@dataclass(frozen=True)
class CloseAccount:
    """The owner closes an account whose balance is zero."""

    TYPE: ClassVar[str] = "accounts.close_account"
    VERSION: ClassVar[int] = 1
    account_id: AccountId
