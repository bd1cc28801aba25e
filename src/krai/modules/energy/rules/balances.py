"""Settlement as balances (``energy.settle_day`` v2), collection and write-off.

A settled day keeps, for each party — every participant and the grid company — what it is
invoiced, what it has paid (signed, cumulative over revisions and collections: + into the
market's settlement account, − out of it) and what was written off; outstanding = invoiced −
paid − written off. The grid's invoice is the sum of the participants' (energy at the clearing
price nets to the grid's import − export, imbalance is the grid's, so is the fee), owed to the
grid. Every settlement, collection and write-off leaves the day's cash — what its parties paid
in less what they were paid out — at zero, so the settlement account nets to zero: checked on
every transaction, a difference is a bug and refuses it. docs/modules/energy.md §Settlement.
"""

from collections.abc import Iterable
from typing import NamedTuple

import msgspec

from krai.modules.accounts.queries import account_record, balance
from krai.modules.accounts.rules import move
from krai.modules.energy import events
from krai.modules.energy.messages import CollectOutstanding, SettleDay, WriteOff
from krai.modules.energy.model import settlement_key
from krai.modules.energy.queries import settled_days, settlement
from krai.modules.energy.records import (
    Balance,
    GridInvoice,
    Invoice,
    Market,
    SettledBefore,
    Settlement,
    WrittenOff,
)
from krai.modules.energy.rules.records import market, operated_market, participant
from krai.modules.energy.rules.settlement import invoices, settleable
from krai.state.engine import Context
from krai.state.records import write_record
from krai.tx.errors import conflict, not_found, rule_violation

GRID = "grid"
"""The grid company's name as a party of a day."""


class Party(NamedTuple):
    """A participant (by INN) or the grid, its account, and what it owes the market (+) or is
    owed by it (−)."""

    name: str
    account: str
    owes: int


class Payment(NamedTuple):
    """Money a party pays the market for a day (+) or is paid by it (−)."""

    day: str
    party: str
    account: str
    kopecks: int


def validate_settlement(ctx: Context, message: SettleDay) -> None:
    """A market with a grid account; every period cleared; the day's invoices would change."""
    balanced_market(ctx, message.market_id)
    settleable(ctx, message)


def apply_settlement(ctx: Context, message: SettleDay) -> None:
    """Invoice everyone, carry each party's balance, then collect and pay what is owed."""
    found = market(ctx, message.market_id)
    before = _settlement_balance(ctx, found)
    day = message.delivery_date
    previous = settlement(ctx.state, message.market_id, day)
    revised = _revision(ctx, found, message, previous)
    payments = plan(ctx, found, message.market_id, {day: revised})
    settled = _pay(ctx, found, message.market_id, {day: revised}, payments)[day]
    write_record(ctx.state, settlement_key(message.market_id, day), settled)
    _check_nets_to_zero(ctx, found, before, [settled])
    moved = sum(abs(p.kopecks) for p in payments)
    ctx.emit(
        events.DaySettled(message.market_id, day, settled.revision, len(settled.invoices), moved)
    )
    for inn, bill in settled.invoices.items():
        if bill.outstanding() > 0:
            ctx.emit(events.InvoiceUnpaid(message.market_id, day, inn, bill.outstanding()))


def validate_collection(ctx: Context, message: CollectOutstanding) -> None:
    """Some outstanding amount of the day (or of any day) can be collected now."""
    found = balanced_market(ctx, message.market_id)
    if not _collection(ctx, found, message):
        where = message.delivery_date or f"any day of market {message.market_id}"
        raise conflict(f"nothing outstanding on {where} can be collected now")


def apply_collection(ctx: Context, message: CollectOutstanding) -> None:
    """Collect from debtors and pay creditors, day by day, oldest first."""
    found = market(ctx, message.market_id)
    before = _settlement_balance(ctx, found)
    moved = _collection(ctx, found, message)
    settled = _pay(ctx, found, message.market_id, _open_days(ctx, message), moved)
    for day, record in settled.items():
        write_record(ctx.state, settlement_key(message.market_id, day), record)
    _check_nets_to_zero(ctx, found, before, settled.values())
    ctx.emit(
        events.OutstandingCollected(
            message.market_id, len({p.day for p in moved}), sum(abs(p.kopecks) for p in moved)
        )
    )


def validate_write_off(ctx: Context, message: WriteOff) -> None:
    """The party has exactly ``amount_kopecks`` outstanding on a day settled as balances."""
    balanced_market(ctx, message.market_id)
    day = _settled(ctx, message.market_id, message.delivery_date)
    owes = _owes(day, message.party)
    if owes is None:
        raise not_found(f"{message.party} has no invoice on {message.delivery_date}")
    if owes == 0:
        raise conflict(f"{message.party} has nothing outstanding on {message.delivery_date}")
    if owes != message.amount_kopecks:
        raise conflict(
            f"{message.party}'s outstanding on {message.delivery_date} is {owes} kopecks, "
            f"not {message.amount_kopecks}"
        )


