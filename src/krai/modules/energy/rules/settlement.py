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

from typing import NamedTuple

from krai.modules.accounts.queries import balance
from krai.modules.accounts.rules import move
from krai.modules.energy import events
from krai.modules.energy.messages import SettleDay, SettleDayV1, SubmitReadings
from krai.modules.energy.model import (
    grid_prices_key,
    kopecks,
    participant_key,
    period_end_ms,
    periods_per_day,
    readings_key,
    settlement_key,
)
from krai.modules.energy.queries import clearing, revealed, settlement
from krai.modules.energy.records import (
    Clearing,
    GridPrice,
    GridPrices,
    Invoice,
    Market,
    MeterReading,
    MeterReadings,
    SettledBefore,
    Settlement,
    decode_readings,
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
        held = _readings(
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
        held = _readings(
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
    """Each participant's invoice for the day, by INN."""
    market_id, day = message.market_id, message.delivery_date
    stored = read_record(view, grid_prices_key(market_id, day), GridPrices)
    prices = {} if stored is None else stored.periods
    clearings = {
        p: cleared
        for p in range(1, periods_per_day(found) + 1)
        if (cleared := clearing(view, market_id, day, p)) is not None
    }
    positions = _positions(clearings, _sides(view, market_id, day))
    members = {key.rsplit("/", 1)[1] for key, _ in view.scan_bytes(participant_key(market_id, ""))}
    traders = {inn for inn, _ in positions} | set(_metered(view, market_id, day))
    day_book = DayBook(found, positions, clearings, prices)
    return {inn: _invoice(view, message, day_book, inn) for inn in sorted(traders & members)}


def _sides(view: StateView, market_id: str, day: str) -> dict[str, tuple[str, str]]:
    """Each order's and block's book id → (participant, side)."""
    sides: dict[str, tuple[str, str]] = {}
    for inn, sealed in revealed(view, market_id, day):
        for order in sealed.orders or ():
            sides[f"{inn}:{order.order_id}"] = (inn, order.side)
        for block in sealed.blocks or ():
            sides[f"{inn}:{block.block_id}"] = (inn, block.side)
    return sides


def _positions(
    clearings: dict[int, Clearing], sides: dict[str, tuple[str, str]]
) -> dict[tuple[str, int], int]:
    net: dict[tuple[str, int], int] = {}
    for period, result in clearings.items():
        for accepted in result.accepted:
            inn, side = sides[accepted.id]
            sign = 1 if side == "buy" else -1
            net[(inn, period)] = net.get((inn, period), 0) + sign * accepted.energy_kwh
    return net


class DayBook(NamedTuple):
    """What a day's invoices are computed from."""

    market: Market
    positions: dict[tuple[str, int], int]
    clearings: dict[int, Clearing]
    prices: dict[str, GridPrice]


def _invoice(view: StateView, message: SettleDay | SettleDayV1, day: DayBook, inn: str) -> Invoice:
    found, positions, clearings, prices = day
    readings = _readings(view, message.market_id, message.delivery_date, inn)
    energy = imbalance = fee = 0
    missing: list[int] = []
    estimated: list[int] = []
    for period, result in clearings.items():
        price = result.price_kopecks_per_mwh
        cleared = positions.get((inn, period), 0)
        reading = readings.get(str(period))
        if reading is None:
            if cleared:
                missing.append(period)
            metered, consumed = cleared, max(cleared, 0)
        else:
            if reading.estimated:
                estimated.append(period)
            consumed = reading.consumption_kwh
            metered = consumed - reading.generation_kwh
        energy += cleared * price
        imbalance += _imbalance_millikopecks(metered - cleared, price, prices.get(str(period)))
        fee += consumed * found.grid_fee_kopecks_per_mwh
    return Invoice(
        energy_kopecks=kopecks(energy),
        imbalance_kopecks=kopecks(imbalance),
        grid_fee_kopecks=kopecks(fee),
        total_kopecks=kopecks(energy) + kopecks(imbalance) + kopecks(fee),
        periods_missing=tuple(missing),
        periods_estimated=tuple(estimated),
    )


def _imbalance_millikopecks(imbalance_kwh: int, price: int, grid: GridPrice | None) -> int:
    if imbalance_kwh > 0:
        sell = price if grid is None else grid.grid_sell_price_kopecks_per_mwh
        return imbalance_kwh * max(price, sell)
    buy = price if grid is None else grid.grid_buy_price_kopecks_per_mwh
    return imbalance_kwh * min(price, buy)


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


def _metered(view: StateView, market_id: str, day: str) -> list[str]:
    prefix = readings_key(market_id, day, "")
    return [key[len(prefix) :] for key, _ in view.scan_bytes(prefix)]


def _readings(view: StateView, market_id: str, day: str, inn: str) -> MeterReadings:
    key = readings_key(market_id, day, inn)
    raw = view.get_bytes(key)
    return {} if raw is None else decode_readings(raw, key)


def _totals(bills: dict[str, Invoice]) -> dict[str, int]:
    return {inn: bill.total_kopecks for inn, bill in bills.items()}


def _ranges(periods: list[int]) -> str:
    return ", ".join(str(p) for p in periods[:10]) + (" …" if len(periods) > 10 else "")
