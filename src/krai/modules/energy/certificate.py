"""The optimality certificate of a clearing, checked in O(n) without re-running the auction.

Clearing one period is the LP max Σ b·q − Σ a·s over 0 <= q <= Q, 0 <= s <= S with supply
equal to demand (the grid legs being one more sell and one more buy). A price p proves an
allocation optimal when the complementary-slackness conditions hold at p:

- a buy (or the export leg) with any energy accepted is priced at or above p; one not fully
  accepted is priced at or below p;
- a sell (or the import leg) with any energy accepted is priced at or below p; one not fully
  accepted is priced at or above p;
- accepted supply (sells + import) equals accepted demand (buys + export).

Then any feasible allocation has welfare Σ (b − p)·q + Σ (p − a)·s <= the allocation's own,
term by term. Three more conditions pin the result to the one documented clearing:

- volume: no buy and no sell priced exactly at p are both left short (zero-gain kWh trade);
- pro rata: within each (side, price) level, each step gets floor(x·Q/T) or one kWh more,
  x being the level's accepted and T its offered energy, the extra kWh going to the largest
  remainders x·Q mod T, ties to the smaller key (orders by id, then the grid legs);
- price: the published price is the rule applied to the interval of supporting prices.

With them, a result passes if and only if it equals ``clear(book)``.

Every check is a pass of numpy masks and sums over int64 columns. The pro-rata check, when
slackness holds, needs only the two levels at the price (every other level is then full or
empty); when slackness fails it groups every level by one integer sort, to list them all.
"""

from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from krai.modules.energy.book import (
    Book,
    BookColumns,
    Int64Array,
    StepColumns,
    check_book,
    step_columns,
)
from krai.modules.energy.result import ClearedColumns, ClearingResult

_INT64_MAX = int(np.iinfo(np.int64).max)


def supporting_prices(steps: StepColumns, accepted: Int64Array) -> tuple[int | None, int | None]:
    """The interval [low, high] of prices at which the allocation passes slackness; None = open."""
    some, short = accepted > 0, accepted < steps.energy
    low, high = np.where(steps.buy, short, some), np.where(steps.buy, some, short)
    return _extreme(steps.price, low, np.maximum), _extreme(steps.price, high, np.minimum)


def _extreme(prices: Int64Array, where: npt.NDArray[np.bool_], extreme: np.ufunc) -> int | None:
    """The largest (``np.maximum``) or smallest (``np.minimum``) of the prices ``where`` holds,
    None if it holds for none; reduced in place, without selecting them first."""
    if not bool(where.any()):
        return None
    return int(extreme.reduce(prices, where=where, initial=prices[int(where.argmax())]))


def rule_price(book: Book | BookColumns, low: int | None, high: int | None) -> int:
    """The published price: the floored midpoint of [low, high]; its finite end if half open;
    the floored midpoint of the two grid prices if nothing bounds it (no order, no grid leg)."""
    if low is not None and high is not None:
        return (low + high) // 2
    if low is not None:
        return low
    if high is not None:
        return high
    return (book.grid_buy_price_kopecks_per_mwh + book.grid_sell_price_kopecks_per_mwh) // 2


def welfare_millikopecks(steps: StepColumns, accepted: Int64Array) -> int:
    """Σ buy price × accepted − Σ sell price × accepted, grid legs included (each sum is at
    most the book's gross value, below 2^53)."""
    value = steps.price * accepted
    return int(value.sum(where=steps.buy)) - int(value.sum(where=~steps.buy))


def check_certificate(book: Book, result: ClearingResult) -> list[str]:
    """Every reason ``result`` is not the documented optimal clearing of ``book``; empty if none.

    It proves welfare optimality and the price rule, and pins the tie-breaking among equally
    good allocations (volume, pro rata) without sorting the book or running the auction.
    """
    columns = check_book(book)
    if isinstance(columns, list):
        return [f"book: {problem}" for problem in columns]
    ids = tuple(acceptance.id for acceptance in result.accepted)
    energies = [acceptance.energy_kwh for acceptance in result.accepted]
    problems = _listing_problems(columns, ids, energies, result.import_kwh, result.export_kwh)
    if problems:
        return problems
    accepted = np.array(energies, dtype=np.int64)
    return _optimality_problems(columns, accepted, result)


def check_cleared_columns(columns: BookColumns, cleared: ClearedColumns) -> list[str]:
    """``check_certificate`` for a book and a result given as columns."""
    accepted = cleared.accepted_kwh
    problems = _listing_problems(
        columns, cleared.ids, accepted, cleared.import_kwh, cleared.export_kwh
    )
    return problems or _optimality_problems(columns, accepted, cleared)