def apply_write_off(ctx: Context, message: WriteOff) -> None:
    """Close the party's outstanding amount without money and keep the decision."""
    found = market(ctx, message.market_id)
    before = _settlement_balance(ctx, found)
    day = _settled(ctx, message.market_id, message.delivery_date)
    decision = WrittenOff(
        party=message.party,
        amount_kopecks=message.amount_kopecks,
        reason=message.reason,
        legal_basis=message.legal_basis,
        **ctx.provenance(),
    )
    written = _written_off(day, message.party, message.amount_kopecks)
    written = msgspec.structs.replace(written, write_offs=(*day.write_offs, decision))
    write_record(ctx.state, settlement_key(message.market_id, message.delivery_date), written)
    _check_nets_to_zero(ctx, found, before, [written])
    ctx.emit(
        events.OutstandingWrittenOff(
            message.market_id, message.delivery_date, message.party, message.amount_kopecks
        )
    )


def balanced_market(ctx: Context, market_id: str) -> Market:
    """The signer's market, provided it names a grid account (opened by version 2)."""
    found = operated_market(ctx, market_id)
    if found.grid_account is None:
        raise rule_violation(
            f"market {market_id} names no grid account: it is settled by energy.settle_day "
            "version 1, which keeps no balances"
        )
    return found


def parties(found: Market, accounts: dict[str, str], day: Settlement) -> list[Party]:
    """The day's participants by INN, then the grid, each with what it owes (+) or is owed."""
    listed = [Party(inn, accounts[inn], bill.outstanding()) for inn, bill in day.invoices.items()]
    grid = day.grid
    if grid is not None and found.grid_account is not None:
        listed.append(Party(GRID, found.grid_account, -grid.outstanding()))
    return sorted(listed, key=lambda p: (p.name == GRID, p.name))


def plan_day(day: str, listed: list[Party], available: dict[str, int]) -> list[Payment]:
    """What moves for one day: debtors pay, in order, what their accounts cover, up to what
    the day owes its creditors; then creditors are paid, in order, from what was collected.
    ``available`` (spendable kopecks by open account; a creditor's account missing from it is
    not open and is not paid) is updated as if the payments were made."""
    payable = sum(-p.owes for p in listed if p.owes < 0 and p.account in available)
    payments: list[Payment] = []
    cash = 0
    for debtor in (p for p in listed if p.owes > 0):
        amount = min(debtor.owes, available.get(debtor.account, 0), payable - cash)
        if amount > 0:
            available[debtor.account] -= amount
            cash += amount
            payments.append(Payment(day, debtor.name, debtor.account, amount))
    for creditor in (p for p in listed if p.owes < 0 and p.account in available):
        amount = min(-creditor.owes, cash)
        if amount > 0:
            available[creditor.account] += amount
            cash -= amount
            payments.append(Payment(day, creditor.name, creditor.account, -amount))
    return payments


def plan(ctx: Context, found: Market, market_id: str, days: dict[str, Settlement]) -> list[Payment]:
    """The payments of ``days`` (in date order) from the accounts' spendable balances now."""
    accounts = {
        inn: participant(ctx, market_id, inn).account_id
        for day in days.values()
        for inn in day.invoices
    }
    available: dict[str, int] = {}
    for account in {*accounts.values(), found.grid_account or ""} - {""}:
        spendable = _spendable(ctx, account)
        if spendable is not None:
            available[account] = spendable
    payments: list[Payment] = []
    for day in sorted(days):
        _check_day_cash(days[day], day)
        payments += plan_day(day, parties(found, accounts, days[day]), available)
    return payments


def day_cash(day: Settlement) -> int:
    """What the day's parties paid in less what they were paid out: zero after every rule."""
    paid_in = sum((bill.balance or Balance()).paid_kopecks for bill in day.invoices.values())
    return paid_in - (0 if day.grid is None else day.grid.balance.paid_kopecks)


def _revision(
    ctx: Context, found: Market, message: SettleDay, previous: Settlement | None
) -> Settlement:
    """The day's new revision: fresh invoices carrying each party's balance so far."""
    bills = invoices(ctx.state, found, message)
    kept = {} if previous is None else previous.invoices
    for inn, old in kept.items():
        if inn not in bills and (old.balance or Balance()) != Balance():
            bills[inn] = _nothing_invoiced()
    carried = {
        inn: bill.with_balance((kept[inn].balance or Balance()) if inn in kept else Balance())
        for inn, bill in sorted(bills.items())
    }
    grid_before = None if previous is None or previous.grid is None else previous.grid.balance
    return Settlement(
        revision=1 if previous is None else previous.revision + 1,
        invoices=carried,
        previous=None if previous is None else SettledBefore(previous.revision, previous.totals()),
        grid=_grid_invoice(carried.values(), grid_before or Balance()),
        write_offs=() if previous is None else previous.write_offs,
        **ctx.provenance(),
    )


