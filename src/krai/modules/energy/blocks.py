"""Block orders: one price and energy over several periods, accepted at one ratio or not at all.

A block buys (or sells) ``energy_kwh`` in every period from ``first_period`` to
``last_period``, never above (below) its limit price in any of them. It is accepted at a
single ratio x (basis points) for all its periods — x = 0, or ``min_acceptance_basis_points``
≤ x ≤ 10,000 — taking ⌊energy × x / 10,000⌋ kWh in each. Blocks make the day's clearing
non-convex, so krai decides them by a documented deterministic procedure (docs/spec/clearing.md,
"Block orders"):

1. Every candidate starts at x = 10,000.
2. Clear every period with each candidate as an ordinary limit order of its current energy.
   A candidate's new x is the least share of its original energy any of its periods took.
3. If no x changed, every candidate is fully served: the day is decided. Otherwise, if some
   x fell below its minimum, drop the one of those with the lowest x (ties: the smaller id),
   reset the others to 10,000 and go to 2; else go to 2 with the lowered x.
4. A round that runs ``MAX_ROUNDS`` times without settling drops its lowest candidate too.

Every restart drops a block, so it ends. The books of the last round are the day's books:
each period's result is optimal, with its certificate, given the accepted blocks, and no
accepted block pays more (or receives less) than its limit in any period.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from krai.modules.energy.book import decode_book
from krai.modules.energy.clearing import clear

FULL_BASIS_POINTS = 10_000
MAX_ROUNDS = 30


@dataclass(frozen=True)
class BlockOrder:
    """A participant's block, named ``INN:own-id`` in the day's books."""

    id: str
    side: str
    first_period: int
    last_period: int
    price_kopecks_per_mwh: int
    energy_kwh: int
    min_acceptance_basis_points: int

    @property
    def periods(self) -> range:
        """The periods the block spans."""
        return range(self.first_period, self.last_period + 1)

    def fixed_kwh(self, ratio_basis_points: int) -> int:
        """The energy the block takes in each period at an acceptance ratio."""
        return self.energy_kwh * ratio_basis_points // FULL_BASIS_POINTS


@dataclass(frozen=True)
class BlockDecision:
    """Accepted blocks with their ratio (basis points); dropped ones with the reason."""

    accepted: dict[str, int]
    dropped: dict[str, str]


def decide_blocks(
    books: Mapping[int, dict[str, Any]],
    blocks: Sequence[BlockOrder],
) -> BlockDecision:
    """Which blocks the day accepts, at what ratio; ``books`` are the periods' JSON books."""
    candidates = sorted(blocks, key=lambda b: b.id)
    dropped: dict[str, str] = {}
    while candidates:
        ratios = {b.id: FULL_BASIS_POINTS for b in candidates}
        for _ in range(MAX_ROUNDS):
            lowered = _served_ratios(books, candidates, ratios)
            if lowered == ratios:
                return BlockDecision(ratios, dropped)
            ratios = lowered
            if _under_minimum(candidates, ratios):
                break
        worst = min(
            _under_minimum(candidates, ratios) or candidates, key=lambda b: (ratios[b.id], b.id)
        )
        dropped[worst.id] = f"the day's prices leave it {ratios[worst.id]} bp of its energy"
        candidates = [b for b in candidates if b.id != worst.id]
    return BlockDecision({}, dropped)


def with_fixed_blocks(
    book: dict[str, Any], period: int, blocks: Sequence[BlockOrder], accepted: Mapping[str, int]
) -> dict[str, Any]:
    """A period's book with each accepted block as a limit order of its fixed energy."""
    fixed = [
        _limit_order(block, block.fixed_kwh(accepted[block.id]))
        for block in blocks
        if block.id in accepted
        and period in block.periods
        and block.fixed_kwh(accepted[block.id]) > 0
    ]
    return {**book, "orders": [*book["orders"], *fixed]}


def _served_ratios(
    books: Mapping[int, dict[str, Any]],
    candidates: Sequence[BlockOrder],
    ratios: Mapping[str, int],
) -> dict[str, int]:
    served = dict(ratios)
    for period, book in books.items():
        if not any(period in b.periods for b in candidates):
            continue
        result = clear(decode_book(with_fixed_blocks(book, period, candidates, ratios)))
        taken = {a.id: a.energy_kwh for a in result.accepted}
        for block in candidates:
            if period in block.periods:
                share = taken.get(block.id, 0) * FULL_BASIS_POINTS // block.energy_kwh
                served[block.id] = min(served[block.id], share)
    return served


def _under_minimum(candidates: Sequence[BlockOrder], ratios: Mapping[str, int]) -> list[BlockOrder]:
    return [b for b in candidates if ratios[b.id] < b.min_acceptance_basis_points]


def _limit_order(block: BlockOrder, energy_kwh: int) -> dict[str, Any]:
    return {
        "id": block.id,
        "side": block.side,
        "price_kopecks_per_mwh": block.price_kopecks_per_mwh,
        "energy_kwh": energy_kwh,
    }
