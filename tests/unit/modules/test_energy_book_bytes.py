"""The columnar reader of JSON books (``book_bytes``) and the columnar writer of results: a book
laid out as ``json.dumps`` writes it is read from its bytes, with no object per order, into
exactly the strict decoder's columns; any change to one byte of it is read alike, refused
alike or left to the other decoders; a result is written as ``json.dumps`` writes it."""

import json
from pathlib import Path

import numpy as np
import pytest
import tests.unit.modules.test_energy_compiled_book as compiled
import tests.unit.modules.test_energy_fast_path as fast_path
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.entrypoints.cli import energy_book
from krai.entrypoints.cli.energy_book import on_threads
from krai.modules.energy.book import Book, Order, book_columns, compiled_book_columns
from krai.modules.energy.book_bytes import ListedOrders, Part, listed_orders, one_by_one
from krai.modules.energy.clearing import clear_columns
from krai.modules.energy.result import _accepted_json, encoded_result_json, result_json

LAYOUTS = ("", " ")
"""The compact separators and ``json.dumps``'s default ones."""


def orders_of(data: bytes) -> tuple[int, int]:
    """Where the orders lie in a book written by ``book_text`` (its last member)."""
    return data.index(b"["), len(data) - 1


def laid_out(book: Book, space: str) -> bytes:
    grid, orders = compiled.book_pairs(book)
    return compiled.book_text(grid, orders, space)


@settings(max_examples=300, deadline=None)
@given(fast_path.any_books, st.sampled_from(LAYOUTS))
def test_a_book_laid_out_as_json_dumps_writes_it_is_read_from_its_bytes(
    book: Book, space: str
) -> None:
    data = laid_out(book, space)
    listed = listed_orders(data, *orders_of(data))
    assert listed is not None
    assert listed.ids.astype(np.str_).tolist() == [order.id for order in book.orders]
    assert listed.buy.tolist() == [order.side == "buy" for order in book.orders]
    assert listed.price.tolist() == [order.price_kopecks_per_mwh for order in book.orders]
    assert listed.energy.tolist() == [order.energy_kwh for order in book.orders]
    assert compiled.assert_agrees(data) is not None


BYTES = b'0123456789-+.eE"\\:,{}[] \t\nabuyseltx_/\x00\x7f\x80'


@st.composite
def one_byte_changed(draw: st.DrawFn) -> bytes:
    """A book the reader takes, with one byte of its orders replaced, removed or added."""
    data = laid_out(draw(fast_path.any_books), draw(st.sampled_from(LAYOUTS)))
    start, end = orders_of(data)
    at = draw(st.integers(start, end - 1))
    byte = bytes([draw(st.sampled_from(BYTES))])
    change = draw(st.sampled_from(["replace", "remove", "add"]))
    if change == "replace":
        return data[:at] + byte + data[at + 1 :]
    if change == "remove":
        return data[:at] + data[at + 1 :]
    return data[:at] + byte + data[at:]


@settings(max_examples=800, deadline=None)
@given(one_byte_changed())
def test_a_changed_byte_is_read_alike_refused_alike_or_left_to_the_other_decoders(
    data: bytes,
) -> None:
    compiled.assert_agrees(data)


def test_numbers_the_strict_decoder_refuses_or_reads_otherwise_are_left_to_it() -> None:
    order = '{"id":"a","side":"buy","price_kopecks_per_mwh":%s,"energy_kwh":1}'
    for price in ("01", "-0", "-01", "1.0", "1e3", "-", "--1", "1-", "0x1", "1234567890"):
        data = compiled.one_order_book(order % price)
        assert listed_orders(data, *orders_of(data)) is None, price
        compiled.assert_agrees(data)
    data = compiled.one_order_book(order % "-100000000")
    listed = listed_orders(data, *orders_of(data))
    assert listed is not None
    assert listed.price.tolist() == [-100_000_000]


