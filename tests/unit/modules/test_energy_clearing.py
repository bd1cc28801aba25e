"""Clearing one delivery period: hand-worked books, then properties over random books.

Prices are kopecks/MWh, energy kWh, welfare millikopecks (kopecks/MWh × kWh). Each worked
example gives its derivation: the merit-order walk, the margin, the supporting interval
[low, high] and the price floor((low + high) / 2).
"""

import dataclasses
import random
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference.energy_clearing import (
    book_steps,
    rule_price,
    supporting_prices,
    welfare_millikopecks,
)

from krai.crypto.canonical import canonical_bytes
from krai.modules.energy.book import Book, InvalidBookError, Order, decode_book
from krai.modules.energy.clearing import check_certificate, clear
from krai.modules.energy.result import Acceptance, Certificate, ClearingResult, result_json
from krai.tx.errors import RejectedError


def book(
    *orders: tuple[str, str, int, int],
    import_kwh: int = 0,
    export_kwh: int = 0,
    grid_sell: int = 0,
    grid_buy: int = 0,
) -> Book:
    return Book(
        import_kwh, export_kwh, grid_sell, grid_buy, tuple(Order(*order) for order in orders)
    )


def accepted(result: ClearingResult) -> dict[str, int]:
    return {acceptance.id: acceptance.energy_kwh for acceptance in result.accepted}


def summary(result: ClearingResult) -> tuple[int, int, int, int]:
    return (
        result.price_kopecks_per_mwh,
        result.import_kwh,
        result.export_kwh,
        result.welfare_millikopecks,
    )


# --- hand-worked examples -------------------------------------------------------------------


def test_crossing_with_a_partly_accepted_sell() -> None:
    # Demand: a 8 @6000, b 6 @4000, export 5 @2000. Supply: c 5 @1000, d 4 @3000,
    # e 6 @4000, import 10 @5000. Walk: a–c 5, a–d 3, b–d 1, b–e 5 (4000 >= 4000): 14 kWh;
    # next export @2000 < e @4000, stop. e gets 5 of 6.
    # low = max(accepted sells 1000, 3000, 4000; short buys: export 2000) = 4000;
    # high = min(accepted buys 6000, 4000; short sells: e 4000, import 5000) = 4000.
    # Welfare = 6000·8 + 4000·6 − 1000·5 − 3000·4 − 4000·5 = 35 000.
    cleared = clear(
        book(
            ("a", "buy", 6000, 8),
            ("b", "buy", 4000, 6),
            ("c", "sell", 1000, 5),
            ("d", "sell", 3000, 4),
            ("e", "sell", 4000, 6),
            import_kwh=10,
            export_kwh=5,
            grid_sell=5000,
            grid_buy=2000,
        )
    )
    assert accepted(cleared) == {"a": 8, "b": 6, "c": 5, "d": 4, "e": 5}
    assert summary(cleared) == (4000, 0, 0, 35_000)
    assert cleared.certificate.price_low_kopecks_per_mwh == 4000
    assert cleared.certificate.price_high_kopecks_per_mwh == 4000
    assert cleared.certificate.traded_kwh == 14


def test_curves_that_do_not_cross_trade_nothing_at_the_midpoint_of_the_gap() -> None:
    # The best buy (3000) is below the cheapest sell (4000): nothing trades.
    # low = short buy 3000, high = short sell 4000 → price 3500, welfare 0.
    cleared = clear(book(("b", "buy", 3000, 5), ("s", "sell", 4000, 5)))
    assert accepted(cleared) == {"b": 0, "s": 0}
    assert summary(cleared) == (3500, 0, 0, 0)


def test_an_odd_gap_rounds_the_price_down() -> None:
    # low = 3000, high = 3001 → floor(6001 / 2) = 3000; negative: [-3, 0] → floor(-1.5) = -2.
    assert clear(book(("b", "buy", 3000, 1), ("s", "sell", 3001, 1))).price_kopecks_per_mwh == 3000
    assert clear(book(("b", "buy", -3, 1), ("s", "sell", 0, 1))).price_kopecks_per_mwh == -2


