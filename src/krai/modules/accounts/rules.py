"""Accounts rules: opening, moving money by double entry, closing.

``move`` is the one way money moves. ``accounts.transfer`` calls it after checking that the
signer owns the paying account; other modules call it inside their own transactions, having
decided themselves who may move what.
"""

from typing import NamedTuple

from krai.modules.accounts import events
from krai.modules.accounts.messages import CloseAccount, OpenAccount, Transfer
from krai.modules.accounts.model import (
    CURRENCY,
    Account,
    AccountKind,
    Posting,
    SideName,
    account_key,
    earmark_allows,
    may_go_negative,
    posting_key,
    within_limit,
)
from krai.modules.identity.model import Role
from krai.modules.identity.queries import member
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, invalid_body, not_found, rule_violation


class Movement(NamedTuple):
    """What both postings of one movement record alike."""

    amount_kopecks: int
    purpose: str | None
    reference: str
    memo: str | None


# --- accounts.open_account -----------------------------------------------------------------


def validate_open(ctx: Context, message: OpenAccount) -> None:
    """The id is free; a treasury account needs the treasury role."""
    if ctx.state.get_bytes(account_key(message.account_id)) is not None:
        raise conflict(f"account {message.account_id} exists already")
    found = member(ctx.state, ctx.signer)
    roles = found.roles if found else ()
    if message.kind == AccountKind.TREASURY.value and Role.TREASURY not in roles:
        raise rule_violation("only an organisation with the treasury role opens a treasury account")


def apply_open(ctx: Context, message: OpenAccount) -> None:
    """Open an account owned by the signer, with a zero balance in roubles."""
    record = Account(
        owner=ctx.signer,
        kind=message.kind,
        title=message.title,
        currency=CURRENCY,
        balance_kopecks=0,
        status="open",
        opened_index=ctx.index,
        purpose=message.purpose,
    )
    write_record(ctx.state, account_key(message.account_id), record)
    ctx.emit(events.AccountOpened(message.account_id, ctx.signer, message.kind, message.purpose))


# --- accounts.transfer ---------------------------------------------------------------------


def check_transfer(message: Transfer) -> None:
    """An account does not pay itself."""
    if message.from_account == message.to_account:
        raise invalid_body(f"from_account and to_account are both {message.from_account}")


def validate_transfer(ctx: Context, message: Transfer) -> None:
    """Only the owner of the paying account pays from it."""
    owner = _open_account(ctx, message.from_account).owner
    if owner != ctx.signer:
        raise rule_violation(f"account {message.from_account} belongs to {owner}, not {ctx.signer}")


def apply_transfer(ctx: Context, message: Transfer) -> None:
    """Move the money."""
    move(
        ctx,
        message.from_account,
        message.to_account,
        message.amount_kopecks,
        purpose=message.purpose,
        reference=message.reference,
        memo=message.memo,
    )


def move(
    ctx: Context,
    from_account: str,
    to_account: str,
    amount_kopecks: int,
    *,
    purpose: str | None,
    reference: str,
    memo: str | None = None,
) -> None:
    """Debit ``from_account`` and credit ``to_account``, or raise RejectedError.

    Enforces the invariants whoever calls: a positive whole amount, two distinct open
    accounts, the paying account's earmark, no negative balance where none is allowed.
    Who may move the money is the calling rule's concern.
    """
    _check_amount(amount_kopecks, from_account, to_account)
    paying, receiving = _open_account(ctx, from_account), _open_account(ctx, to_account)
    _check_earmark(from_account, paying, receiving, purpose)
    _check_funds(from_account, paying, amount_kopecks)
    paid = paying.with_balance(paying.balance_kopecks - amount_kopecks)
    received = receiving.with_balance(receiving.balance_kopecks + amount_kopecks)
    _check_limit(to_account, received)
    _check_limit(from_account, paid)
    movement = Movement(amount_kopecks, purpose, reference, memo)
    position = sum(isinstance(event, events.Transferred) for event in ctx.events)
    _post(
        ctx, from_account, paid, position, side="debit", counterparty=to_account, movement=movement
    )
    _post(
        ctx,
        to_account,
        received,
        position,
        side="credit",
        counterparty=from_account,
        movement=movement,
    )
    ctx.emit(events.Transferred(from_account, to_account, amount_kopecks, purpose, reference))


