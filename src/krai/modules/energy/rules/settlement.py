"""Meter readings and the day's settlement on each participant's net position.

Per participant and period: cleared energy (bought − sold) at the clearing price; imbalance
(metered net − cleared net) at a penalising price — a shortfall pays the dearer of the
clearing price and the grid's sell price, a surplus is credited at the cheaper of the
clearing price and the grid's buy price; the grid fee on metered consumption. A missing
reading counts as delivered as cleared and is flagged; an estimated one is flagged too. When
real readings arrive later, the day is settled again (a true-up). How money moves is
``balances`` (version 2); version 1, kept here to replay old logs, moved the difference of
invoice totals and recorded an invoice its payer could not cover as unpaid.
"""

from krai.modules.accounts.queries import balance
from krai.modules.accounts.rules import move
from krai.modules.energy import events
from krai.modules.energy.invoicing import hour_lines, invoice_of
from krai.modules.energy.messages import SettleDay, SettleDayV1, SubmitReadings
from krai.modules.energy.model import (
    period_end_ms,
    periods_per_day,
    readings_key,
    settlement_key,
)
from krai.modules.energy.queries import (
    clearing,
    day_book,
    invoiced_participants,
    readings,
    settlement,
)
from krai.modules.energy.records import (
    Invoice,
    Market,
    MeterReading,
    SettledBefore,
    Settlement,
    encode_readings,
)
from krai.modules.energy.rules.records import (
    after_delivery,
    market,
    operated_market,
    participant,
)
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.state.store import StateView
from krai.tx.errors import conflict, invalid_body, rule_violation

PURPOSE = None


def validate_readings(ctx: Context, message: SubmitReadings) -> None:
    """Readings of participants, each period once, never replacing a measured one."""
    found = market(ctx, message.market_id)
    seen: set[tuple[str, int]] = set()
    for reading in message.readings:
        slot = (reading.participant_inn, reading.period)
        if slot in seen:
            raise invalid_body(f"body.readings: {slot[0]} period {slot[1]} given twice")
        seen.add(slot)
        if reading.period > periods_per_day(found):
            raise rule_violation(
                f"a day of market {message.market_id} has {periods_per_day(found)} periods"
            )
        participant(ctx, message.market_id, reading.participant_inn)
        ends = period_end_ms(found, message.delivery_date, reading.period)
        after_delivery(ctx, found, ends, f"period {reading.period} of {message.delivery_date}")
        held = readings(
            ctx.state, message.market_id, message.delivery_date, reading.participant_inn
        )
        previous = held.get(str(reading.period))
        if previous is not None and not previous.estimated:
            raise conflict(
                f"{reading.participant_inn} period {reading.period} of {message.delivery_date} "
                "already has a measured reading"
            )


def apply_readings(ctx: Context, message: SubmitReadings) -> None:
    """Record the readings; a measured one replacing an estimate keeps it as ``replaces``."""
    trued_up = 0
    for reading in message.readings:
        key = readings_key(message.market_id, message.delivery_date, reading.participant_inn)
        held = readings(
            ctx.state, message.market_id, message.delivery_date, reading.participant_inn
        )
        previous = held.get(str(reading.period))
        held[str(reading.period)] = MeterReading(
            consumption_kwh=reading.consumption_kwh,
            generation_kwh=reading.generation_kwh,
            estimated=bool(reading.estimated),
            replaces=previous,
            **ctx.provenance(),
        )
        if previous is not None:
            trued_up += 1
        ctx.state.put_bytes(key, encode_readings(held))
    estimated = sum(1 for r in message.readings if r.estimated)
    ctx.emit(
        events.ReadingsSubmitted(
            message.market_id,
            message.delivery_date,
            len(message.readings) - estimated,
            estimated,
            trued_up,
        )
    )


def validate_settlement(ctx: Context, message: SettleDayV1) -> None:
    """Version 1 (replay of old logs): a market without a grid account."""
    found = operated_market(ctx, message.market_id)
    if found.grid_account is not None:
        raise rule_violation(
            f"market {message.market_id} names a grid account: settle it with "
            "energy.settle_day version 2"
        )
    settleable(ctx, message)