def test_the_marginal_level_is_shared_pro_rata_with_largest_remainders() -> None:
    # Buy 7 @5000 against one sell level @2000 of 3 + 5 + 2 = 10 kWh: 7 kWh trade.
    # Shares 7·3/10 = 2.1, 7·5/10 = 3.5, 7·2/10 = 1.4 → floors 2, 3, 1 (6 kWh); the one left
    # goes to the largest remainder (s2: 0.5). low = high = 2000. Welfare (5000 − 2000)·7.
    cleared = clear(
        book(
            ("b", "buy", 5000, 7),
            ("s1", "sell", 2000, 3),
            ("s2", "sell", 2000, 5),
            ("s3", "sell", 2000, 2),
        )
    )
    assert accepted(cleared) == {"b": 7, "s1": 2, "s2": 4, "s3": 1}
    assert summary(cleared) == (2000, 0, 0, 21_000)


def test_equal_remainders_go_to_the_smaller_id_whatever_the_input_order() -> None:
    # Three sells of 1 kWh @1000 share 2 kWh: each 2/3, floors 0, equal remainders; the two
    # kWh go to x and y. low = accepted sells 1000, high = min(buy 3000, short z 1000) = 1000.
    orders = [("z", "sell", 1000, 1), ("y", "sell", 1000, 1), ("x", "sell", 1000, 1)]
    cleared = clear(book(*orders, ("b", "buy", 3000, 2)))
    assert accepted(cleared) == {"b": 2, "x": 1, "y": 1, "z": 0}
    assert summary(cleared) == (1000, 0, 0, 4000)


def test_grid_import_at_the_margin_sets_the_price() -> None:
    # Demand a 6 @8000; supply c 2 @3000, import 10 @5000: c 2, import 4.
    # low = max(3000, 5000) = 5000; high = min(a 8000, short import 5000) = 5000.
    # Welfare = 8000·6 − 3000·2 − 5000·4 = 22 000.
    cleared = clear(
        book(("a", "buy", 8000, 6), ("c", "sell", 3000, 2), import_kwh=10, grid_sell=5000)
    )
    assert accepted(cleared) == {"a": 6, "c": 2}
    assert summary(cleared) == (5000, 4, 0, 22_000)


def test_grid_export_at_the_margin_sets_the_price() -> None:
    # Supply c 7 @1000; demand a 3 @3000, export 10 @2000: a 3, export 4.
    # low = max(c 1000, short export 2000) = 2000; high = min(a 3000, export 2000) = 2000.
    # Welfare = 3000·3 + 2000·4 − 1000·7 = 10 000.
    cleared = clear(
        book(
            ("a", "buy", 3000, 3),
            ("c", "sell", 1000, 7),
            export_kwh=10,
            grid_buy=2000,
            grid_sell=9000,
        )
    )
    assert accepted(cleared) == {"a": 3, "c": 7}
    assert summary(cleared) == (2000, 0, 4, 10_000)


def test_a_limit_curtails_the_grid_and_the_park_sets_the_price() -> None:
    # Demand a 10 @8000; supply import 4 @5000 (limit), s 10 @7000: import 4, s 6.
    # low = max(5000, 7000) = 7000; high = min(a 8000, short s 7000) = 7000.
    cleared = clear(
        book(("a", "buy", 8000, 10), ("s", "sell", 7000, 10), import_kwh=4, grid_sell=5000)
    )
    assert accepted(cleared) == {"a": 10, "s": 6}
    assert summary(cleared) == (7000, 4, 0, 8000 * 10 - 5000 * 4 - 7000 * 6)


def test_the_grid_alone_trades_nothing_and_prices_between_its_two_prices() -> None:
    # Import @5000 and export @2000, no order: both legs short, low = 2000, high = 5000.
    cleared = clear(book(import_kwh=5, export_kwh=5, grid_sell=5000, grid_buy=2000))
    assert summary(cleared) == (3500, 0, 0, 0)
    assert cleared.accepted == ()


def test_an_empty_book_with_zero_limits_is_priced_between_the_grid_prices() -> None:
    # Nothing bounds the price: floor((2000 + 5001) / 2) = 3500.
    cleared = clear(book(grid_sell=5001, grid_buy=2000))
    assert summary(cleared) == (3500, 0, 0, 0)
    assert cleared.certificate.price_low_kopecks_per_mwh is None
    assert cleared.certificate.price_high_kopecks_per_mwh is None


