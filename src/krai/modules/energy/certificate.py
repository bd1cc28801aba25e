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
"""

from collections.abc import Iterable
from itertools import pairwise

from krai.modules.energy.book import (
    EXPORT_KEY,
    IMPORT_KEY,
    Book,
    Step,
    StepKey,
    book_problems,
    book_steps,
)
from krai.modules.energy.result import ClearingResult

Allocation = dict[StepKey, int]
"""Accepted kWh per step key (orders and grid legs)."""


def supporting_prices(
    steps: Iterable[Step], allocation: Allocation
) -> tuple[int | None, int | None]:
    """The interval [low, high] of prices at which the allocation passes slackness; None = open."""
    low: int | None = None
    high: int | None = None
    for step in steps:
        accepted_kwh = allocation[step.key]
        price = step.price_kopecks_per_mwh
        some, short = accepted_kwh > 0, accepted_kwh < step.energy_kwh
        bounds_low = some if step.side == "sell" else short
        bounds_high = short if step.side == "sell" else some
        if bounds_low and (low is None or price > low):
            low = price
        if bounds_high and (high is None or price < high):
            high = price
    return low, high


def rule_price(book: Book, low: int | None, high: int | None) -> int:
    """The published price: the floored midpoint of [low, high]; its finite end if half open;
    the floored midpoint of the two grid prices if nothing bounds it (no order, no grid leg)."""
    if low is not None and high is not None:
        return (low + high) // 2
    if low is not None:
        return low
    if high is not None:
        return high
    return (book.grid_buy_price_kopecks_per_mwh + book.grid_sell_price_kopecks_per_mwh) // 2


def share_rank(step: Step, remainder: int) -> tuple[int, StepKey]:
    """Who gets a left-over kWh first at the margin: largest remainder, then smallest key."""
    return (-remainder, step.key)


def welfare_millikopecks(steps: Iterable[Step], allocation: Allocation) -> int:
    """Σ buy price × accepted − Σ sell price × accepted, grid legs included."""
    total = 0
    for step in steps:
        value = step.price_kopecks_per_mwh * allocation[step.key]
        total += value if step.side == "buy" else -value
    return total


def check_certificate(book: Book, result: ClearingResult) -> list[str]:
    """Every reason ``result`` is not the documented optimal clearing of ``book``; empty if none.

    O(n): no sorting, no auction. It proves welfare optimality and the price rule; the
    tie-breaking among equally good allocations (volume, pro rata) is checked by re-clearing.
    """
    problems = book_problems(book)
    if problems:
        return [f"book: {problem}" for problem in problems]
    allocation, problems = _allocation(book, result)
    if problems:
        return problems
    steps = book_steps(book)
    return [
        *_balance_problems(steps, allocation, result),
        *_slackness_problems(steps, allocation, result.price_kopecks_per_mwh),
        *_volume_problems(steps, allocation, result.price_kopecks_per_mwh),
        *_pro_rata_problems(steps, allocation),
        *_interval_problems(book, steps, allocation, result),
        *_welfare_problems(steps, allocation, result),
    ]


def _allocation(book: Book, result: ClearingResult) -> tuple[Allocation, list[str]]:
    """The result's accepted energy per step, or the problems that prevent reading it."""
    ids = [acceptance.id for acceptance in result.accepted]
    offered_kwh = {order.id: order.energy_kwh for order in book.orders}
    problems = [f"order {i} is not in the book" for i in ids if i not in offered_kwh]
    if any(first >= second for first, second in pairwise(ids)):
        problems.append("accepted orders are not listed once each in ascending id order")
    missing = len(offered_kwh.keys() - set(ids))
    if missing:
        problems.append(f"{missing} order(s) of the book are missing from the result")
    accepted = [(a.id, a.energy_kwh, offered_kwh.get(a.id, 0)) for a in result.accepted]
    accepted.append(("grid import", result.import_kwh, book.import_limit_kwh))
    accepted.append(("grid export", result.export_kwh, book.export_limit_kwh))
    problems += [
        f"{name}: {kwh} kWh accepted, outside 0..{limit_kwh}"
        for name, kwh, limit_kwh in accepted
        if not 0 <= kwh <= limit_kwh
    ]
    allocation: Allocation = {(0, a.id): a.energy_kwh for a in result.accepted}
    allocation[IMPORT_KEY] = result.import_kwh
    allocation[EXPORT_KEY] = result.export_kwh
    return allocation, problems


