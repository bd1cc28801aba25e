"""Accounts rules: opening, moving money by double entry, closing.

``move`` is the one way money moves. ``accounts.transfer`` calls it after checking that the
signer owns the paying account; other modules call it inside their own transactions, having
decided themselves who may move what.
"""

from typing import Any

from krai.modules.accounts import events
from krai.modules.accounts.messages import CloseAccount, OpenAccount, Transfer
from krai.modules.accounts.model import (
    CURRENCY,
    AccountKind,
    Side,
    account_key,
    earmark_allows,
    may_go_negative,
    posting_key,
    within_limit,
)
from krai.modules.identity.model import Role
from krai.modules.identity.queries import organisation
from krai.state.engine import Context
from krai.tx.errors import conflict, invalid_body, not_found, rule_violation

# --- accounts.open_account -----------------------------------------------------------------


def validate_open(ctx: Context, message: OpenAccount) -> None:
    """The id is free; a treasury account needs the treasury role."""
    if ctx.read(account_key(message.account_id)) is not None:
        raise conflict(f"account {message.account_id} exists already")
    member = organisation(ctx.state, ctx.signer)
    roles = member["roles"] if member else []
    if message.kind == AccountKind.TREASURY.value and Role.TREASURY not in roles:
        raise rule_violation("only an organisation with the treasury role opens a treasury account")


def apply_open(ctx: Context, message: OpenAccount) -> None:
    """Open an account owned by the signer, with a zero balance in roubles."""
    record: dict[str, Any] = {
        "owner": ctx.signer,
        "kind": message.kind,
        "title": message.title,
        "currency": CURRENCY,
        "balance_kopecks": 0,
        "status": "open",
        "opened_index": ctx.index,
    }
    if message.purpose is not None:
        record["purpose"] = message.purpose
    ctx.state.put(account_key(message.account_id), record)
    ctx.emit(events.AccountOpened(message.account_id, ctx.signer, message.kind, message.purpose))


# --- accounts.transfer ---------------------------------------------------------------------


def check_transfer(message: Transfer) -> None:
    """An account does not pay itself."""
    if message.from_account == message.to_account:
        raise invalid_body(f"from_account and to_account are both {message.from_account}")


def validate_transfer(ctx: Context, message: Transfer) -> None:
    """Only the owner of the paying account pays from it."""
    owner = _open_account(ctx, message.from_account)["owner"]
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
    paying["balance_kopecks"] -= amount_kopecks
    receiving["balance_kopecks"] += amount_kopecks
    _check_limit(to_account, receiving)
    _check_limit(from_account, paying)
    details = _details(ctx, amount_kopecks, purpose, reference, memo)
    position = sum(isinstance(event, events.Transferred) for event in ctx.events)
    _post(ctx, from_account, paying, position, {**details, **_side(Side.DEBIT, to_account)})
    _post(ctx, to_account, receiving, position, {**details, **_side(Side.CREDIT, from_account)})
    ctx.emit(events.Transferred(from_account, to_account, amount_kopecks, purpose, reference))


# --- accounts.close_account ----------------------------------------------------------------


def validate_close(ctx: Context, message: CloseAccount) -> None:
    """The signer owns the account and it holds nothing."""
    account = _open_account(ctx, message.account_id)
    if account["owner"] != ctx.signer:
        raise rule_violation(f"account {message.account_id} belongs to {account['owner']}")
    if account["balance_kopecks"] != 0:
        raise rule_violation(
            f"account {message.account_id} has balance {account['balance_kopecks']} kopecks; "
            "only an account with balance 0 closes"
        )


def apply_close(ctx: Context, message: CloseAccount) -> None:
    """Close the account: it neither pays nor receives again."""
    account = _open_account(ctx, message.account_id)
    account.update(status="closed", closed_index=ctx.index)
    ctx.state.put(account_key(message.account_id), account)
    ctx.emit(events.AccountClosed(message.account_id, ctx.signer))


# --- helpers -------------------------------------------------------------------------------


def _open_account(ctx: Context, account_id: str) -> dict[str, Any]:
    account = ctx.read(account_key(account_id))
    if account is None:
        raise not_found(f"no account {account_id}")
    if account["status"] != "open":
        raise rule_violation(f"account {account_id} is {account['status']}")
    return account


def _check_amount(amount_kopecks: int, from_account: str, to_account: str) -> None:
    if isinstance(amount_kopecks, bool) or not isinstance(amount_kopecks, int):
        raise invalid_body(f"amount {amount_kopecks!r} is not a whole number of kopecks")
    if amount_kopecks <= 0:
        raise rule_violation(f"amount {amount_kopecks} kopecks: a movement must be positive")
    if from_account == to_account:
        raise rule_violation(f"account {from_account} cannot pay itself")


def _check_earmark(
    account_id: str, paying: dict[str, Any], receiving: dict[str, Any], purpose: str | None
) -> None:
    earmark = paying.get("purpose")
    if not earmark_allows(earmark, purpose, receiving.get("purpose")):
        raise rule_violation(
            f"account {account_id} is earmarked for {earmark!r}: it pays only for that purpose "
            f"or into an account with it; this transfer's purpose is {purpose!r}"
        )


def _check_funds(account_id: str, account: dict[str, Any], amount_kopecks: int) -> None:
    balance = account["balance_kopecks"]
    if balance < amount_kopecks and not may_go_negative(account["kind"]):
        raise rule_violation(
            f"account {account_id} has balance {balance} kopecks, transfer {amount_kopecks} "
            f"kopecks: a {account['kind']} account cannot go negative"
        )


def _check_limit(account_id: str, account: dict[str, Any]) -> None:
    if not within_limit(account["balance_kopecks"]):
        raise rule_violation(
            f"account {account_id} would reach {account['balance_kopecks']} kopecks, "
            "beyond what the ledger represents exactly"
        )


def _details(
    ctx: Context, amount_kopecks: int, purpose: str | None, reference: str, memo: str | None
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "amount_kopecks": amount_kopecks,
        "reference": reference,
        "index": ctx.index,
        "time_ms": ctx.time_ms,
        "tx_id": ctx.tx_id,
    }
    if purpose is not None:
        details["purpose"] = purpose
    if memo is not None:
        details["memo"] = memo
    return details


def _side(side: Side, counterparty: str) -> dict[str, str]:
    return {"side": side.value, "counterparty": counterparty}


def _post(
    ctx: Context, account_id: str, account: dict[str, Any], position: int, posting: dict[str, Any]
) -> None:
    """Store the account with its new balance, and its posting with the balance after it."""
    ctx.state.put(account_key(account_id), account)
    posting["balance_after_kopecks"] = account["balance_kopecks"]
    ctx.state.put(posting_key(account_id, ctx.index, position), posting)