def test_one_sided_books_are_priced_at_their_best_order() -> None:
    # Only sells: low is open, high = cheapest sell. Only buys: high open, low = best buy.
    sells = clear(book(("s1", "sell", 4000, 5), ("s2", "sell", 3000, 1)))
    buys = clear(book(("b1", "buy", 4000, 5), ("b2", "buy", 3000, 1)))
    assert summary(sells) == (3000, 0, 0, 0)
    assert summary(buys) == (4000, 0, 0, 0)


def test_everything_at_one_price_trades_the_largest_volume() -> None:
    # Buys 3 + 2 and sells 4 all @4000: 4 kWh trade at no gain; the buys share 4 of 5:
    # 4·3/5 = 2.4, 4·2/5 = 1.6 → floors 2, 1; the kWh left goes to b2 (0.6 > 0.4).
    cleared = clear(book(("b1", "buy", 4000, 3), ("b2", "buy", 4000, 2), ("s", "sell", 4000, 4)))
    assert accepted(cleared) == {"b1": 2, "b2": 2, "s": 4}
    assert summary(cleared) == (4000, 0, 0, 0)


def test_negative_prices_clear_like_any_other() -> None:
    # Buy 2 @-1000, sell 2 @-3000: both trade; [low, high] = [-3000, -1000] → -2000.
    # Welfare = -1000·2 + 3000·2 = 4000.
    cleared = clear(book(("b", "buy", -1000, 2), ("s", "sell", -3000, 2)))
    assert summary(cleared) == (-2000, 0, 0, 4000)


# --- refusals -------------------------------------------------------------------------------


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(InvalidBookError, match="order id a appears more than once"):
        clear(book(("a", "buy", 1, 1), ("a", "sell", 1, 1)))


@pytest.mark.parametrize(("grid_sell", "grid_buy"), [(5000, 5000), (5000, 5001)])
def test_crossed_grid_prices_are_refused_when_both_legs_exist(
    grid_sell: int, grid_buy: int
) -> None:
    crossed = book(import_kwh=1, export_kwh=1, grid_sell=grid_sell, grid_buy=grid_buy)
    with pytest.raises(InvalidBookError, match="must be below grid_sell_price"):
        clear(crossed)
    one_leg = dataclasses.replace(crossed, export_limit_kwh=0)
    assert clear(one_leg).price_kopecks_per_mwh == grid_sell


