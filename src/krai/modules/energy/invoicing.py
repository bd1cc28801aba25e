"""A participant's day hour by hour, exactly as settlement computes its invoice.

Per period: the cleared energy bought and sold, the metered consumption and generation (a
missing reading counts as delivered as cleared), the imbalance (metered net − cleared net),
and the three amounts in millikopecks — energy at the clearing price, the imbalance at its
penalising price, the grid fee on consumption. The invoice sums each amount over the day
and rounds it to kopecks once (``model.kopecks``); ``invoice_of`` is that sum.
"""

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from krai.modules.energy.model import kopecks
from krai.modules.energy.records import Clearing, GridPrice, Invoice, Market, MeterReadings

Positions = dict[tuple[str, int], tuple[int, int]]
"""(participant INN, period) → (kWh bought, kWh sold) in the period's clearing."""


class DayBook(NamedTuple):
    """What a day's invoices are computed from."""

    market: Market
    positions: Positions
    clearings: dict[int, Clearing]
    prices: Mapping[str, GridPrice]


class HourLine(NamedTuple):
    """One period of a participant's day as settlement reckons it."""

    period: int
    bought_kwh: int
    sold_kwh: int
    consumption_kwh: int
    generation_kwh: int
    metered: bool
    estimated: bool
    imbalance_kwh: int
    price_kopecks_per_mwh: int
    energy_millikopecks: int
    imbalance_millikopecks: int
    grid_fee_millikopecks: int


def positions(clearings: Mapping[int, Clearing], sides: Mapping[str, tuple[str, str]]) -> Positions:
    """Each participant's bought and sold kWh per period, from the accepted orders."""
    held: Positions = {}
    for period, result in clearings.items():
        for accepted in result.accepted:
            inn, side = sides[accepted.id]
            bought, sold = held.get((inn, period), (0, 0))
            if side == "buy":
                bought += accepted.energy_kwh
            else:
                sold += accepted.energy_kwh
            held[(inn, period)] = (bought, sold)
    return held


def hour_lines(day: DayBook, readings: MeterReadings, inn: str) -> list[HourLine]:
    """The participant's lines, one per cleared period in order."""
    return [
        _line(day, readings, inn, period, result)
        for period, result in sorted(day.clearings.items())
    ]


def _line(
    day: DayBook, readings: MeterReadings, inn: str, period: int, result: Clearing
) -> HourLine:
    price = result.price_kopecks_per_mwh
    bought, sold = day.positions.get((inn, period), (0, 0))
    cleared = bought - sold
    reading = readings.get(str(period))
    if reading is None:
        consumed, generated = max(cleared, 0), max(-cleared, 0)
    else:
        consumed, generated = reading.consumption_kwh, reading.generation_kwh
    imbalance = consumed - generated - cleared
    return HourLine(
        period=period,
        bought_kwh=bought,
        sold_kwh=sold,
        consumption_kwh=consumed,
        generation_kwh=generated,
        metered=reading is not None,
        estimated=reading is not None and reading.estimated,
        imbalance_kwh=imbalance,
        price_kopecks_per_mwh=price,
        energy_millikopecks=cleared * price,
        imbalance_millikopecks=imbalance_millikopecks(
            imbalance, price, day.prices.get(str(period))
        ),
        grid_fee_millikopecks=consumed * day.market.grid_fee_kopecks_per_mwh,
    )


def imbalance_millikopecks(imbalance_kwh: int, price: int, grid: GridPrice | None) -> int:
    """A shortfall pays the dearer of the clearing and grid sell prices, a surplus is
    credited at the cheaper of the clearing and grid buy prices."""
    if imbalance_kwh > 0:
        sell = price if grid is None else grid.grid_sell_price_kopecks_per_mwh
        return imbalance_kwh * max(price, sell)
    buy = price if grid is None else grid.grid_buy_price_kopecks_per_mwh
    return imbalance_kwh * min(price, buy)


def invoice_of(lines: Iterable[HourLine]) -> Invoice:
    """The invoice of a participant's lines: each amount summed, then rounded once."""
    lines = list(lines)
    energy = kopecks(sum(line.energy_millikopecks for line in lines))
    imbalance = kopecks(sum(line.imbalance_millikopecks for line in lines))
    fee = kopecks(sum(line.grid_fee_millikopecks for line in lines))
    return Invoice(
        energy_kopecks=energy,
        imbalance_kopecks=imbalance,
        grid_fee_kopecks=fee,
        total_kopecks=energy + imbalance + fee,
        periods_missing=tuple(
            line.period for line in lines if not line.metered and line.bought_kwh != line.sold_kwh
        ),
        periods_estimated=tuple(line.period for line in lines if line.estimated),
    )
