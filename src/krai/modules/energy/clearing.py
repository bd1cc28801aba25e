"""Clearing of one delivery period: a uniform-price double auction that maximises welfare.

Normative text: ``docs/spec/clearing.md``. In short:

1. **Merit order.** Orders and the two grid legs (import: a sell of ``import_limit_kwh`` at
   the grid's sell price; export: a buy of ``export_limit_kwh`` at the grid's buy price) are
   grouped into price levels; supply levels ascending, demand levels descending. Walking both
   curves kWh by kWh, every kWh whose demand price is at least its supply price trades: the
   traded volume is the largest welfare-maximising one (zero-gain kWh at equal prices trade,
   as under EUPHEMIA's volume rule).
2. **Margin.** Levels wholly inside the traded volume are fully accepted, those beyond it get
   nothing. The one partly accepted level per side is shared *pro rata* to offered energy:
   each step gets floor(share); the kWh left over go one each to the largest remainders,
   ties to the smaller id, grid legs after every order.
3. **Price.** The interval [low, high] of prices supporting the allocation (see
   ``certificate``); the price is floor((low + high) / 2), the finite end if one end is open,
   floor((grid buy + grid sell) / 2) if both are.

The result is a pure function of the book's content: the input order of ``orders`` does not
matter, no float is used, and equal books give equal results. O(n log n) time, O(n) memory.

The work is done on numpy int64 columns (:class:`BookColumns`), orders sorted by id: two
integer sorts (supply and demand by price, each price packed with its row), masks and sums.
Every value fits in int64: the book's bounds keep energies and Σ |price| × energy within
2^53 − 1; the one product that can exceed it, x·Q at the margin, is computed with Python
integers when it could.
"""

import numpy as np

from krai.modules.energy.book import (
    Book,
    BookColumns,
    Int64Array,
    InvalidBookError,
    StepColumns,
    book_columns,
    step_columns,
)
from krai.modules.energy.certificate import (
    check_certificate,
    check_cleared_columns,
    rule_price,
    supporting_prices,
    welfare_millikopecks,
)
from krai.modules.energy.result import Certificate, ClearedColumns, ClearingResult

__all__ = [
    "Book",
    "BookColumns",
    "ClearedColumns",
    "ClearingResult",
    "InvalidBookError",
    "check_certificate",
    "check_cleared_columns",
    "clear",
    "clear_columns",
]

_INT64_MAX = int(np.iinfo(np.int64).max)


def clear(book: Book) -> ClearingResult:
    """Clear ``book``; raise ``InvalidBookError`` if it cannot be cleared (``book_problems``)."""
    return clear_columns(book_columns(book)).result()


def clear_columns(columns: BookColumns) -> ClearedColumns:
    """Clear a book given as columns (already validated)."""
    steps = step_columns(columns)
    sell = ~steps.buy
    supply_price, demand_price = np.compress(sell, steps.price), np.compress(steps.buy, steps.price)
    supply_kwh, demand_kwh = np.compress(sell, steps.energy), np.compress(steps.buy, steps.energy)
    supply_order = _price_order(supply_price)
    demand_order = _price_order(-demand_price)
    traded_kwh = _traded_kwh(
        supply_price[supply_order],
        np.cumsum(supply_kwh[supply_order]),
        demand_price[demand_order],
        np.cumsum(demand_kwh[demand_order]),
    )
    accepted = np.zeros(len(steps.price), dtype=np.int64)
    accepted[sell] = _fill(supply_price, supply_kwh, supply_order, traded_kwh)
    accepted[steps.buy] = _fill(-demand_price, demand_kwh, demand_order, traded_kwh)
    return _cleared(columns, steps, accepted, traded_kwh)