def test_a_member_out_of_order_or_spaced_otherwise_is_left_to_msgspec() -> None:
    swapped = '{"side":"buy","id":"a","price_kopecks_per_mwh":1,"energy_kwh":1}'
    spaced = '{"id" : "a","side":"buy","price_kopecks_per_mwh":1,"energy_kwh":1}'
    for order in (swapped, spaced):
        data = compiled.one_order_book(order)
        assert listed_orders(data, *orders_of(data)) is None
        assert isinstance(compiled.assert_agrees(data), compiled.BookColumns)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(st.characters(max_codepoint=0x7F), min_size=1, max_size=12), max_size=8),
    st.booleans(),
)
def test_ids_needing_an_escape_are_written_as_json_dumps_writes_them(
    ids: list[str], certificate: bool
) -> None:
    unique = [i for n, i in enumerate(ids) if i not in ids[:n] and "\x00" not in i]
    book = Book(0, 0, 0, 0, tuple(Order(order_id, "buy", 1, 1) for order_id in unique))
    cleared = clear_columns(book_columns(book))
    document = result_json(cleared.result(), certificate=certificate)
    printed = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert encoded_result_json(cleared, certificate=certificate) == printed.encode()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text("AZaz09._:/-", min_size=1, max_size=30),
            st.one_of(st.integers(0, 10**4), st.integers(0, 2**53 - 1)),
        ),
        max_size=40,
    )
)
def test_accepted_members_are_written_at_exact_widths_as_json_dumps_writes_them(
    rows: list[tuple[str, int]],
) -> None:
    """Ids of many lengths (more groups than one pass each) and kWh of any digits: the rows
    written each at its place, in one run or several, on threads or not, are
    ``json.dumps``'s, with what surrounds them."""
    column = np.array([order_id for order_id, _ in rows], dtype=np.bytes_)
    accepted = np.array([kwh for _, kwh in rows], dtype=np.int64)
    members = [{"id": order_id, "energy_kwh": kwh} for order_id, kwh in rows]
    printed = json.dumps(members, separators=(",", ":")).encode() + b"\n"
    assert _accepted_json(column, accepted, (b"[", b"]\n")) == printed
    for parts in (2, 3, 5):
        for run in (on_threads, one_by_one):
            written = _accepted_json(column, accepted, (b"[", b"]\n"), parts=parts, run=run)
            assert written == printed


def test_an_id_holding_a_raw_control_character_or_nul_is_left_to_the_strict_decoder() -> None:
    for raw in (b"\x00", b"\x01", b"\x1f", b"\x7f", b"\x80"):
        for order_id in (b"a" + raw + b"b", b"ab" + raw, b"abcdefgh" + raw):
            rest = b'","side":"buy","price_kopecks_per_mwh":1,"energy_kwh":1}'
            order = b'{"id":"' + order_id + rest
            data = compiled.one_order_book(order.decode("latin-1")).replace(b"\xc2\x80", b"\x80")
            assert listed_orders(data, *orders_of(data)) is None, order_id
            assert compiled.assert_agrees(data) is None


def same_listing(one: ListedOrders | None, other: ListedOrders | None) -> bool:
    if one is None or other is None:
        return one is other
    return all(
        np.array_equal(mine, theirs) and mine.dtype == theirs.dtype
        for mine, theirs in zip(one, other, strict=True)
    )


@settings(max_examples=400, deadline=None)
@given(one_byte_changed() | fast_path.any_books.map(lambda book: laid_out(book, " ")))
def test_a_book_read_in_runs_on_threads_is_read_as_in_one_pass(data: bytes) -> None:
    """Cut into runs of orders where one ends and the next begins, read on threads (as the
    command line does) or in turn, a book gives the one pass's columns, or None alike."""
    start, end = data.find(b"["), len(data) - 1
    whole = listed_orders(data, start, end)
    for parts in (2, 3, 5):
        assert same_listing(listed_orders(data, start, end, parts=parts, run=on_threads), whole)
        assert same_listing(listed_orders(data, start, end, parts=parts), whole)


def large_book_text(orders: int = 12_000, price: int = 300_000) -> bytes:
    """A book past the size the command line maps rather than copies (1 MB)."""
    rows = [
        [
            ("id", f"o{row:08d}"),
            ("side", "buy" if row % 2 else "sell"),
            ("price_kopecks_per_mwh", price + row % 997),
            ("energy_kwh", 1 + row % 2000),
        ]
        for row in range(orders)
    ]
    grid = [
        ("import_limit_kwh", 5000),
        ("export_limit_kwh", 5000),
        ("grid_sell_price_kopecks_per_mwh", 550_000),
        ("grid_buy_price_kopecks_per_mwh", 250_000),
    ]
    return compiled.book_text(grid, rows, " ")


def test_a_large_book_file_is_read_where_it_is_mapped_into_the_columns_of_its_bytes(
    tmp_path: Path,
) -> None:
    data = large_book_text()
    path = tmp_path / "book.json"
    path.write_bytes(data)
    with path.open("rb") as file:
        assert energy_book._mapped(file) is not None
    expected = compiled_book_columns(data)
    assert expected is not None
    assert compiled.same_columns(energy_book.read_book(path), expected)


def test_a_book_file_written_to_while_it_is_read_is_read_again_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mapped pages may show a write to different passes differently: what was read is
    dropped and the book read again, as it is now, into memory."""
    path = tmp_path / "book.json"
    path.write_bytes(large_book_text())
    changed = large_book_text(price=400_000)
    runs: list[int] = []

    def writing_first(parts: list[Part]) -> list[ListedOrders | None]:
        if not runs:
            with path.open("r+b") as file:
                file.write(changed)
        runs.append(len(parts))
        return on_threads(parts)

    monkeypatch.setattr(energy_book, "on_threads", writing_first)
    columns = energy_book.read_book(path)
    expected = compiled_book_columns(changed)
    assert expected is not None
    assert runs == [2, 4, 2, 4]  # read in two runs and put in id order (four columns), twice
    assert compiled.same_columns(columns, expected)
