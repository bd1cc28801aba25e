"""The compiled (msgspec) decoder of JSON books against the strict one (ADR 0030): on any bytes
it gives the strict decoder's columns, or its refusal word for word, or steps aside (None) so
that the strict decoder says why — never a book the strict decoder refuses."""

import dataclasses
import json
import re
from typing import Any

import numpy as np
import pytest
import tests.unit.modules.test_energy_fast_path as fast_path
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.modules.energy.book import (
    Book,
    BookColumns,
    Order,
    _packed_order,
    book_columns,
    compiled_book_columns,
    decode_book,
)
from krai.modules.energy.clearing import clear_columns
from krai.modules.energy.result import encoded_result_json, result_json
from krai.state.messages import Identifier
from krai.tx.errors import RejectedError
from krai.tx.strict_json import parse_strict_json

Pairs = list[tuple[str, Any]]


def strict_columns(data: bytes) -> BookColumns | str:
    """What ``krai energy clear`` did before ADR 0030: the columns, or the refusal's text."""
    try:
        document = parse_strict_json(data)
        if not isinstance(document, dict):
            return "the book must be a JSON object"
        return book_columns(decode_book(document))
    except RejectedError as error:
        return error.message


def compiled(data: bytes) -> BookColumns | str | None:
    try:
        return compiled_book_columns(data)
    except RejectedError as error:
        return error.message


def same_columns(one: BookColumns, other: BookColumns) -> bool:
    arrays = ("buy", "price_kopecks_per_mwh", "energy_kwh", "listed_at")
    scalars = ("import_limit_kwh", "export_limit_kwh", "ids")
    scalars += ("grid_sell_price_kopecks_per_mwh", "grid_buy_price_kopecks_per_mwh")
    return all(getattr(one, name) == getattr(other, name) for name in scalars) and all(
        np.array_equal(getattr(one, name), getattr(other, name)) for name in arrays
    )


def assert_agrees(data: bytes) -> BookColumns | str | None:
    """The compiled decoder steps aside or agrees with the strict one; returns its answer."""
    expected, answer = strict_columns(data), compiled(data)
    if answer is None:
        return None
    if isinstance(expected, str):
        assert answer == expected, f"compiled {answer!r}, strict refuses: {expected}"
    else:
        assert isinstance(answer, BookColumns), f"compiled refuses {answer!r}, strict accepts"
        assert same_columns(answer, expected)
    return answer


def book_pairs(book: Book) -> tuple[Pairs, list[Pairs]]:
    grid = [(f.name, getattr(book, f.name)) for f in dataclasses.fields(book)][:-1]
    return grid, [list(dataclasses.asdict(order).items()) for order in book.orders]


def text(pairs: Pairs, space: str = "") -> str:
    members = (f"{json.dumps(key)}:{space}{value}" for key, value in pairs)
    return "{" + f",{space}".join(members) + "}"


def book_text(grid: Pairs, orders: list[Pairs], space: str = "") -> bytes:
    encoded = [(key, json.dumps(value)) for key, value in grid]
    listed = [text([(key, json.dumps(value)) for key, value in order], space) for order in orders]
    return text([*encoded, ("orders", "[" + f",{space}".join(listed) + "]")], space).encode()


ODD_VALUES = [
    "1.0", "1e3", "-0", "2.5", "NaN", "Infinity", "true", "null", '"1"', "[]", "{}",
    str(2**53), str(2**63), str(-(2**63) - 1), str(10**30), '"buy"', '"sell"', '"hold"',
    '"o,1"', '"\\u0062uy"', '"a\\nb"', '"-x"', '"' + "x" * 129 + '"',
]  # fmt: skip


@st.composite
def mutated_books(draw: st.DrawFn) -> bytes:
    """A book's JSON with one change at a random place: a member repeated (with its value or
    another), removed, added, renamed through an escape, or given an odd value."""
    grid, orders = book_pairs(draw(fast_path.any_books))
    objects = [grid, *orders]
    where = objects[draw(st.integers(0, len(objects) - 1))]
    i = draw(st.integers(0, len(where) - 1))
    key, value = where[i]
    change = draw(st.sampled_from(["repeat", "repeat-other", "drop", "add", "escape", "odd"]))
    encoded = [[(k, json.dumps(v)) for k, v in pairs] for pairs in objects]
    target = encoded[objects.index(where)]
    odd = draw(st.sampled_from(ODD_VALUES))
    if change == "repeat":
        target.insert(draw(st.integers(0, len(target))), (key, json.dumps(value)))
    elif change == "repeat-other":
        target.insert(draw(st.integers(0, len(target))), (key, odd))
    elif change == "drop":
        del target[i]
    elif change == "add":
        target.append((draw(st.sampled_from(["x", "orders", "ids", ""])), odd))
    elif change == "escape":
        target[i] = ("\\u00" + f"{ord(key[0]):02x}" + key[1:], target[i][1])
    else:
        target[i] = (key, odd)
    space = draw(st.sampled_from(["", " ", "\n  "]))
    listed = [text(pairs, space) for pairs in encoded[1:]]
    members = [*encoded[0], ("orders", "[" + f",{space}".join(listed) + "]")]
    return text(members, space).replace('"\\\\u00', '"\\u00').encode()


@settings(max_examples=500, deadline=None)
@given(fast_path.any_books, st.sampled_from(["", " ", "\n\t"]))
def test_a_well_formed_book_is_decoded_by_msgspec_exactly_as_by_the_strict_decoder(
    book: Book, space: str
) -> None:
    grid, orders = book_pairs(book)
    assert assert_agrees(book_text(grid, orders, space)) is not None


