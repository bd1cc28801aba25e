"""The numpy clearing against its two oracles: the first pure-Python clearing (byte for byte,
results and certificate problems alike) and HiGHS (welfare of the LP, through scipy)."""

import dataclasses
import json

import numpy as np
import pytest
import tests.unit.modules.test_energy_clearing as worked
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from tests.reference import energy_clearing as reference

from krai.crypto.canonical import canonical_bytes
from krai.modules.energy.book import (
    Book,
    InvalidBookError,
    Order,
    book_columns,
    decode_book,
    decode_book_columns,
)
from krai.modules.energy.clearing import (
    _price_order,
    check_certificate,
    check_cleared_columns,
    clear,
    clear_columns,
)
from krai.modules.energy.result import Acceptance, ClearingResult, result_json
from krai.tx.errors import RejectedError


def canonical(result: ClearingResult) -> bytes:
    return canonical_bytes(result_json(result, certificate=True))


@st.composite
def wide_books(draw: st.DrawFn) -> Book:
    """Books with wide prices and energies, and grid legs up to 2^49 kWh (so that the margin's
    x·Q overflows int64 and takes the exact Python path); some are too large to clear."""
    count = draw(st.integers(0, 40))
    ticks = draw(st.integers(1, 5))  # few distinct prices: many ties
    tick = draw(st.sampled_from([1, 1_000]))
    orders = tuple(
        Order(
            f"o{i:03d}",
            draw(st.sampled_from(["buy", "sell"])),
            draw(st.integers(-ticks, ticks)) * tick,
            draw(st.integers(1, 10_000_000)),
        )
        for i in draw(st.permutations(range(count)))
    )
    import_kwh, export_kwh = (draw(st.sampled_from([0, 1, 999, 2**49])) for _ in range(2))
    low, high = sorted(draw(st.integers(-ticks, ticks)) * tick for _ in range(2))
    return Book(import_kwh, export_kwh, high + 1, low, orders)


any_books = st.one_of(worked.books(), wide_books())
clearable_books = any_books.filter(lambda book: not reference.book_problems(book))


@settings(max_examples=400, deadline=None)
@given(any_books)
def test_the_clearing_equals_the_reference_byte_for_byte(book: Book) -> None:
    try:
        expected = canonical(reference.clear(book))
    except ValueError as refused:
        with pytest.raises(InvalidBookError) as refused_too:
            clear(book)
        assert str(refused_too.value) == str(refused)
        return
    assert canonical(clear(book)) == expected


@settings(max_examples=200, deadline=None)
@given(clearable_books, st.data())
def test_certificate_problems_equal_the_reference_on_altered_results(
    book: Book, data: st.DataObject
) -> None:
    cleared = clear(book)
    candidates = [cleared, *_alterations(cleared, data)]
    for candidate in candidates:
        assert check_certificate(book, candidate) == reference.check_certificate(book, candidate)


def _alterations(cleared: ClearingResult, data: st.DataObject) -> list[ClearingResult]:
    accepted = list(cleared.accepted)
    altered = [
        dataclasses.replace(cleared, price_kopecks_per_mwh=cleared.price_kopecks_per_mwh + 1),
        dataclasses.replace(cleared, import_kwh=cleared.import_kwh + 1),
        dataclasses.replace(cleared, accepted=tuple(reversed(accepted))),
        dataclasses.replace(cleared, accepted=(*accepted, Acceptance("zz-stranger", 0))),
    ]
    if accepted:
        i = data.draw(st.integers(0, len(accepted) - 1))
        change = data.draw(st.sampled_from([-2, -1, 1, 2, 10**30]))
        accepted[i] = Acceptance(accepted[i].id, accepted[i].energy_kwh + change)
        altered.append(dataclasses.replace(cleared, accepted=tuple(accepted)))
    return altered


def lp_welfare(book: Book) -> float:
    """max Σ b·q − Σ a·s s.t. Σ q − Σ s = 0 (grid legs as one more sell and buy), by HiGHS."""
    steps = [(o.side, o.price_kopecks_per_mwh, o.energy_kwh) for o in book.orders]
    steps += [("sell", book.grid_sell_price_kopecks_per_mwh, book.import_limit_kwh)]
    steps += [("buy", book.grid_buy_price_kopecks_per_mwh, book.export_limit_kwh)]
    steps = [step for step in steps if step[2] > 0]
    if not steps:
        return 0.0
    sign = np.array([1.0 if side == "buy" else -1.0 for side, _, _ in steps])
    price = np.array([float(p) for _, p, _ in steps])
    solved = linprog(
        -sign * price,
        A_eq=sign[np.newaxis, :],
        b_eq=[0.0],
        bounds=[(0, float(kwh)) for _, _, kwh in steps],
        method="highs",
    )
    assert solved.status == 0, solved.message
    return float(-solved.fun)