def _grid_invoice(bills: Iterable[Invoice], paid: Balance) -> GridInvoice:
    listed = list(bills)
    energy = sum(b.energy_kopecks for b in listed)
    imbalance = sum(b.imbalance_kopecks for b in listed)
    fee = sum(b.grid_fee_kopecks for b in listed)
    return GridInvoice(
        energy_kopecks=energy,
        imbalance_kopecks=imbalance,
        grid_fee_kopecks=fee,
        total_kopecks=sum(b.total_kopecks for b in listed),
        balance=paid,
    )


def _nothing_invoiced() -> Invoice:
    return Invoice(
        energy_kopecks=0,
        imbalance_kopecks=0,
        grid_fee_kopecks=0,
        total_kopecks=0,
        periods_missing=(),
        periods_estimated=(),
    )


def _pay(
    ctx: Context,
    found: Market,
    market_id: str,
    days: dict[str, Settlement],
    payments: list[Payment],
) -> dict[str, Settlement]:
    """Move the money and return the days with their balances updated."""
    updated = dict(days)
    for payment in payments:
        inbound = payment.kopecks > 0
        payer, payee = (
            (payment.account, found.settlement_account)
            if inbound
            else (found.settlement_account, payment.account)
        )
        reference = f"energy:{market_id}:{payment.day}"
        move(ctx, payer, payee, abs(payment.kopecks), purpose=None, reference=reference)
        updated[payment.day] = _paid(updated[payment.day], payment.party, payment.kopecks)
    return updated


def _paid(day: Settlement, party: str, kopecks: int) -> Settlement:
    """The day after ``party`` paid the market ``kopecks`` (−: was paid by it)."""
    if party == GRID:
        assert day.grid is not None
        grid = msgspec.structs.replace(day.grid, balance=day.grid.balance.with_paid(-kopecks))
        return msgspec.structs.replace(day, grid=grid)
    bill = day.invoices[party]
    paid = bill.with_balance((bill.balance or Balance()).with_paid(kopecks))
    return msgspec.structs.replace(day, invoices={**day.invoices, party: paid})


def _written_off(day: Settlement, party: str, owed_kopecks: int) -> Settlement:
    """The day after what ``party`` owed the market (−: was owed by it) was written off."""
    if party == GRID:
        assert day.grid is not None
        balance_after = day.grid.balance.with_written_off(-owed_kopecks)
        return msgspec.structs.replace(
            day, grid=msgspec.structs.replace(day.grid, balance=balance_after)
        )
    bill = day.invoices[party]
    written = bill.with_balance((bill.balance or Balance()).with_written_off(owed_kopecks))
    return msgspec.structs.replace(day, invoices={**day.invoices, party: written})


def _owes(day: Settlement, party: str) -> int | None:
    if party == GRID:
        return None if day.grid is None else -day.grid.outstanding()
    bill = day.invoices.get(party)
    return None if bill is None else bill.outstanding()


def _collection(ctx: Context, found: Market, message: CollectOutstanding) -> list[Payment]:
    key = ("energy.collect", message.market_id, message.delivery_date)
    return ctx.once(key, lambda: plan(ctx, found, message.market_id, _open_days(ctx, message)))


def _open_days(ctx: Context, message: CollectOutstanding) -> dict[str, Settlement]:
    """The named day, or every settled day with something outstanding."""
    if message.delivery_date is not None:
        return {message.delivery_date: _settled(ctx, message.market_id, message.delivery_date)}
    found: dict[str, Settlement] = {}
    for day in settled_days(ctx.state, message.market_id):
        record = settlement(ctx.state, message.market_id, day)
        if record is not None and record.grid is not None and _has_outstanding(record):
            found[day] = record
    return found


def _has_outstanding(day: Settlement) -> bool:
    grid = day.grid is not None and day.grid.outstanding() != 0
    return grid or any(bill.outstanding() for bill in day.invoices.values())


def _settled(ctx: Context, market_id: str, day: str) -> Settlement:
    found = settlement(ctx.state, market_id, day)
    if found is None or found.grid is None:
        raise not_found(f"{day} of market {market_id} is not settled as balances")
    return found


def _spendable(ctx: Context, account_id: str) -> int | None:
    """The account's balance, never below 0; None if it is not open."""
    found = account_record(ctx.state, account_id)
    if found is None or found.status != "open":
        return None
    return max(found.balance_kopecks, 0)


def _settlement_balance(ctx: Context, found: Market) -> int:
    return balance(ctx.state, found.settlement_account) or 0


def _check_day_cash(day: Settlement, name: str) -> None:
    if day_cash(day) != 0:
        raise rule_violation(
            f"{name}: its parties paid in {day_cash(day)} kopecks more than they were paid "
            "out — the settlement account must net to zero; this is a bug"
        )


def _check_nets_to_zero(
    ctx: Context, found: Market, before: int, days: Iterable[Settlement]
) -> None:
    """The settlement account holds what it held before, and every touched day's cash is 0."""
    after = _settlement_balance(ctx, found)
    if after != before:
        raise rule_violation(
            f"the settlement account {found.settlement_account} would hold {after} kopecks "
            f"instead of {before}: it must net to zero; this is a bug"
        )
    for day in days:
        _check_day_cash(day, "a settled day")
