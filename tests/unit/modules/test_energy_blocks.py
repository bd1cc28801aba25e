"""Block orders: accepted at one ratio, at least their minimum, fully served, never at a loss."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from krai.modules.energy.blocks import BlockOrder, decide_blocks, with_fixed_blocks
from krai.modules.energy.book import decode_book
from krai.modules.energy.clearing import clear

PERIODS = range(1, 4)
prices = st.integers(1, 20).map(lambda p: p * 10_000)
energies = st.integers(1, 30)


def book(orders: list[tuple[str, int, int]], import_kwh: int, grid_price: int) -> dict[str, Any]:
    return {
        "import_limit_kwh": import_kwh,
        "export_limit_kwh": 0,
        "grid_sell_price_kopecks_per_mwh": grid_price,
        "grid_buy_price_kopecks_per_mwh": 0,
        "orders": [
            {"id": f"o{i}", "side": side, "price_kopecks_per_mwh": price, "energy_kwh": energy}
            for i, (side, price, energy) in enumerate(orders)
        ],
    }


orders = st.lists(st.tuples(st.sampled_from(["buy", "sell"]), prices, energies), max_size=4)
books = st.fixed_dictionaries(
    {p: st.builds(book, orders, st.integers(0, 30), prices) for p in PERIODS}
)


@st.composite
def blocks(draw: st.DrawFn) -> list[BlockOrder]:
    found = []
    for number in range(draw(st.integers(0, 3))):
        first = draw(st.sampled_from(list(PERIODS)))
        last = draw(st.integers(first, PERIODS[-1]))
        found.append(
            BlockOrder(
                f"b{number}",
                draw(st.sampled_from(["buy", "sell"])),
                first,
                last,
                draw(prices),
                draw(energies),
                draw(st.integers(1, 10_000)),
            )
        )
    return found


@settings(max_examples=150, deadline=None)
@given(books=books, day_blocks=blocks())
def test_accepted_blocks_are_whole_served_and_never_at_a_loss(
    books: dict[int, dict[str, Any]], day_blocks: list[BlockOrder]
) -> None:
    decision = decide_blocks(books, day_blocks)
    assert set(decision.accepted) | set(decision.dropped) == {b.id for b in day_blocks}
    assert not set(decision.accepted) & set(decision.dropped)
    for block in day_blocks:
        ratio = decision.accepted.get(block.id)
        if ratio is None:
            continue
        assert block.min_acceptance_basis_points <= ratio <= 10_000
        for period in block.periods:
            result = clear(
                decode_book(with_fixed_blocks(books[period], period, day_blocks, decision.accepted))
            )
            taken = {a.id: a.energy_kwh for a in result.accepted}
            assert taken.get(block.id, 0) == block.fixed_kwh(ratio)
            if block.fixed_kwh(ratio) and block.side == "buy":
                assert result.price_kopecks_per_mwh <= block.price_kopecks_per_mwh
            elif block.fixed_kwh(ratio):
                assert result.price_kopecks_per_mwh >= block.price_kopecks_per_mwh


def test_a_block_that_only_half_fits_is_dropped_when_it_wants_all() -> None:
    day = {p: book([("buy", 300_000, 30)], 50, 200_000) for p in PERIODS}
    whole = BlockOrder("batch", "buy", 1, 3, 250_000, 40, 10_000)
    half = BlockOrder("flexible", "buy", 1, 3, 250_000, 40, 5_000)
    assert decide_blocks(day, [whole]).accepted == {}
    assert decide_blocks(day, [half]).accepted == {"flexible": 5_000}