def _listing_problems(
    columns: BookColumns,
    ids: tuple[str, ...],
    energies: list[int] | Int64Array,
    import_kwh: int,
    export_kwh: int,
) -> list[str]:
    """Whether the result lists every order once, by id, within its bounds."""
    if ids != columns.ids:
        return _listing_problems_by_id(columns, ids, energies, import_kwh, export_kwh)
    if isinstance(energies, list) and not set(map(type, energies)) <= {int}:
        return [
            f"{order_id}: {kwh!r} kWh accepted is not an integer"
            for order_id, kwh in zip(ids, energies, strict=True)
            if type(kwh) is not int
        ]
    accepted = _integers(energies)
    outside = (accepted < 0) | (accepted > columns.energy_kwh)
    problems = [
        f"{ids[i]}: {energies[i]} kWh accepted, outside 0..{columns.energy_kwh[i]}"
        for i in np.flatnonzero(outside)
    ]
    return problems + _flow_problems(columns, import_kwh, export_kwh)


def _integers(values: list[int] | Int64Array) -> npt.NDArray[Any]:
    try:
        return np.asarray(values, dtype=np.int64)
    except OverflowError:
        return np.array(values, dtype=object)


def _flow_problems(columns: BookColumns, import_kwh: int, export_kwh: int) -> list[str]:
    return [
        f"{name}: {kwh} kWh accepted, outside 0..{limit_kwh}"
        for name, kwh, limit_kwh in (
            ("grid import", import_kwh, columns.import_limit_kwh),
            ("grid export", export_kwh, columns.export_limit_kwh),
        )
        if not 0 <= kwh <= limit_kwh
    ]


def _listing_problems_by_id(
    columns: BookColumns,
    ids: tuple[str, ...],
    energies: list[int] | Int64Array,
    import_kwh: int,
    export_kwh: int,
) -> list[str]:
    """The listing problems of a result whose ids are not the book's, one by one."""
    offered_kwh = dict(zip(columns.ids, columns.energy_kwh.tolist(), strict=True))
    problems = [f"order {i} is not in the book" for i in ids if i not in offered_kwh]
    if any(first >= second for first, second in pairwise(ids)):
        problems.append("accepted orders are not listed once each in ascending id order")
    missing = len(offered_kwh.keys() - set(ids))
    if missing:
        problems.append(f"{missing} order(s) of the book are missing from the result")
    problems += [
        f"{i}: {kwh} kWh accepted, outside 0..{offered_kwh.get(i, 0)}"
        for i, kwh in zip(ids, list(energies), strict=True)
        if not 0 <= kwh <= offered_kwh.get(i, 0)
    ]
    return problems + _flow_problems(columns, import_kwh, export_kwh)


def _optimality_problems(
    columns: BookColumns, orders_kwh: Int64Array, result: ClearingResult | ClearedColumns
) -> list[str]:
    steps = step_columns(columns)
    flows = [
        result.import_kwh if row == steps.import_row else result.export_kwh
        for row in (steps.import_row, steps.export_row)
        if row is not None
    ]
    accepted = np.concatenate([orders_kwh, np.array(flows, dtype=np.int64)])
    named = _Names(columns, steps)
    price = result.price_kopecks_per_mwh
    slackness = _slackness_problems(steps, accepted, price, named)
    return [
        *_balance_problems(steps, accepted, result),
        *slackness,
        *_volume_problems(steps, accepted, price, named),
        *_pro_rata_problems(steps, accepted, None if slackness else price, named),
        *_interval_problems(columns, steps, accepted, result),
        *_welfare_problems(steps, accepted, result),
    ]


class _Names:
    """Names of steps and their place in the book as listed (orders, then import, export)."""

    def __init__(self, columns: BookColumns, steps: StepColumns) -> None:
        self.ids = columns.ids
        self.legs = {steps.import_row: "grid import", steps.export_row: "grid export"}
        orders = len(columns.ids)
        self.position = np.concatenate(
            [columns.listed_at, np.arange(orders, len(steps.price), dtype=np.int64)]
        )

    def name(self, row: int) -> str:
        return self.ids[row] if row < len(self.ids) else self.legs[row]

    def in_book_order(self, mask: npt.NDArray[np.bool_]) -> list[int]:
        rows = np.flatnonzero(mask)
        return [int(row) for row in rows[np.argsort(self.position[rows])]]


def _balance_problems(
    steps: StepColumns, accepted: Int64Array, result: ClearingResult | ClearedColumns
) -> list[str]:
    supply_kwh = int(accepted[~steps.buy].sum())
    demand_kwh = int(accepted[steps.buy].sum())
    problems = []
    if supply_kwh != demand_kwh:
        problems.append(f"supply {supply_kwh} kWh (with import) != demand {demand_kwh} kWh")
    if result.import_kwh > 0 and result.export_kwh > 0:
        problems.append("the grid both imports and exports")
    if result.certificate.traded_kwh != supply_kwh:
        problems.append(f"certificate traded_kwh {result.certificate.traded_kwh} != {supply_kwh}")
    return problems