@settings(max_examples=1500, deadline=None)
@given(mutated_books())
def test_any_change_is_decoded_alike_refused_alike_or_left_to_the_strict_decoder(
    data: bytes,
) -> None:
    assert_agrees(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_never_pass_where_the_strict_decoder_refuses(data: bytes) -> None:
    assert_agrees(data)


ONE_ORDER = '{"id":"a","side":"buy","price_kopecks_per_mwh":1,"energy_kwh":1}'
GRID = (
    '"import_limit_kwh":0,"export_limit_kwh":0,'
    '"grid_sell_price_kopecks_per_mwh":0,"grid_buy_price_kopecks_per_mwh":0'
)


def one_order_book(order: str = ONE_ORDER, grid: str = GRID, *, times: int = 1) -> bytes:
    return ("{" + grid + ',"orders":[' + ",".join([order] * times) + "]}").encode()


@pytest.mark.parametrize(
    ("data", "strict_says"),
    [
        (one_order_book(ONE_ORDER[:-1] + ',"energy_kwh":2}'), "duplicate key 'energy_kwh'"),
        (one_order_book(ONE_ORDER[:-1] + ',"id":"a"}'), "duplicate key 'id'"),
        (one_order_book(grid=GRID + ',"import_limit_kwh":0'), "duplicate key 'import_limit_kwh'"),
        (one_order_book(ONE_ORDER[:-1] + ".0}"), "number 1.0 is not an integer"),
        (one_order_book(ONE_ORDER[:-2] + f"{2**63}}}"), "it must be at most 10000000"),
        (one_order_book(ONE_ORDER[:-1] + ',"x":1}'), "unknown field(s) x"),
        (one_order_book(ONE_ORDER.replace(":1", ":true", 1)), "must be an integer"),
        (one_order_book(ONE_ORDER.replace('"a"', '"-a"')), "does not match"),
        (b"[]", "the book must be a JSON object"),
    ],
)
def test_what_msgspec_would_let_through_or_word_differently_is_left_to_the_strict_decoder(
    data: bytes, strict_says: str
) -> None:
    assert compiled(data) is None
    refusal = strict_columns(data)
    assert isinstance(refusal, str) and strict_says in refusal


def test_a_well_formed_book_that_cannot_be_cleared_is_refused_with_the_strict_words() -> None:
    twice = one_order_book(times=2)
    assert compiled(twice) == strict_columns(twice) == "order id a appears more than once"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(st.characters(max_codepoint=0x7F), max_size=130), max_size=5))
def test_ids_are_checked_against_exactly_the_identifier_pattern(ids: list[str]) -> None:
    pattern = re.compile(Identifier.__metadata__[0].regex)
    orders = [
        {"id": order_id, "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 1}
        for order_id in ids
    ]
    data = json.dumps({**dict(book_pairs(Book(0, 0, 0, 0, ()))[0]), "orders": orders}).encode()
    answer = assert_agrees(data)
    if not all(pattern.fullmatch(order_id) for order_id in ids):
        assert answer is None
    elif len(set(ids)) == len(ids):
        assert isinstance(answer, BookColumns)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text("AZaz09._:/-", min_size=1, max_size=20).filter(lambda i: i[0].isalnum()),
        unique=True,
        max_size=40,
    )
)
def test_ascii_ids_of_any_length_sort_as_python_sorts_them(ids: list[str]) -> None:
    book = Book(0, 0, 0, 0, tuple(Order(order_id, "buy", 1, 1) for order_id in ids))
    assert book_columns(book).ids == tuple(sorted(ids))


@settings(max_examples=200, deadline=None)
@given(fast_path.clearable_books, st.booleans())
def test_the_encoded_result_is_the_bytes_print_json_writes(book: Book, certificate: bool) -> None:
    cleared = clear_columns(book_columns(book))
    document = result_json(cleared.result(), certificate=certificate)
    printed = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert encoded_result_json(cleared, certificate=certificate) == printed.encode()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text("AZaz09._:/-", min_size=1, max_size=12).filter(lambda i: i[0].isalnum()),
        max_size=60,
    )
)
def test_ids_packed_into_one_integer_sort_stably_as_python_sorts_them(ids: list[str]) -> None:
    """``_packed_order`` keeps only the bits that vary, then the row: the order of the rows,
    ties by row, and where a sorted id repeats are Python's — or it declines (None) when the
    bits do not fit one word, and the word-by-word sort serves."""
    column = np.array(ids, dtype=np.bytes_)
    packed = _packed_order(column)
    expected = sorted(range(len(ids)), key=lambda row: (ids[row], row))
    if packed is None:
        assert len(ids) == 0 or (len(ids) > 1 and len(set(ids)) > 1)
        return
    order, repeated = packed
    assert order.tolist() == expected
    ranked = [ids[row] for row in expected]
    assert repeated.tolist() == [i for i in range(len(ids) - 1) if ranked[i] == ranked[i + 1]]


def test_ids_too_varied_for_one_word_are_sorted_word_by_word() -> None:
    ids = ["zZ9" * 9, "a" * 27, "a0" * 5, "Z"]
    assert _packed_order(np.array(ids, dtype=np.bytes_)) is None
    book = Book(0, 0, 0, 0, tuple(Order(order_id, "buy", 1, 1) for order_id in ids))
    assert book_columns(book).ids == tuple(sorted(ids))
