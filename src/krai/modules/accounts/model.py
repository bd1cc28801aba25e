"""Rouble accounts in kopecks, double entry, and earmarks.

Every movement writes two postings, a debit on the paying account and a credit on the
receiving one, so the balances of all accounts always sum to zero: treasury accounts, where
money enters the ledger from a budget, are the only ones that may go below zero. An
earmarked account (one with a ``purpose``) receives and pays out only for that purpose.
"""

from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    """What an account is for, and whether it may go negative."""

    OPERATING = "operating"
    BUDGET = "budget"
    TREASURY = "treasury"
    CLEARING = "clearing"


NEGATIVE_ALLOWED = frozenset({AccountKind.TREASURY})
ACCOUNT_ID_PATTERN = r"[a-z0-9][a-z0-9:._-]{0,127}"
PURPOSE_PATTERN = r"[a-z0-9][a-z0-9:._-]{0,127}"


def account_key(account_id: str) -> str:
    """State key of an account."""
    return f"accounts/account/{account_id}"


def posting_key(account_id: str, index: int, position: int) -> str:
    """State key of one posting on an account, ordered by entry index."""
    return f"accounts/posting/{account_id}/{index:012d}/{position:04d}"


@dataclass(frozen=True)
class Movement:
    """Money moving from one account to another, for a purpose, under a reference."""

    from_account: str
    to_account: str
    amount_kopecks: int
    reference: str
    purpose: str | None = None
