"""Read functions over accounts."""

from typing import Any

from krai.modules.accounts.model import account_key
from krai.state.store import StateView, read, scan


def account(view: StateView, account_id: str) -> dict[str, Any] | None:
    """The account, or None."""
    return read(view, account_key(account_id))


def balance(view: StateView, account_id: str) -> int:
    """The account's balance in kopecks (0 for an unknown account)."""
    found = account(view, account_id)
    return int(found["balance_kopecks"]) if found else 0


def accounts_of(view: StateView, owner: str) -> list[dict[str, Any]]:
    """Every account an organisation owns."""
    prefix = "accounts/account/"
    found = [{"account_id": key[len(prefix) :], **value} for key, value in scan(view, prefix)]
    return [a for a in found if a["owner"] == owner]


def postings(view: StateView, account_id: str) -> list[dict[str, Any]]:
    """The account's postings in ledger order."""
    return [value for _, value in scan(view, f"accounts/posting/{account_id}/")]


def trial_balance(view: StateView) -> int:
    """The sum of every account's balance: zero, by double entry."""
    return sum(int(value["balance_kopecks"]) for _, value in scan(view, "accounts/account/"))
