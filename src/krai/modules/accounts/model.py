"""Rouble accounts in kopecks, double entry, and earmarks: the invariants, no storage.

Every movement of money writes two postings: a debit on the paying account and a credit on
the receiving one (the bank's view of its customers' accounts: a payment debits the payer).
So the balances of all accounts always sum to zero. Treasury accounts, through which a
budget appropriation enters the ledger from outside, are the only ones that may go below
zero; their negative balance is the money the rest of the ledger holds.

An earmarked account (one with a ``purpose``) pays out only for that purpose, or into an
account earmarked for the same purpose. It may receive money from anywhere.
"""

from enum import StrEnum
from typing import Literal

import msgspec

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.state.records import Record, SafeInt


class AccountKind(StrEnum):
    """What an account is for, and whether it may go negative."""

    OPERATING = "operating"
    BUDGET = "budget"
    TREASURY = "treasury"
    CLEARING = "clearing"


MAY_GO_NEGATIVE = frozenset({AccountKind.TREASURY.value})
CURRENCY = "RUB"
BALANCE_LIMIT_KOPECKS = MAX_SAFE_INTEGER
"""No balance passes ±(2^53 − 1) kopecks (about 90 trillion roubles): JSON stays exact."""

ACCOUNT_ID_PATTERN = r"[a-z0-9][a-z0-9:._-]{0,127}"
PURPOSE_PATTERN = r"[a-z0-9][a-z0-9:._-]{0,127}"
ACCOUNT_PREFIX = "accounts/account/"
POSTING_PREFIX = "accounts/posting/"


def account_key(account_id: str) -> str:
    """State key of an account."""
    return f"{ACCOUNT_PREFIX}{account_id}"


def postings_prefix(account_id: str) -> str:
    """State key prefix of an account's postings."""
    return f"{POSTING_PREFIX}{account_id}/"


def posting_key(account_id: str, index: int, position: int) -> str:
    """State key of a posting: the entry's index, then the movement's place in the entry."""
    return f"{postings_prefix(account_id)}{index:012d}/{position:04d}"


def may_go_negative(kind: str) -> bool:
    """Whether an account of this kind may hold a negative balance."""
    return kind in MAY_GO_NEGATIVE


def earmark_allows(earmark: str | None, purpose: str | None, receiving_purpose: str | None) -> bool:
    """Whether money may leave an account earmarked for ``earmark`` (None: not earmarked)."""
    return earmark is None or earmark in (purpose, receiving_purpose)


def within_limit(balance_kopecks: int) -> bool:
    """Whether a balance stays inside the representable range."""
    return -BALANCE_LIMIT_KOPECKS <= balance_kopecks <= BALANCE_LIMIT_KOPECKS


AccountKindName = Literal["operating", "budget", "treasury", "clearing"]
AccountStatus = Literal["open", "closed"]
SideName = Literal["debit", "credit"]
"""The side of a posting: a payment debits the payer and credits the payee."""


class Account(Record, frozen=True):
    """An account, stored under ``account_key(account_id)``: owner, kind, balance, status."""

    owner: str
    kind: AccountKindName
    title: str
    currency: str
    balance_kopecks: SafeInt
    status: AccountStatus
    opened_index: SafeInt
    purpose: str | None = None
    closed_index: SafeInt | None = None

    def with_balance(self, balance_kopecks: int) -> "Account":
        """The same account holding ``balance_kopecks``."""
        return msgspec.structs.replace(self, balance_kopecks=balance_kopecks)

    def closed(self, index: int) -> "Account":
        """The same account, closed at entry ``index``."""
        return msgspec.structs.replace(self, status="closed", closed_index=index)


class AccountView(Account, frozen=True, kw_only=True):
    """An account with its id: what queries answer."""

    account_id: str


class Posting(Record, frozen=True):
    """One side of a movement, stored under ``posting_key``: the amount, the other account,
    where in the log, and the account's balance after it."""

    amount_kopecks: SafeInt
    side: SideName
    counterparty: str
    reference: str
    index: SafeInt
    time_ms: SafeInt
    tx_id: str
    balance_after_kopecks: SafeInt
    purpose: str | None = None
    memo: str | None = None

    def signed_kopecks(self) -> int:
        """The amount, positive for a credit and negative for a debit."""
        return self.amount_kopecks if self.side == "credit" else -self.amount_kopecks