def test_books_too_large_for_exact_json_are_refused() -> None:
    big = book(*((f"o{i}", "buy", 100_000_000, 10_000_000) for i in range(10)))
    with pytest.raises(InvalidBookError, match="too large"):
        clear(big)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"orders": [{"id": "a", "side": "hold", "price_kopecks_per_mwh": 1, "energy_kwh": 1}]},
            "book.orders[0].side must be one of buy, sell",
        ),
        (
            {"orders": [{"id": "a", "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 0}]},
            "book.orders[0].energy_kwh is 0, it must be at least 1",
        ),
        ({"import_limit_kwh": -1}, "book.import_limit_kwh is -1"),
        ({"import_limit_kwh": None}, "book.import_limit_kwh is required"),
        ({"extra": 1}, "unknown field(s) extra"),
        (
            {
                "orders": [{"id": "a", "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 1}]
                * 2
            },
            "order id a appears more than once",
        ),
    ],
)
def test_decoding_refuses_bad_books(change: dict[str, object], message: str) -> None:
    document: dict[str, object] = {
        "import_limit_kwh": 0,
        "export_limit_kwh": 0,
        "grid_sell_price_kopecks_per_mwh": 0,
        "grid_buy_price_kopecks_per_mwh": 0,
        "orders": [],
    }
    document.update(change)
    with pytest.raises(RejectedError) as refused:
        decode_book({key: value for key, value in document.items() if value is not None})
    assert message in refused.value.message


# --- properties -----------------------------------------------------------------------------

PRICES = st.integers(-2, 10).map(lambda step: step * 500)  # few levels: many ties


@st.composite
def books(draw: st.DrawFn, max_orders: int = 30, max_kwh: int = 12, max_limit: int = 15) -> Book:
    ids = draw(
        st.lists(st.text("abcxyz", min_size=1, max_size=3), max_size=max_orders, unique=True)
    )
    orders = tuple(
        Order(
            order_id,
            draw(st.sampled_from(["buy", "sell"])),
            draw(PRICES),
            draw(st.integers(1, max_kwh)),
        )
        for order_id in ids
    )
    import_kwh, export_kwh = draw(st.integers(0, max_limit)), draw(st.integers(0, max_limit))
    low, high = sorted([draw(PRICES), draw(PRICES)])
    if low == high and import_kwh and export_kwh:
        high += 500
    return Book(import_kwh, export_kwh, high, low, orders)


def brute_force_welfare(book: Book) -> int:
    """The best welfare over every integer allocation that balances; exhaustive, no merit order.

    The LP has one balance row, so its matrix is totally unimodular: with integer bounds its
    optimum is reached at integers, and this search finds it.
    """
    legs = [(order.side, order.price_kopecks_per_mwh, order.energy_kwh) for order in book.orders]
    legs.append(("sell", book.grid_sell_price_kopecks_per_mwh, book.import_limit_kwh))
    legs.append(("buy", book.grid_buy_price_kopecks_per_mwh, book.export_limit_kwh))
    best = 0
    for allocation in product(*(range(energy + 1) for _, _, energy in legs)):
        signs = [1 if side == "buy" else -1 for side, _, _ in legs]
        if sum(sign * kwh for sign, kwh in zip(signs, allocation, strict=True)) != 0:
            continue
        welfare = sum(
            sign * price * kwh
            for sign, (_, price, _), kwh in zip(signs, legs, allocation, strict=True)
        )
        best = max(best, welfare)
    return best


@settings(max_examples=300)
@given(books())
def test_every_clearing_passes_its_certificate(book: Book) -> None:
    assert check_certificate(book, clear(book)) == []


@settings(max_examples=60, deadline=None)
@given(books(max_orders=4, max_kwh=6, max_limit=3))
def test_welfare_equals_the_brute_force_optimum(book: Book) -> None:
    assert clear(book).welfare_millikopecks == brute_force_welfare(book)


@given(books(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_orders(
    book: Book, rng: random.Random
) -> None:
    orders = list(book.orders)
    rng.shuffle(orders)
    shuffled = dataclasses.replace(book, orders=tuple(orders))
    first = canonical_bytes(result_json(clear(book), certificate=True))
    assert canonical_bytes(result_json(clear(shuffled), certificate=True)) == first


@given(books())
def test_energy_is_conserved_and_welfare_is_never_negative(book: Book) -> None:
    cleared = clear(book)
    sides = {order.id: order.side for order in book.orders}
    bought = sum(kwh for order_id, kwh in accepted(cleared).items() if sides[order_id] == "buy")
    sold = sum(kwh for order_id, kwh in accepted(cleared).items() if sides[order_id] == "sell")
    assert bought + cleared.export_kwh == sold + cleared.import_kwh
    assert cleared.import_kwh == 0 or cleared.export_kwh == 0
    assert cleared.welfare_millikopecks >= 0
    assert [a.id for a in cleared.accepted] == sorted(sides)


def with_allocation(result: ClearingResult, allocation: dict[str, int]) -> ClearingResult:
    """``result`` with accepted energy replaced; "grid import"/"grid export" set the flows."""
    return dataclasses.replace(
        result,
        accepted=tuple(Acceptance(a.id, allocation[a.id]) for a in result.accepted),
        import_kwh=allocation["grid import"],
        export_kwh=allocation["grid export"],
    )


@settings(max_examples=300)
@given(books(), st.data())
def test_moving_one_kwh_between_orders_breaks_the_certificate(
    book: Book, data: st.DataObject
) -> None:
    cleared = clear(book)
    offered = {order.id: order.energy_kwh for order in book.orders}
    offered |= {"grid import": book.import_limit_kwh, "grid export": book.export_limit_kwh}
    allocation = accepted(cleared) | {
        "grid import": cleared.import_kwh,
        "grid export": cleared.export_kwh,
    }
    donors = sorted(name for name, kwh in allocation.items() if kwh > 0)
    takers = sorted(name for name, kwh in allocation.items() if kwh < offered[name])
    pairs = [(d, t) for d in donors for t in takers if d != t]
    if not pairs:
        return
    donor, taker = data.draw(st.sampled_from(pairs))
    allocation[donor] -= 1
    allocation[taker] += 1
    assert check_certificate(book, with_allocation(cleared, allocation)) != []


@given(books(), st.integers(-10_000, 10_000).filter(bool))
def test_any_other_price_breaks_the_certificate(book: Book, shift: int) -> None:
    cleared = clear(book)
    moved = dataclasses.replace(
        cleared, price_kopecks_per_mwh=cleared.price_kopecks_per_mwh + shift
    )
    assert check_certificate(book, moved) != []


@given(books())
def test_a_price_outside_the_supporting_interval_breaks_slackness(book: Book) -> None:
    cleared = clear(book)
    low = cleared.certificate.price_low_kopecks_per_mwh
    high = cleared.certificate.price_high_kopecks_per_mwh
    for outside in ([] if low is None else [low - 1]) + ([] if high is None else [high + 1]):
        moved = dataclasses.replace(cleared, price_kopecks_per_mwh=outside)
        assert any("than the price" in problem for problem in check_certificate(book, moved))


@given(books(), st.integers(-3, 3).filter(bool))
def test_a_wrong_welfare_breaks_the_certificate(book: Book, error: int) -> None:
    cleared = clear(book)
    wrong = dataclasses.replace(cleared, welfare_millikopecks=cleared.welfare_millikopecks + error)
    assert check_certificate(book, wrong) == [
        f"welfare is {cleared.welfare_millikopecks} millikopecks, not "
        f"{cleared.welfare_millikopecks + error}"
    ]


def test_a_result_missing_an_order_or_naming_a_stranger_is_refused() -> None:
    two = book(("a", "buy", 3000, 1), ("b", "sell", 1000, 1))
    cleared = clear(two)
    missing = dataclasses.replace(cleared, accepted=cleared.accepted[:1])
    stranger = dataclasses.replace(cleared, accepted=(*cleared.accepted, Acceptance("c", 0)))
    assert "1 order(s) of the book are missing from the result" in check_certificate(two, missing)
    assert "order c is not in the book" in check_certificate(two, stranger)


def result_for(book: Book, allocation: tuple[int, ...]) -> ClearingResult:
    """The result a node would publish for this allocation (orders in id order, then legs)."""
    ids = sorted(order.id for order in book.orders)
    by_key = {(0, order_id): kwh for order_id, kwh in zip(ids, allocation, strict=False)}
    by_key |= {(1, "import"): allocation[-2], (1, "export"): allocation[-1]}
    steps = book_steps(book)
    low, high = supporting_prices(steps, by_key)
    return ClearingResult(
        price_kopecks_per_mwh=rule_price(book, low, high),
        accepted=tuple(Acceptance(order_id, by_key[(0, order_id)]) for order_id in ids),
        import_kwh=allocation[-2],
        export_kwh=allocation[-1],
        welfare_millikopecks=welfare_millikopecks(steps, by_key),
        certificate=Certificate(low, high, sum(by_key[s.key] for s in steps if s.side == "sell")),
    )


@settings(max_examples=40, deadline=None)
@given(books(max_orders=3, max_kwh=4, max_limit=2))
def test_the_certificate_accepts_exactly_one_allocation_the_cleared_one(book: Book) -> None:
    """Over every allocation within bounds, published in good faith (price by the rule,
    welfare and interval computed), the certificate passes for the cleared one alone."""
    energies = {order.id: order.energy_kwh for order in book.orders}
    bounds = [energies[order_id] for order_id in sorted(energies)]
    bounds += [book.import_limit_kwh, book.export_limit_kwh]
    cleared = clear(book)
    passing = [
        candidate
        for allocation in product(*(range(bound + 1) for bound in bounds))
        if not check_certificate(book, candidate := result_for(book, allocation))
    ]
    assert passing == [cleared]