def _price_order(prices: Int64Array) -> Int64Array:
    """An order of ``prices`` ascending, ties in any order (nothing here depends on it): one
    sort of integers holding each price above its row when both fit 63 bits (ADR 0047), else
    an ``argsort``."""
    rows = len(prices)
    row_bits = max(rows - 1, 1).bit_length()
    if rows == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(prices.min())
    if (int(prices.max()) - low).bit_length() + row_bits > _PACKED_BITS:
        return np.argsort(prices)
    key = prices - low
    key <<= row_bits
    key |= np.arange(rows, dtype=np.int64)
    key.sort()
    key &= (1 << row_bits) - 1
    return key


_PACKED_BITS = 63


def _traded_kwh(
    supply_price: Int64Array,
    supply_cum: Int64Array,
    demand_price: Int64Array,
    demand_cum: Int64Array,
) -> int:
    """kWh matched walking supply (ascending) and demand (descending) while demand >= supply.

    The kWh at supply step k trade up to the demand priced at or above that step's price:
    ``reach[k]``. They form a prefix, so the volume ends in the last step k whose reach passes
    the energy before it.
    """
    if len(supply_cum) == 0:
        return 0
    demand_at_or_above = np.searchsorted(-demand_price, -supply_price, side="right")
    reach = np.concatenate([[0], demand_cum])[demand_at_or_above]
    before = np.concatenate([[0], supply_cum[:-1]])  # supply energy before each step
    passing = np.flatnonzero(reach > before)
    if len(passing) == 0:
        return 0
    last = int(passing[-1])
    return int(min(supply_cum[last], reach[last]))


def _fill(cost: Int64Array, offered: Int64Array, order: Int64Array, traded_kwh: int) -> Int64Array:
    """Levels filled best (lowest cost) first up to ``traded_kwh``, the margin pro rata."""
    if traded_kwh == 0:
        return np.zeros(len(cost), dtype=np.int64)
    cumulative = np.cumsum(offered[order])
    margin = int(cost[order[int(np.searchsorted(cumulative, traded_kwh, side="left"))]])
    accepted = np.where(cost < margin, offered, 0)
    at_margin = cost == margin
    accepted[at_margin] = pro_rata(offered[at_margin], traded_kwh - int(accepted.sum()))
    return accepted


def pro_rata(offered: Int64Array, taken_kwh: int) -> Int64Array:
    """Share ``taken_kwh`` in proportion to ``offered`` (in key order): floors, then one kWh
    each to the largest remainders, equal remainders to the smaller key (the earlier row)."""
    total_kwh = int(offered.sum())
    if taken_kwh in (0, total_kwh):  # what the formula gives, without the arithmetic
        return offered * (taken_kwh // total_kwh if total_kwh else 0)
    whole, remainder = shares(offered, taken_kwh, total_kwh)
    left_kwh = taken_kwh - int(whole.sum())
    whole[np.argsort(-remainder, kind="stable")[:left_kwh]] += 1
    return whole


def shares(offered: Int64Array, taken_kwh: int, total_kwh: int) -> tuple[Int64Array, Int64Array]:
    """divmod(taken × offered, total) per step, exactly (Python ints if int64 could overflow)."""
    if taken_kwh * int(offered.max(initial=0)) <= _INT64_MAX:
        return np.divmod(offered * taken_kwh, total_kwh)
    product = offered.astype(object) * taken_kwh  # divmod has no object loop: // and %
    whole, remainder = product // total_kwh, product % total_kwh
    return whole.astype(np.int64), remainder.astype(np.int64)


def _cleared(
    columns: BookColumns, steps: StepColumns, accepted: Int64Array, traded_kwh: int
) -> ClearedColumns:
    low, high = supporting_prices(steps, accepted)
    return ClearedColumns(
        id_column=columns.id_column,
        accepted_kwh=accepted[: len(columns.buy)],
        price_kopecks_per_mwh=rule_price(columns, low, high),
        import_kwh=0 if steps.import_row is None else int(accepted[steps.import_row]),
        export_kwh=0 if steps.export_row is None else int(accepted[steps.export_row]),
        welfare_millikopecks=welfare_millikopecks(steps, accepted),
        certificate=Certificate(low, high, traded_kwh),
    )