@st.composite
def lp_books(draw: st.DrawFn) -> Book:
    """Random books: ties (a few price ticks), empty sides, zero limits, zero prices."""
    buys, sells = draw(st.integers(0, 25)), draw(st.integers(0, 25))
    ticks = st.integers(0, draw(st.integers(0, 8))).map(lambda tick: 250_000 + tick * 5_000)
    energies = st.integers(1, 2_000)
    sides = ["buy"] * buys + ["sell"] * sells
    orders = tuple(
        Order(f"o{i}", side, draw(ticks | st.just(0)), draw(energies))
        for i, side in enumerate(sides)
    )
    import_kwh = draw(st.sampled_from([0, 0, 1, 500, 20_000]))
    export_kwh = draw(st.sampled_from([0, 0, 1, 500, 20_000]))
    grid_buy = draw(ticks)
    return Book(import_kwh, export_kwh, grid_buy + draw(st.integers(1, 50_000)), grid_buy, orders)


@settings(max_examples=200, deadline=None)
@given(lp_books())
def test_welfare_equals_the_highs_optimum(book: Book) -> None:
    welfare = clear(book).welfare_millikopecks
    optimum = lp_welfare(book)
    assert abs(welfare - optimum) <= 1e-9 * max(1.0, abs(optimum))


@settings(max_examples=200, deadline=None)
@given(clearable_books)
def test_columns_clear_and_check_like_the_typed_api(book: Book) -> None:
    columns = book_columns(book)
    cleared = clear_columns(columns)
    assert canonical(cleared.result()) == canonical(clear(book))
    assert check_cleared_columns(columns, cleared) == []
    moved = dataclasses.replace(cleared, welfare_millikopecks=cleared.welfare_millikopecks + 1)
    assert check_cleared_columns(columns, moved) == [
        f"welfare is {cleared.welfare_millikopecks} millikopecks, not "
        f"{cleared.welfare_millikopecks + 1}"
    ]


def _document(book: Book) -> dict[str, object]:
    document = dataclasses.asdict(book)
    document["orders"] = [dataclasses.asdict(order) for order in book.orders]
    return document


@settings(max_examples=200, deadline=None)
@given(any_books)
def test_decoding_into_columns_equals_decoding_then_converting(book: Book) -> None:
    document = json.loads(json.dumps(_document(book)))
    try:
        expected = clear_columns(book_columns(decode_book(document))).result()
    except RejectedError as refused:
        with pytest.raises(RejectedError) as refused_too:
            decode_book_columns(document)
        assert refused_too.value.message == refused.message
        return
    assert canonical(clear_columns(decode_book_columns(document)).result()) == canonical(expected)


@pytest.mark.parametrize(
    "order",
    [
        {"id": "-bad", "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 1},
        {"id": "a\nb", "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 1},
        {"id": "a", "side": "buy", "price_kopecks_per_mwh": True, "energy_kwh": 1},
        {"id": "a", "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 2**70},
        {"id": "a", "side": "hold", "price_kopecks_per_mwh": 1, "energy_kwh": 1},
        {"id": "a", "side": "buy", "price_kopecks_per_mwh": 1},
        {"id": "a", "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 1, "x": 1},
    ],
)
def test_malformed_orders_are_refused_in_columns_as_decode_book_refuses_them(
    order: dict[str, object],
) -> None:
    document = {
        "import_limit_kwh": 0,
        "export_limit_kwh": 0,
        "grid_sell_price_kopecks_per_mwh": 0,
        "grid_buy_price_kopecks_per_mwh": 0,
        "orders": [
            {"id": "ok", "side": "sell", "price_kopecks_per_mwh": 1, "energy_kwh": 1},
            order,
        ],
    }
    with pytest.raises(RejectedError) as refused:
        decode_book(document)
    with pytest.raises(RejectedError) as refused_too:
        decode_book_columns(document)
    assert refused_too.value.message == refused.value.message


def test_an_id_with_a_nul_sorts_as_python_sorts_it() -> None:
    # numpy's fixed-width strings drop trailing NULs; such ids (only in a hand-built book)
    # are sorted by Python, so "a" and "a\0" stay distinct and ordered.
    book = Book(0, 0, 0, 0, (Order("a\0", "sell", 1, 1), Order("a", "buy", 2, 1)))
    assert [a.id for a in clear(book).accepted] == ["a", "a\0"]
    assert canonical(clear(book)) == canonical(reference.clear(book))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62) | st.integers(-5, 5), max_size=60))
def test_prices_are_ordered_ascending_by_one_packed_sort_or_an_argsort(prices: list[int]) -> None:
    """``_price_order`` is a permutation putting the prices in ascending order, packing each
    price with its row when both fit 63 bits (a wide span takes ``argsort``)."""
    column = np.array(prices, dtype=np.int64)
    order = _price_order(column)
    assert sorted(order.tolist()) == list(range(len(prices)))
    assert column[order].tolist() == sorted(prices)
