"""Read functions over accounts, used alike by other modules, the CLI, the API and audits.

Each answers typed records (``model.AccountView``, ``model.Posting``); ``account`` and
``postings`` answer JSON objects, for the domain modules that read them so.
"""

import msgspec

from krai.modules.accounts.model import (
    ACCOUNT_PREFIX,
    Account,
    AccountView,
    Posting,
    account_key,
    postings_prefix,
)
from krai.state.records import read_record, scan_records
from krai.state.store import StateView


def account_record(view: StateView, account_id: str) -> AccountView | None:
    """The account with its id, owner, kind, purpose, balance and status, or None."""
    found = read_record(view, account_key(account_id), Account)
    return None if found is None else _with_id(account_id, found)


def balance(view: StateView, account_id: str) -> int | None:
    """The account's balance in kopecks, or None when there is no such account."""
    found = read_record(view, account_key(account_id), Account)
    return None if found is None else found.balance_kopecks


def accounts(view: StateView) -> list[AccountView]:
    """Every account, open or closed, in order of id."""
    return [
        _with_id(key[len(ACCOUNT_PREFIX) :], found)
        for key, found in scan_records(view, ACCOUNT_PREFIX, Account)
    ]


def accounts_of(view: StateView, inn: str) -> list[AccountView]:
    """Every account the organisation with this INN owns, open or closed."""
    return [found for found in accounts(view) if found.owner == inn]


def posting_records(view: StateView, account_id: str) -> list[Posting]:
    """The account's postings in ledger order, each with the balance after it."""
    return [found for _, found in scan_records(view, postings_prefix(account_id), Posting)]


def posted_balance(view: StateView, account_id: str) -> int:
    """Credits less debits over the account's postings: equal to its balance, always."""
    return sum(posting.signed_kopecks() for posting in posting_records(view, account_id))


def trial_balance(view: StateView) -> int:
    """The sum of every account's balance in kopecks: zero, by double entry."""
    return sum(found.balance_kopecks for _, found in scan_records(view, ACCOUNT_PREFIX, Account))


def _with_id(account_id: str, found: Account) -> AccountView:
    return AccountView(account_id=account_id, **msgspec.structs.asdict(found))
