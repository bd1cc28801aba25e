"""Read functions over accounts, used alike by other modules, the CLI, the API and audits."""

from typing import Any

from krai.modules.accounts.model import ACCOUNT_PREFIX, Side, account_key, postings_prefix
from krai.state.store import StateView, read, scan


def account(view: StateView, account_id: str) -> dict[str, Any] | None:
    """The account with its id, owner, kind, purpose, balance and status, or None."""
    found = read(view, account_key(account_id))
    return None if found is None else {"account_id": account_id, **found}


def balance(view: StateView, account_id: str) -> int | None:
    """The account's balance in kopecks, or None when there is no such account."""
    found = read(view, account_key(account_id))
    return None if found is None else int(found["balance_kopecks"])


def accounts(view: StateView) -> list[dict[str, Any]]:
    """Every account, open or closed, in order of id."""
    return [
        {"account_id": key[len(ACCOUNT_PREFIX) :], **value}
        for key, value in scan(view, ACCOUNT_PREFIX)
    ]


def accounts_of(view: StateView, inn: str) -> list[dict[str, Any]]:
    """Every account the organisation with this INN owns, open or closed."""
    return [found for found in accounts(view) if found["owner"] == inn]


def postings(view: StateView, account_id: str) -> list[dict[str, Any]]:
    """The account's postings in ledger order, each with the balance after it."""
    return [value for _, value in scan(view, postings_prefix(account_id))]


def posted_balance(view: StateView, account_id: str) -> int:
    """Credits less debits over the account's postings: equal to its balance, always."""
    return sum(
        posting["amount_kopecks"] * (1 if posting["side"] == Side.CREDIT else -1)
        for posting in postings(view, account_id)
    )


def trial_balance(view: StateView) -> int:
    """The sum of every account's balance in kopecks: zero, by double entry."""
    return sum(int(value["balance_kopecks"]) for _, value in scan(view, ACCOUNT_PREFIX))
