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
"""

from itertools import groupby

from krai.modules.energy.book import (
    EXPORT_KEY,
    IMPORT_KEY,
    Book,
    InvalidBookError,
    Step,
    book_problems,
    book_steps,
)
from krai.modules.energy.certificate import (
    Allocation,
    check_certificate,
    rule_price,
    share_rank,
    supporting_prices,
    welfare_millikopecks,
)
from krai.modules.energy.result import Acceptance, Certificate, ClearingResult

__all__ = ["Book", "ClearingResult", "InvalidBookError", "check_certificate", "clear"]

Level = tuple[int, list[Step]]
"""One price (kopecks/MWh) and the steps offered at it, in no particular order."""


def clear(book: Book) -> ClearingResult:
    """Clear ``book``; raise ``InvalidBookError`` if it cannot be cleared (``book_problems``)."""
    problems = book_problems(book)
    if problems:
        raise InvalidBookError("; ".join(problems))
    steps = book_steps(book)
    supply = _levels([s for s in steps if s.side == "sell"], descending=False)
    demand = _levels([s for s in steps if s.side == "buy"], descending=True)
    traded_kwh = _traded_kwh(supply, demand)
    allocation = {**_allocate(supply, traded_kwh), **_allocate(demand, traded_kwh)}
    return _result(book, steps, allocation)


def _levels(steps: list[Step], *, descending: bool) -> list[Level]:
    """Steps grouped by price, best price first (lowest sell, highest buy)."""
    ordered = sorted(steps, key=_price_of)  # order within a level never matters (_pro_rata)
    levels = [(price, list(group)) for price, group in groupby(ordered, _price_of)]
    return levels[::-1] if descending else levels


def _price_of(step: Step) -> int:
    return step.price_kopecks_per_mwh


def _traded_kwh(supply: list[Level], demand: list[Level]) -> int:
    """Walk both curves while the demand price is at least the supply price."""
    traded_kwh = 0
    supply_left = demand_left = 0
    i = j = 0
    while True:
        if supply_left == 0 and i < len(supply):
            supply_left, i = _volume(supply[i]), i + 1
        if demand_left == 0 and j < len(demand):
            demand_left, j = _volume(demand[j]), j + 1
        if not supply_left or not demand_left or demand[j - 1][0] < supply[i - 1][0]:
            return traded_kwh
        step_kwh = min(supply_left, demand_left)
        traded_kwh += step_kwh
        supply_left -= step_kwh
        demand_left -= step_kwh


def _volume(level: Level) -> int:
    return sum(step.energy_kwh for step in level[1])


def _allocate(levels: list[Level], traded_kwh: int) -> Allocation:
    """Fill levels best first up to ``traded_kwh``; the partly filled level is shared pro rata."""
    allocation: Allocation = {}
    left_kwh = traded_kwh
    for _, steps in levels:
        offered_kwh = sum(step.energy_kwh for step in steps)
        taken_kwh = min(left_kwh, offered_kwh)
        if taken_kwh in (0, offered_kwh):  # what pro rata gives, without the arithmetic
            allocation.update((step.key, taken_kwh and step.energy_kwh) for step in steps)
        else:
            allocation.update(_pro_rata(steps, taken_kwh))
        left_kwh -= taken_kwh
    return allocation


def _pro_rata(steps: list[Step], taken_kwh: int) -> Allocation:
    """Share ``taken_kwh`` in proportion to offered energy; largest remainders, then key order."""
    offered_kwh = sum(step.energy_kwh for step in steps)
    shares = {s.key: divmod(taken_kwh * s.energy_kwh, offered_kwh) for s in steps}
    allocation = {key: whole for key, (whole, _) in shares.items()}
    left_kwh = taken_kwh - sum(allocation.values())
    by_remainder = sorted(steps, key=lambda s: share_rank(s, shares[s.key][1]))
    for step in by_remainder[:left_kwh]:
        allocation[step.key] += 1
    return allocation


def _result(book: Book, steps: list[Step], allocation: Allocation) -> ClearingResult:
    low, high = supporting_prices(steps, allocation)
    accepted = sorted(
        (Acceptance(order.id, allocation[(0, order.id)]) for order in book.orders),
        key=lambda acceptance: acceptance.id,
    )
    traded_kwh = sum(allocation[s.key] for s in steps if s.side == "sell")
    return ClearingResult(
        price_kopecks_per_mwh=rule_price(book, low, high),
        accepted=tuple(accepted),
        import_kwh=allocation.get(IMPORT_KEY, 0),
        export_kwh=allocation.get(EXPORT_KEY, 0),
        welfare_millikopecks=welfare_millikopecks(steps, allocation),
        certificate=Certificate(low, high, traded_kwh),
    )