# --- accounts.close_account ----------------------------------------------------------------


def validate_close(ctx: Context, message: CloseAccount) -> None:
    """The signer owns the account and it holds nothing."""
    account = _open_account(ctx, message.account_id)
    if account.owner != ctx.signer:
        raise rule_violation(f"account {message.account_id} belongs to {account.owner}")
    if account.balance_kopecks != 0:
        raise rule_violation(
            f"account {message.account_id} has balance {account.balance_kopecks} kopecks; "
            "only an account with balance 0 closes"
        )


def apply_close(ctx: Context, message: CloseAccount) -> None:
    """Close the account: it neither pays nor receives again."""
    closed = _open_account(ctx, message.account_id).closed(ctx.index)
    write_record(ctx.state, account_key(message.account_id), closed)
    ctx.emit(events.AccountClosed(message.account_id, ctx.signer))


# --- helpers -------------------------------------------------------------------------------


def _open_account(ctx: Context, account_id: str) -> Account:
    account = read_record(ctx.state, account_key(account_id), Account)
    if account is None:
        raise not_found(f"no account {account_id}")
    if account.status != "open":
        raise rule_violation(f"account {account_id} is {account.status}")
    return account


def _check_amount(amount_kopecks: int, from_account: str, to_account: str) -> None:
    if isinstance(amount_kopecks, bool) or not isinstance(amount_kopecks, int):
        raise invalid_body(f"amount {amount_kopecks!r} is not a whole number of kopecks")
    if amount_kopecks <= 0:
        raise rule_violation(f"amount {amount_kopecks} kopecks: a movement must be positive")
    if from_account == to_account:
        raise rule_violation(f"account {from_account} cannot pay itself")


def _check_earmark(
    account_id: str, paying: Account, receiving: Account, purpose: str | None
) -> None:
    earmark = paying.purpose
    if not earmark_allows(earmark, purpose, receiving.purpose):
        raise rule_violation(
            f"account {account_id} is earmarked for {earmark!r}: it pays only for that purpose "
            f"or into an account with it; this transfer's purpose is {purpose!r}"
        )


def _check_funds(account_id: str, account: Account, amount_kopecks: int) -> None:
    balance = account.balance_kopecks
    if balance < amount_kopecks and not may_go_negative(account.kind):
        raise rule_violation(
            f"account {account_id} has balance {balance} kopecks, transfer {amount_kopecks} "
            f"kopecks: a {account.kind} account cannot go negative"
        )


def _check_limit(account_id: str, account: Account) -> None:
    if not within_limit(account.balance_kopecks):
        raise rule_violation(
            f"account {account_id} would reach {account.balance_kopecks} kopecks, "
            "beyond what the ledger represents exactly"
        )


def _post(
    ctx: Context,
    account_id: str,
    account: Account,
    position: int,
    *,
    side: SideName,
    counterparty: str,
    movement: Movement,
) -> None:
    """Store the account with its new balance, and its posting with the balance after it."""
    write_record(ctx.state, account_key(account_id), account)
    posting = Posting(
        amount_kopecks=movement.amount_kopecks,
        side=side,
        counterparty=counterparty,
        reference=movement.reference,
        index=ctx.index,
        time_ms=ctx.time_ms,
        tx_id=ctx.tx_id,
        balance_after_kopecks=account.balance_kopecks,
        purpose=movement.purpose,
        memo=movement.memo,
    )
    write_record(ctx.state, posting_key(account_id, ctx.index, position), posting)
