"""The pure-Python clearing that krai shipped first, kept as the oracle of the numpy one.

Byte for byte the algorithm of ``docs/spec/clearing.md`` as first written: levels as lists of
steps, a kWh-by-kWh merit-order walk, a dict allocation and a per-step certificate. Tests
check that ``krai.modules.energy`` (numpy, columns) gives exactly its results and exactly its
certificate problems. Not imported by ``src``.
"""

from collections.abc import Iterable
from itertools import groupby, pairwise
from typing import NamedTuple

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.energy.book import ORDER_LIMIT_KWH, PRICE_LIMIT_KOPECKS_PER_MWH, Book, Side
from krai.modules.energy.result import Acceptance, Certificate, ClearingResult

StepKey = tuple[int, str]
"""(0, order id) for an order, (1, "import" | "export") for a grid leg: legs sort last."""


class Step(NamedTuple):
    """An order or a grid leg as the auction sees it. An import leg sells; an export leg buys.

    A named tuple rather than a frozen dataclass: a book makes one per order, and tuples are
    built several times faster.
    """

    key: StepKey
    side: Side
    price_kopecks_per_mwh: int
    energy_kwh: int

    @property
    def name(self) -> str:
        """The order id, or "grid import" / "grid export"."""
        return self.key[1] if self.key[0] == 0 else f"grid {self.key[1]}"


IMPORT_KEY: StepKey = (1, "import")
EXPORT_KEY: StepKey = (1, "export")


def book_steps(book: Book) -> list[Step]:
    """The book's orders, then the grid legs whose limit is positive."""
    steps = [
        Step((0, order.id), order.side, order.price_kopecks_per_mwh, order.energy_kwh)
        for order in book.orders
    ]
    if book.import_limit_kwh > 0:
        steps.append(
            Step(IMPORT_KEY, "sell", book.grid_sell_price_kopecks_per_mwh, book.import_limit_kwh)
        )
    if book.export_limit_kwh > 0:
        steps.append(
            Step(EXPORT_KEY, "buy", book.grid_buy_price_kopecks_per_mwh, book.export_limit_kwh)
        )
    return steps


def book_problems(book: Book) -> list[str]:
    """Why ``book`` cannot be cleared (empty when it can). O(n)."""
    problems = [*_range_problems(book), *_duplicate_ids(book)]
    both_legs = book.import_limit_kwh > 0 and book.export_limit_kwh > 0
    if both_legs and book.grid_buy_price_kopecks_per_mwh >= book.grid_sell_price_kopecks_per_mwh:
        problems.append(
            f"grid_buy_price_kopecks_per_mwh {book.grid_buy_price_kopecks_per_mwh} must be "
            f"below grid_sell_price_kopecks_per_mwh {book.grid_sell_price_kopecks_per_mwh} "
            "when both limits are positive: the connection carries one flow, never an "
            "import and an export at once"
        )
    if not problems:
        problems.extend(_size_problems(book))
    return problems


def _range_problems(book: Book) -> list[str]:
    problems = [
        f"{name} is {value}, it must lie in 0..{MAX_SAFE_INTEGER}"
        for name, value in (
            ("import_limit_kwh", book.import_limit_kwh),
            ("export_limit_kwh", book.export_limit_kwh),
        )
        if not 0 <= value <= MAX_SAFE_INTEGER
    ]
    prices = [
        ("grid_sell_price_kopecks_per_mwh", book.grid_sell_price_kopecks_per_mwh),
        ("grid_buy_price_kopecks_per_mwh", book.grid_buy_price_kopecks_per_mwh),
    ]
    prices += [(f"order {o.id} price", o.price_kopecks_per_mwh) for o in book.orders]
    limit = PRICE_LIMIT_KOPECKS_PER_MWH
    problems += [f"{name} {p} is outside ±{limit}" for name, p in prices if abs(p) > limit]
    problems += [
        f"order {o.id} energy_kwh is {o.energy_kwh}, it must lie in 1..{ORDER_LIMIT_KWH}"
        for o in book.orders
        if not 1 <= o.energy_kwh <= ORDER_LIMIT_KWH
    ]
    problems += [
        f"order {o.id} side {o.side!r} is not buy or sell"
        for o in book.orders
        if o.side not in ("buy", "sell")
    ]
    return problems


def _duplicate_ids(book: Book) -> list[str]:
    seen: set[str] = set()
    duplicates: set[str] = set()
    for order in book.orders:
        (duplicates if order.id in seen else seen).add(order.id)
    return [f"order id {order_id} appears more than once" for order_id in sorted(duplicates)]


def _size_problems(book: Book) -> list[str]:
    legs = [
        (book.grid_sell_price_kopecks_per_mwh, book.import_limit_kwh),
        (book.grid_buy_price_kopecks_per_mwh, book.export_limit_kwh),
    ]
    legs += [(order.price_kopecks_per_mwh, order.energy_kwh) for order in book.orders]
    energy_kwh = sum(kwh for _, kwh in legs)
    value_millikopecks = sum(abs(price) * kwh for price, kwh in legs)
    if max(energy_kwh, value_millikopecks) > MAX_SAFE_INTEGER:
        return [
            f"the book is too large to clear exactly: total energy {energy_kwh} kWh, gross "
            f"value {value_millikopecks} millikopecks; each must be at most {MAX_SAFE_INTEGER}"
        ]
    return []


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


Level = tuple[int, list[Step]]
"""One price (kopecks/MWh) and the steps offered at it, in no particular order."""


def clear(book: Book) -> ClearingResult:
    """Clear ``book``; raise ``ValueError`` if it cannot be cleared (``book_problems``)."""
    problems = book_problems(book)
    if problems:
        raise ValueError("; ".join(problems))
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
