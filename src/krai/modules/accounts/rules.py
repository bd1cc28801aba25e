"""Accounts rules: opening, moving money with double entry, closing."""

from typing import Any

from krai.modules.accounts import events
from krai.modules.accounts.messages import CloseAccount, OpenAccount, Transfer
from krai.modules.accounts.model import (
    NEGATIVE_ALLOWED,
    AccountKind,
    Movement,
    account_key,
    posting_key,
)
from krai.modules.identity.model import Role
from krai.modules.identity.queries import organisation
from krai.state.engine import Context
from krai.tx.errors import conflict, not_found, rule_violation


def apply_open(ctx: Context, message: OpenAccount) -> None:
    """Open an account owned by the signer; treasury accounts need the treasury role."""
    if ctx.read(account_key(message.account_id)) is not None:
        raise conflict(f"account {message.account_id} exists already")
    member = organisation(ctx.state, ctx.signer)
    if message.kind == AccountKind.TREASURY.value and (
        member is None or Role.TREASURY not in member["roles"]
    ):
        raise rule_violation("only an organisation with the treasury role opens a treasury account")
    record = {
        "owner": ctx.signer,
        "kind": message.kind,
        "title": message.title,
        "purpose": message.purpose,
        "balance_kopecks": 0,
        "status": "open",
        "opened_index": ctx.index,
    }
    ctx.state.put(account_key(message.account_id), record)
    ctx.emit(events.AccountOpened(message.account_id, ctx.signer, message.kind, message.purpose))


def apply_transfer(ctx: Context, message: Transfer) -> None:
    """Move money out of an account the signer owns."""
    paying = _open_account(ctx, message.from_account)
    if paying["owner"] != ctx.signer:
        raise rule_violation(
            f"account {message.from_account} belongs to {paying['owner']}, not {ctx.signer}"
        )
    movement = Movement(
        message.from_account,
        message.to_account,
        message.amount_kopecks,
        message.reference,
        message.purpose,
    )
    move(ctx, movement)


def move(ctx: Context, movement: Movement) -> None:
    """Debit one account and credit another; modules call this inside their own transactions.

    Who may move the money is the calling rule's concern; this enforces the invariants:
    open accounts, a positive amount, no overdraft where none is allowed, earmarks kept.
    """
    source, target, amount = movement.from_account, movement.to_account, movement.amount_kopecks
    if amount <= 0:
        raise rule_violation(f"amount {amount} kopecks must be positive")
    if source == target:
        raise rule_violation("an account cannot pay itself")
    paying, receiving = _open_account(ctx, source), _open_account(ctx, target)
    _check_earmarks(source, paying, target, receiving, movement.purpose)
    _check_funds(source, paying, amount)
    paying["balance_kopecks"] -= amount
    receiving["balance_kopecks"] += amount
    ctx.state.put(account_key(source), paying)
    ctx.state.put(account_key(target), receiving)
    _post(ctx, movement)
    ctx.emit(events.Transferred(source, target, amount, movement.purpose, movement.reference))


def apply_close(ctx: Context, message: CloseAccount) -> None:
    """Close an account of the signer whose balance is zero."""
    account = _open_account(ctx, message.account_id)
    if account["owner"] != ctx.signer:
        raise rule_violation(f"account {message.account_id} belongs to {account['owner']}")
    if account["balance_kopecks"] != 0:
        raise rule_violation(
            f"account {message.account_id} holds {account['balance_kopecks']} kopecks"
        )
    account.update(status="closed", closed_index=ctx.index)
    ctx.state.put(account_key(message.account_id), account)
    ctx.emit(events.AccountClosed(message.account_id))


def _open_account(ctx: Context, account_id: str) -> dict[str, Any]:
    account = ctx.read(account_key(account_id))
    if account is None:
        raise not_found(f"no account {account_id}")
    if account["status"] != "open":
        raise rule_violation(f"account {account_id} is {account['status']}")
    return account


def _check_earmarks(
    from_id: str, paying: dict[str, Any], to_id: str, receiving: dict[str, Any], purpose: str | None
) -> None:
    for account_id, account in ((from_id, paying), (to_id, receiving)):
        earmark = account.get("purpose")
        if earmark and purpose != earmark:
            raise rule_violation(
                f"account {account_id} is earmarked for {earmark!r}; the transfer says {purpose!r}"
            )


def _check_funds(account_id: str, account: dict[str, Any], amount_kopecks: int) -> None:
    if account["kind"] in NEGATIVE_ALLOWED:
        return
    balance = account["balance_kopecks"]
    if balance < amount_kopecks:
        raise rule_violation(
            f"account {account_id} holds {balance} kopecks, the transfer needs {amount_kopecks}"
        )


def _post(ctx: Context, movement: Movement) -> None:
    position = sum(1 for event in ctx.events if isinstance(event, events.Transferred))
    common = {
        "amount_kopecks": movement.amount_kopecks,
        "purpose": movement.purpose,
        "reference": movement.reference,
        "tx_id": ctx.tx_id,
        "time_ms": ctx.time_ms,
    }
    debit = {**common, "side": "debit", "counterparty": movement.to_account}
    credit = {**common, "side": "credit", "counterparty": movement.from_account}
    ctx.state.put(posting_key(movement.from_account, ctx.index, position), debit)
    ctx.state.put(posting_key(movement.to_account, ctx.index, position), credit)