def _balance_problems(
    steps: list[Step], allocation: Allocation, result: ClearingResult
) -> list[str]:
    supply_kwh = sum(allocation[s.key] for s in steps if s.side == "sell")
    demand_kwh = sum(allocation[s.key] for s in steps if s.side == "buy")
    problems = []
    if supply_kwh != demand_kwh:
        problems.append(f"supply {supply_kwh} kWh (with import) != demand {demand_kwh} kWh")
    if result.import_kwh > 0 and result.export_kwh > 0:
        problems.append("the grid both imports and exports")
    if result.certificate.traded_kwh != supply_kwh:
        problems.append(f"certificate traded_kwh {result.certificate.traded_kwh} != {supply_kwh}")
    return problems


def _slackness_problems(steps: list[Step], allocation: Allocation, price: int) -> list[str]:
    problems = []
    for step in steps:
        kwh, offered = allocation[step.key], step.energy_kwh
        own = step.price_kopecks_per_mwh
        verb = "sells" if step.side == "sell" else "buys"
        in_money = own < price if step.side == "sell" else own > price
        out_of_money = own > price if step.side == "sell" else own < price
        if kwh > 0 and out_of_money:
            problems.append(
                f"{step.name} {verb} at {own}, worse than the price {price}, "
                f"yet {kwh} kWh are accepted"
            )
        if kwh < offered and in_money:
            problems.append(
                f"{step.name} {verb} at {own}, better than the price {price}, "
                f"yet only {kwh} of {offered} kWh are accepted"
            )
    return problems


def _volume_problems(steps: list[Step], allocation: Allocation, price: int) -> list[str]:
    short_at_price = {
        step.side: step.name
        for step in steps
        if step.price_kopecks_per_mwh == price and allocation[step.key] < step.energy_kwh
    }
    if len(short_at_price) == 2:
        return [
            f"{short_at_price['buy']} and {short_at_price['sell']} are both short at the price "
            f"{price}: the traded volume is not the largest"
        ]
    return []


def _pro_rata_problems(steps: list[Step], allocation: Allocation) -> list[str]:
    levels: dict[tuple[str, int], list[Step]] = {}
    for step in steps:
        levels.setdefault((step.side, step.price_kopecks_per_mwh), []).append(step)
    problems = []
    for (side, price), level in levels.items():
        if not _is_pro_rata(level, allocation):
            problems.append(f"the {side} level at {price} is not shared pro rata")
    return problems


def _is_pro_rata(level: list[Step], allocation: Allocation) -> bool:
    """Whether the level's accepted energy is shared as ``clear`` shares it, in O(len(level))."""
    offered_kwh = sum(step.energy_kwh for step in level)
    taken_kwh = sum(allocation[step.key] for step in level)
    if taken_kwh == 0:  # full and empty levels: pro rata gives every step 0 ...
        return all(allocation[step.key] == 0 for step in level)
    if taken_kwh == offered_kwh:  # ... or all it offered
        return all(allocation[step.key] == step.energy_kwh for step in level)
    with_extra: list[tuple[int, StepKey]] = []
    without_extra: list[tuple[int, StepKey]] = []
    for step in level:
        whole, remainder = divmod(taken_kwh * step.energy_kwh, offered_kwh)
        extra_kwh = allocation[step.key] - whole
        if extra_kwh not in (0, 1):
            return False
        (with_extra if extra_kwh else without_extra).append(share_rank(step, remainder))
    return not with_extra or not without_extra or max(with_extra) < min(without_extra)


def _interval_problems(
    book: Book, steps: list[Step], allocation: Allocation, result: ClearingResult
) -> list[str]:
    low, high = supporting_prices(steps, allocation)
    certificate = result.certificate
    problems = []
    if (certificate.price_low_kopecks_per_mwh, certificate.price_high_kopecks_per_mwh) != (
        low,
        high,
    ):
        problems.append(f"certificate interval is not the supporting interval [{low}, {high}]")
    if result.price_kopecks_per_mwh != rule_price(book, low, high):
        problems.append(
            f"price {result.price_kopecks_per_mwh} is not the rule's price "
            f"{rule_price(book, low, high)} of [{low}, {high}]"
        )
    return problems


def _welfare_problems(
    steps: list[Step], allocation: Allocation, result: ClearingResult
) -> list[str]:
    welfare = welfare_millikopecks(steps, allocation)
    if welfare != result.welfare_millikopecks:
        return [f"welfare is {welfare} millikopecks, not {result.welfare_millikopecks}"]
    return []