def _slackness_problems(
    steps: StepColumns, accepted: Int64Array, price: int, named: _Names
) -> list[str]:
    above, below = steps.price > price, steps.price < price
    in_money = np.where(steps.buy, above, below)
    out_of_money = np.where(steps.buy, below, above)
    some, short = accepted > 0, accepted < steps.energy
    problems = []
    for row in named.in_book_order((some & out_of_money) | (short & in_money)):
        own, kwh, offered = int(steps.price[row]), int(accepted[row]), int(steps.energy[row])
        verb = "buys" if steps.buy[row] else "sells"
        if out_of_money[row]:
            problems.append(
                f"{named.name(row)} {verb} at {own}, worse than the price {price}, "
                f"yet {kwh} kWh are accepted"
            )
        else:
            problems.append(
                f"{named.name(row)} {verb} at {own}, better than the price {price}, "
                f"yet only {kwh} of {offered} kWh are accepted"
            )
    return problems


def _volume_problems(
    steps: StepColumns, accepted: Int64Array, price: int, named: _Names
) -> list[str]:
    short_at_price = (steps.price == price) & (accepted < steps.energy)
    last = {}
    for side, mask in (("buy", steps.buy), ("sell", ~steps.buy)):
        rows = named.in_book_order(short_at_price & mask)
        if rows:
            last[side] = named.name(rows[-1])
    if len(last) == 2:
        return [
            f"{last['buy']} and {last['sell']} are both short at the price "
            f"{price}: the traded volume is not the largest"
        ]
    return []


def _pro_rata_problems(
    steps: StepColumns, accepted: Int64Array, price: int | None, named: _Names
) -> list[str]:
    """Levels not shared as ``clear`` shares them; only those at ``price`` unless it is None.

    Per level of offered T and accepted x, each step's extra kWh over floor(x·Q/T) must be 0
    or 1, and sorted by (largest remainder, smallest key) the extras must not increase.
    """
    rows = np.arange(len(steps.price)) if price is None else np.flatnonzero(steps.price == price)
    level_key = steps.price[rows] * 2 + steps.buy[rows]
    levels, level_of = np.unique(level_key, return_inverse=True)
    offered, taken = steps.energy[rows], accepted[rows]
    level_offered = np.zeros(len(levels), dtype=np.int64)
    level_taken = np.zeros(len(levels), dtype=np.int64)
    np.add.at(level_offered, level_of, offered)
    np.add.at(level_taken, level_of, taken)
    whole, remainder = _level_shares(offered, level_taken[level_of], level_offered[level_of])
    extra = taken - whole
    bad = np.zeros(len(levels), dtype=np.bool_)
    bad[level_of[(extra < 0) | (extra > 1)]] = True
    ranked = np.lexsort((rows, -remainder, level_of))
    same_level = level_of[ranked][1:] == level_of[ranked][:-1]
    rising = extra[ranked][1:] > extra[ranked][:-1]
    bad[level_of[ranked][1:][same_level & rising]] = True
    first_listed = np.full(len(levels), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_listed, level_of, named.position[rows])
    failing = np.flatnonzero(bad)
    return [
        f"the {'buy' if levels[i] % 2 else 'sell'} level at {levels[i] // 2} is not shared pro rata"
        for i in failing[np.argsort(first_listed[failing])]
    ]


def _level_shares(
    offered: Int64Array, taken: Int64Array, total: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """divmod(x·Q, T) per step, exactly: Python ints when x·Q could overflow int64."""
    if not len(offered) or int(taken.max()) * int(offered.max()) <= _INT64_MAX:
        return np.divmod(offered * taken, total)
    product = offered.astype(object) * taken.astype(object)  # divmod has no object loop
    whole, remainder = product // total, product % total
    return whole.astype(np.int64), remainder.astype(np.int64)


def _interval_problems(
    columns: BookColumns,
    steps: StepColumns,
    accepted: Int64Array,
    result: ClearingResult | ClearedColumns,
) -> list[str]:
    low, high = supporting_prices(steps, accepted)
    certificate = result.certificate
    problems = []
    if (certificate.price_low_kopecks_per_mwh, certificate.price_high_kopecks_per_mwh) != (
        low,
        high,
    ):
        problems.append(f"certificate interval is not the supporting interval [{low}, {high}]")
    if result.price_kopecks_per_mwh != rule_price(columns, low, high):
        problems.append(
            f"price {result.price_kopecks_per_mwh} is not the rule's price "
            f"{rule_price(columns, low, high)} of [{low}, {high}]"
        )
    return problems


def _welfare_problems(
    steps: StepColumns, accepted: Int64Array, result: ClearingResult | ClearedColumns
) -> list[str]:
    welfare = welfare_millikopecks(steps, accepted)
    if welfare != result.welfare_millikopecks:
        return [f"welfare is {welfare} millikopecks, not {result.welfare_millikopecks}"]
    return []