def settleable(ctx: Context, message: SettleDay | SettleDayV1) -> None:
    """Every period is cleared, and the day's invoices would change."""
    found = market(ctx, message.market_id)
    last = periods_per_day(found)
    ends = period_end_ms(found, message.delivery_date, last)
    after_delivery(ctx, found, ends, f"delivery day {message.delivery_date}")
    missing = [
        p
        for p in range(1, periods_per_day(found) + 1)
        if clearing(ctx.state, message.market_id, message.delivery_date, p) is None
    ]
    if missing:
        raise rule_violation(
            f"periods {_ranges(missing)} of {message.delivery_date} are not cleared"
        )
    previous = settlement(ctx.state, message.market_id, message.delivery_date)
    if previous is not None and previous.totals() == _totals(invoices(ctx.state, found, message)):
        raise conflict(f"{message.delivery_date} is settled and no reading has changed since")


def apply_settlement(ctx: Context, message: SettleDayV1) -> None:
    """Version 1: invoice every participant and move the difference of the invoice totals
    (what was unpaid before is forgotten; the grid's share stays in the settlement account)."""
    found = market(ctx, message.market_id)
    key = settlement_key(message.market_id, message.delivery_date)
    previous = read_record(ctx.state, key, Settlement)
    settled_before = previous.totals() if previous else {}
    bills = invoices(ctx.state, found, message)
    deltas = {inn: bill.total_kopecks - settled_before.get(inn, 0) for inn, bill in bills.items()}
    bills, moved = _collect_and_pay(ctx, found, message, bills, deltas)
    revision = 1 if previous is None else previous.revision + 1
    before = None if previous is None else SettledBefore(previous.revision, settled_before)
    record = Settlement(revision=revision, invoices=bills, previous=before, **ctx.provenance())
    write_record(ctx.state, key, record)
    ctx.emit(
        events.DaySettled(message.market_id, message.delivery_date, revision, len(bills), moved)
    )


def invoices(
    view: StateView, found: Market, message: SettleDay | SettleDayV1
) -> dict[str, Invoice]:
    """Each participant's invoice for the day, by INN: the sum of its hour lines."""
    market_id, day = message.market_id, message.delivery_date
    book = day_book(view, found, market_id, day)
    return {
        inn: invoice_of(hour_lines(book, readings(view, market_id, day, inn), inn))
        for inn in invoiced_participants(view, book, market_id, day)
    }


def _collect_and_pay(
    ctx: Context,
    found: Market,
    message: SettleDayV1,
    bills: dict[str, Invoice],
    deltas: dict[str, int],
) -> tuple[dict[str, Invoice], int]:
    """The invoices with what each paid (or was paid), and the kopecks moved in all."""
    market_account = found.settlement_account
    reference = f"energy:{message.market_id}:{message.delivery_date}"
    moved, settled = 0, dict(bills)
    for inn in sorted(deltas, key=lambda i: (deltas[i] < 0, i)):
        amount = deltas[inn]
        own = participant(ctx, message.market_id, inn).account_id
        payer, payee = (own, market_account) if amount > 0 else (market_account, own)
        paid = _pay(ctx, payer, payee, abs(amount), reference)
        unpaid = abs(amount) - paid if paid < abs(amount) else None
        settled[inn] = bills[inn].with_payment(paid, unpaid)
        if unpaid is not None:
            ctx.emit(
                events.InvoiceUnpaid(message.market_id, message.delivery_date, inn, abs(amount))
            )
        moved += paid
    return settled, moved


def _pay(ctx: Context, payer: str, payee: str, amount: int, reference: str) -> int:
    if amount == 0:
        return 0
    available = balance(ctx.state, payer)
    if available is None or available < amount:
        return 0
    move(ctx, payer, payee, amount, purpose=PURPOSE, reference=reference)
    return amount


def _totals(bills: dict[str, Invoice]) -> dict[str, int]:
    return {inn: bill.total_kopecks for inn, bill in bills.items()}


def _ranges(periods: list[int]) -> str:
    return ", ".join(str(p) for p in periods[:10]) + (" …" if len(periods) > 10 else "")
