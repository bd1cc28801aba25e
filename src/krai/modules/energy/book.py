"""The order book of one delivery period: residents' orders and the grid connection.

An order is one step of a participant's curve: ``side`` buy or sell, a limit price in
kopecks per MWh and a positive energy in kWh. The grid is a priced supply of at most
``import_limit_kwh`` at ``grid_sell_price_kopecks_per_mwh`` (the grid sells to the park) and
a priced demand of at most ``export_limit_kwh`` at ``grid_buy_price_kopecks_per_mwh`` (the
grid buys from the park). Internally the grid is two *legs* that take part in the auction
like orders (see ``clearing``).

:class:`Book` is the typed form; :class:`BookColumns` the same book as numpy columns, orders
sorted by id, which is what the clearing and the certificate read. ``book_columns``,
``decode_book_columns`` and ``compiled_book_columns`` (straight from the JSON bytes, ADR 0030)
validate while they build it.

Bounds keep every figure of a clearing exact in JSON (at most 2^53 - 1): each price lies in
±``PRICE_LIMIT_KOPECKS_PER_MWH``, each order in 1..``ORDER_LIMIT_KWH``, and the book's
*gross value* Σ |price| × energy over orders and grid legs, in millikopecks, and its total
energy must not exceed ``MAX_SAFE_INTEGER``.
"""

import dataclasses
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import pairwise
from typing import Annotated, Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.energy.book_bytes import (
    BookText,
    Runner,
    id_strings,
    listed_orders,
    one_by_one,
)
from krai.state.messages import Identifier, Max, Min, decode_message
from krai.tx.errors import RejectedError, invalid_body
from krai.tx.strict_json import parse_strict_json

PRICE_LIMIT_KOPECKS_PER_MWH = 100_000_000
"""1 000 000 RUB/MWh: several hundred times any wholesale price cap."""
ORDER_LIMIT_KWH = 10_000_000
"""10 GWh in one order and period: two hundred times a 200 MW park's 15-minute output."""

Side = Literal["buy", "sell"]
PriceKopecksPerMwh = Annotated[
    int, Min(-PRICE_LIMIT_KOPECKS_PER_MWH), Max(PRICE_LIMIT_KOPECKS_PER_MWH)
]
OrderKwh = Annotated[int, Min(1), Max(ORDER_LIMIT_KWH)]
LimitKwh = Annotated[int, Min(0), Max(MAX_SAFE_INTEGER)]


class InvalidBookError(ValueError):
    """The book cannot be cleared: duplicate ids, values out of range, crossed grid prices."""


@dataclass(frozen=True)
class Order:
    """One step of a participant's curve."""

    id: Identifier
    side: Side
    price_kopecks_per_mwh: PriceKopecksPerMwh
    energy_kwh: OrderKwh


@dataclass(frozen=True)
class Book:
    """Everything one delivery period is cleared from; the order of ``orders`` is irrelevant."""

    import_limit_kwh: LimitKwh
    export_limit_kwh: LimitKwh
    grid_sell_price_kopecks_per_mwh: PriceKopecksPerMwh
    grid_buy_price_kopecks_per_mwh: PriceKopecksPerMwh
    orders: tuple[Order, ...]


Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class BookColumns:
    """A valid book as columns: row i is the order with the i-th smallest id (code points).

    ``id_column`` holds the sorted ids: NUL-padded bytes (``S{longest}``) when they are ASCII,
    else ``str`` (``U``), or Python strings (``object``) when one holds a NUL; ``ids`` gives
    them as a tuple of ``str``. ``listed_at`` is each row's position in the book as it was
    listed; it serves only to name problems in the book's own order. Build one with
    ``book_columns`` or ``decode_book_columns``, which validate; the arrays are not to be
    changed.
    """

    import_limit_kwh: int
    export_limit_kwh: int
    grid_sell_price_kopecks_per_mwh: int
    grid_buy_price_kopecks_per_mwh: int
    id_column: npt.NDArray[Any]
    buy: BoolArray
    price_kopecks_per_mwh: Int64Array
    energy_kwh: Int64Array
    listed_at: Int64Array

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """The sorted ids as ``str`` (one Python object per order: not on a hot path)."""
        return id_strings(self.id_column)


@dataclass(frozen=True, eq=False)
class _Listed:
    """The orders as listed, one column each, before validation (values may be out of range,
    so the integer columns may hold Python ints in an object array)."""

    ids: list[str] | npt.NDArray[np.bytes_]
    sides: list[str]
    buy: BoolArray
    sell: BoolArray
    price: npt.NDArray[Any]
    energy: npt.NDArray[Any]


def decode_book(document: Mapping[str, Any]) -> Book:
    """Decode a book from parsed JSON, or raise ``RejectedError`` (invalid_body) saying why."""
    try:
        book = decode_message(Book, document)
    except RejectedError as error:  # the decoder names paths from "body"; this is a book
        raise invalid_body(f"book{error.message.removeprefix('body')}") from None
    problems = book_problems(book)
    if problems:
        raise invalid_body("; ".join(problems))
    return book


def book_problems(book: Book) -> list[str]:
    """Why ``book`` cannot be cleared (empty when it can)."""
    checked = check_book(book)
    return checked if isinstance(checked, list) else []


def check_book(book: Book) -> "BookColumns | list[str]":
    """``book`` as columns, or every reason it cannot be cleared, in the book's order."""
    return _checked(_grid(book), _listed_of(book))


def book_columns(book: Book) -> BookColumns:
    """``book`` as columns; raise ``InvalidBookError`` saying why it cannot be cleared."""
    checked = check_book(book)
    if isinstance(checked, list):
        raise InvalidBookError("; ".join(checked))
    return checked


def decode_book_columns(document: Mapping[str, Any]) -> BookColumns:
    """Decode a book from parsed JSON straight into columns, or raise ``RejectedError`` as
    ``decode_book`` does. Well-formed orders are read column by column; anything else is
    left to ``decode_book``, whose error names the first offending member."""
    listed = _listed_of_json(document)
    try:
        grid = None if listed is None else decode_message(Book, {**document, "orders": []})
    except RejectedError:
        grid = None
    if listed is None or grid is None:
        return book_columns(decode_book(document))
    checked = _checked(grid, listed)
    if isinstance(checked, list):
        raise invalid_body("; ".join(checked))
    return checked


def compiled_book_columns(
    data: BookText, *, parts: int = 1, run: Runner = one_by_one
) -> BookColumns | None:
    """The columns of a JSON book decoded by msgspec, when it accepts the bytes; else None.
    A book laid out as ``book_bytes`` takes it is read in up to ``parts`` runs by ``run``.

    Accepts only books that ``decode_book(parse_strict_json(data))`` accepts too, with the same
    columns, and refuses (``invalid_body``) only what it refuses with the same message: the
    problems of a well-formed book. None leaves everything else — not JSON, floats, integers
    out of range, wrong types, unknown, missing or duplicate members, ids not matching their
    pattern — to that strict path, whose message names the first offending member (ADR 0030).
    """
    columnar = _columnar_book(data, parts, run)
    if columnar is None:
        from krai.modules.energy.book_msgspec import msgspec_book  # noqa: PLC0415 - any layout

        columnar = msgspec_book(data if isinstance(data, bytes) else data[:])
    return (
        None if columnar is None else _raised(_checked(*columnar, run if parts > 1 else one_by_one))
    )


def _raised(checked: "BookColumns | list[str]") -> BookColumns:
    if isinstance(checked, list):
        raise invalid_body("; ".join(checked))
    return checked


def _columnar_book(data: BookText, parts: int, run: Runner) -> tuple[Book, _Listed] | None:
    """The grid and the orders read from the bytes into columns, when the orders are the
    book's last member and laid out as ``book_bytes`` takes them, and every member is named
    once and within its bounds; else None, for msgspec's decoder (ADR 0030, 0047).

    The strict decoder reads the book with its orders cut out (``"orders":[]``, a few hundred
    bytes); ``book_bytes`` checks every byte of the orders, so the book is that JSON with that
    array in place."""
    name = data.find(b'"orders":')
    start = name + len(b'"orders":') + (data[name + 9 : name + 10] == b" ")
    end = data.rfind(b"]") + 1
    if name < 0 or end <= start or data[end:].strip() != b"}":
        return None
    grid = _strict_grid(data[:start] + b"[]" + data[end:])
    orders = None if grid is None else listed_orders(data, start, end, parts=parts, run=run)
    if grid is None or orders is None:
        return None
    limit = PRICE_LIMIT_KOPECKS_PER_MWH
    in_bounds = np.all((orders.price >= -limit) & (orders.price <= limit)) and np.all(
        (orders.energy >= 1) & (orders.energy <= ORDER_LIMIT_KWH)
    )
    if not in_bounds:
        return None
    buy = orders.buy
    return grid, _Listed(orders.ids, [], buy, ~buy, orders.price, orders.energy)


def _strict_grid(rest: bytes) -> Book | None:
    """The book with its orders cut out (``"orders":[]``) as the strict decoder reads it, or
    None if it refuses (the whole book's refusal then names the place in the whole text)."""
    try:
        document = parse_strict_json(rest)
        return decode_message(Book, document) if isinstance(document, dict) else None
    except RejectedError:
        return None


_ORDER_FIELDS = frozenset(("id", "side", "price_kopecks_per_mwh", "energy_kwh"))
_ID_CHARACTERS = (string.ascii_letters + string.digits + "._:/-\n").encode()
_NOT_FIRST = ("\n\n", "\n.", "\n_", "\n:", "\n/", "\n-")
_ID_LENGTH = 128
_BOUNDS = (
    ("price_kopecks_per_mwh", -PRICE_LIMIT_KOPECKS_PER_MWH, PRICE_LIMIT_KOPECKS_PER_MWH),
    ("energy_kwh", 1, ORDER_LIMIT_KWH),
)


def _listed_of_json(document: Mapping[str, Any]) -> _Listed | None:
    """The orders of a parsed book when each is exactly what ``decode_book`` accepts, else None.

    Accepts only a subset of what ``decode_book`` accepts (plain ``int`` and ``str`` values,
    ids matching the pattern, values within the field bounds), so both agree on every book.
    """
    orders = document.get("orders") if isinstance(document, Mapping) else None
    if not isinstance(orders, list):
        return None
    if not all(type(order) is dict and order.keys() == _ORDER_FIELDS for order in orders):
        return None
    ids = [order["id"] for order in orders]
    sides = [order["side"] for order in orders]
    if not _all_of_type(ids, str) or not _all_of_type(sides, str) or not _ids_match(ids):
        return None
    columns = [[order[name] for order in orders] for name, _, _ in _BOUNDS]
    if not all(_all_of_type(column, int) for column in columns):
        return None
    listed = _listed(ids, sides, columns[0], columns[1])
    in_bounds = [
        bool(np.all((values >= low) & (values <= high)))
        for values, (_, low, high) in zip((listed.price, listed.energy), _BOUNDS, strict=True)
    ]
    return listed if all(in_bounds) and bool(np.all(listed.buy | listed.sell)) else None


def _all_of_type(values: list[Any], kind: type) -> bool:
    return set(map(type, values)) <= {kind}


def _ids_match(ids: list[str]) -> bool:
    """Whether every id matches ``Identifier``'s pattern: 1 to 128 characters of
    [A-Za-z0-9._:/-], the first a letter or a digit; checked over all the ids at once."""
    joined = "\n".join(ids)
    return not ids or (
        joined.isascii()
        and joined.count("\n") == len(ids) - 1
        and not joined.encode().translate(None, _ID_CHARACTERS)
        and not any(start in f"\n{joined}" for start in _NOT_FIRST)
        and max(map(len, ids)) <= _ID_LENGTH
    )


def _grid(book: Book) -> Book:
    return dataclasses.replace(book, orders=())


def _listed_of(book: Book) -> _Listed:
    orders = book.orders
    return _listed(
        [order.id for order in orders],
        [order.side for order in orders],
        [order.price_kopecks_per_mwh for order in orders],
        [order.energy_kwh for order in orders],
    )


def _listed(ids: list[str], sides: list[str], prices: list[int], energies: list[int]) -> _Listed:
    buy = np.fromiter(map("buy".__eq__, sides), dtype=np.bool_, count=len(sides))
    sell = np.fromiter(map("sell".__eq__, sides), dtype=np.bool_, count=len(sides))
    return _Listed(ids, sides, buy, sell, _integers(prices), _integers(energies))


def _integers(values: list[int]) -> npt.NDArray[Any]:
    """An int64 column, or an object column of Python ints when a value does not fit."""
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        return np.array(values, dtype=object)


def _checked(grid: Book, listed: _Listed, run: Runner = one_by_one) -> BookColumns | list[str]:
    """The book as columns, or every reason it cannot be cleared (in the book's order); the
    columns are put in id order as four parts done by ``run``."""
    problems = _range_problems(grid, listed)
    order, ids, duplicates = _sorted_ids(listed.ids)
    problems += [f"order id {order_id} appears more than once" for order_id in duplicates]
    both_legs = grid.import_limit_kwh > 0 and grid.export_limit_kwh > 0
    if both_legs and grid.grid_buy_price_kopecks_per_mwh >= grid.grid_sell_price_kopecks_per_mwh:
        problems.append(
            f"grid_buy_price_kopecks_per_mwh {grid.grid_buy_price_kopecks_per_mwh} must be "
            f"below grid_sell_price_kopecks_per_mwh {grid.grid_sell_price_kopecks_per_mwh} "
            "when both limits are positive: the connection carries one flow, never an "
            "import and an export at once"
        )
    if problems:
        return problems
    price = listed.price.astype(np.int64, copy=False)
    energy = listed.energy.astype(np.int64, copy=False)
    problems = _size_problems(grid, price, energy)
    if problems:
        return problems
    columns = [ids, listed.buy, price, energy]
    id_column, buy, price, energy = run([partial(np.take, column, order) for column in columns])
    return BookColumns(
        grid.import_limit_kwh,
        grid.export_limit_kwh,
        grid.grid_sell_price_kopecks_per_mwh,
        grid.grid_buy_price_kopecks_per_mwh,
        id_column,
        buy,
        price,
        energy,
        order,
    )


def _range_problems(grid: Book, listed: _Listed) -> list[str]:
    problems = [
        f"{name} is {value}, it must lie in 0..{MAX_SAFE_INTEGER}"
        for name, value in (
            ("import_limit_kwh", grid.import_limit_kwh),
            ("export_limit_kwh", grid.export_limit_kwh),
        )
        if not 0 <= value <= MAX_SAFE_INTEGER
    ]
    limit = PRICE_LIMIT_KOPECKS_PER_MWH
    problems += [
        f"{name} {price} is outside ±{limit}"
        for name, price in (
            ("grid_sell_price_kopecks_per_mwh", grid.grid_sell_price_kopecks_per_mwh),
            ("grid_buy_price_kopecks_per_mwh", grid.grid_buy_price_kopecks_per_mwh),
        )
        if abs(price) > limit
    ]
    ids, price, energy = listed.ids, listed.price, listed.energy
    problems += [
        f"order {ids[i]} price {price[i]} is outside ±{limit}"
        for i in _where((price < -limit) | (price > limit))
    ]
    problems += [
        f"order {ids[i]} energy_kwh is {energy[i]}, it must lie in 1..{ORDER_LIMIT_KWH}"
        for i in _where((energy < 1) | (energy > ORDER_LIMIT_KWH))
    ]
    problems += [
        f"order {ids[i]} side {listed.sides[i]!r} is not buy or sell"
        for i in _where(~(listed.buy | listed.sell))
    ]
    return problems


def _where(mask: npt.NDArray[Any]) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def _sorted_ids(
    ids: list[str] | npt.NDArray[np.bytes_],
) -> tuple[Int64Array, npt.NDArray[Any], list[str]]:
    """The permutation that sorts ``ids`` by code points, the ids as a column whose rows
    taken in that order are the ``id_column``, the duplicated ones.

    A byte array (``book_bytes``) holds ASCII ids without NUL. numpy's fixed-width strings
    compare by code points like ``str`` but drop trailing NULs, so ids holding a NUL (possible
    only in a book built by hand) are sorted by Python.
    """
    if isinstance(ids, np.ndarray):
        column = ids
    else:
        joined = "".join(ids)
        if "\x00" in joined:
            order = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
            by_python = [ids[i] for i in order]
            duplicates = sorted({a for a, b in pairwise(by_python) if a == b})
            as_objects = np.empty(len(ids), dtype=object)
            as_objects[:] = ids
            return order, as_objects, duplicates
        if not joined.isascii():
            column = np.array(ids, dtype=np.str_)
            order = np.argsort(column, kind="stable")
            ranked = column[order]
            repeated = np.flatnonzero(ranked[1:] == ranked[:-1])
            return order.astype(np.int64), column, sorted(set(ranked[repeated].tolist()))
        column = np.array(ids, dtype=np.bytes_)
    packed = _packed_order(column)
    if packed is None:
        order, ranked_words = _word_order(column)
        repeated = np.flatnonzero(np.all(ranked_words[1:] == ranked_words[:-1], axis=1))
    else:
        order, repeated = packed
    order = order.astype(np.int64, copy=False)
    return order, column, sorted(set(id_strings(np.take(column, order[repeated]))))


def _packed_order(column: npt.NDArray[np.bytes_]) -> tuple[Int64Array, Int64Array] | None:
    """The stable order of ASCII ids without NUL, and where a sorted id equals the next one,
    from one sort of one integer an id: the bits that vary from one id to another, character
    by character (from a character's highest varying bit to its lowest), then its row; None
    when they do not fit in 64 bits. A bit that never varies is equal in every two ids, so
    dropping it keeps their order (ADR 0047)."""
    rows, width = len(column), column.itemsize
    if rows == 0:
        return None
    places = np.ascontiguousarray(column).view(np.uint8).reshape(rows, width).T.copy()
    ored, anded = np.bitwise_or.reduce(places, axis=1), np.bitwise_and.reduce(places, axis=1)
    varying = (ored ^ anded).tolist()
    spans = [(place, bits.bit_length()) for place, bits in enumerate(varying) if bits]
    low_bits = [(bits & -bits).bit_length() - 1 for bits in varying if bits]
    row_bits = max(rows - 1, 1).bit_length()
    if sum(high - low for (_, high), low in zip(spans, low_bits, strict=True)) + row_bits > 64:
        return None
    key = np.zeros(rows, dtype=np.uint64)
    for (place, high), low in zip(spans, low_bits, strict=True):
        key <<= np.uint64(high - low)
        key |= ((places[place] >> np.uint8(low)) & np.uint8((1 << (high - low)) - 1)).astype(
            np.uint64
        )
    key <<= np.uint64(row_bits)
    key |= np.arange(rows, dtype=np.uint64)
    key.sort()
    order = (key & np.uint64((1 << row_bits) - 1)).astype(np.int64)
    key >>= np.uint64(row_bits)
    return order, np.flatnonzero(key[1:] == key[:-1])


_CHARACTERS_PER_WORD = 9
"""Nine 7-bit ASCII codes fill 63 bits of a 64-bit word."""


def _word_order(column: npt.NDArray[np.bytes_]) -> tuple[Int64Array, npt.NDArray[np.uint64]]:
    """The stable order of ASCII ids without NUL, and the sorted rows of 64-bit words that
    hold nine 7-bit codes of an id each (NUL-padded) and compare as the ids do by code
    points: sorting integers is faster than sorting strings, and most ids fit one word."""
    width = column.itemsize
    chars = np.ascontiguousarray(column).view(np.uint8).reshape(len(column), width)
    words = np.zeros((len(column), -(-width // _CHARACTERS_PER_WORD)), dtype=np.uint64)
    for place in range(words.shape[1] * _CHARACTERS_PER_WORD):
        word = words[:, place // _CHARACTERS_PER_WORD]
        word <<= np.uint64(7)
        if place < width:
            word |= chars[:, place]
    if words.shape[1] == 1:
        order = np.argsort(words[:, 0], kind="stable")
    else:
        order = np.lexsort(words.T[::-1])
    return order, words[order]


_CHUNK = 8192
"""Rows summed in int64 at once: 8192 × 10^15 (the largest |price| × energy) < 2^63."""


def _size_problems(grid: Book, price: Int64Array, energy: Int64Array) -> list[str]:
    legs = [
        (grid.grid_sell_price_kopecks_per_mwh, grid.import_limit_kwh),
        (grid.grid_buy_price_kopecks_per_mwh, grid.export_limit_kwh),
    ]
    energy_kwh = sum(kwh for _, kwh in legs) + int(energy.sum())
    values = np.abs(price) * energy
    chunks = np.add.reduceat(values, np.arange(0, len(values), _CHUNK)) if len(values) else values
    value_millikopecks = sum(abs(p) * kwh for p, kwh in legs) + sum(map(int, chunks.tolist()))
    if max(energy_kwh, value_millikopecks) > MAX_SAFE_INTEGER:
        return [
            f"the book is too large to clear exactly: total energy {energy_kwh} kWh, gross "
            f"value {value_millikopecks} millikopecks; each must be at most {MAX_SAFE_INTEGER}"
        ]
    return []


class StepColumns(NamedTuple):
    """The steps as the auction sees them: the orders (rows by id), then the import leg (a
    sell) and the export leg (a buy) when their limit is positive. A step's row is its rank in
    key order, which breaks pro-rata ties: orders by id, then the legs."""

    buy: BoolArray
    price: Int64Array
    energy: Int64Array
    import_row: int | None
    export_row: int | None


def step_columns(columns: BookColumns) -> StepColumns:
    """The steps of a book: its orders and its grid legs."""
    legs = [
        (name, buy, price, limit)
        for name, buy, price, limit in (
            ("import", False, columns.grid_sell_price_kopecks_per_mwh, columns.import_limit_kwh),
            ("export", True, columns.grid_buy_price_kopecks_per_mwh, columns.export_limit_kwh),
        )
        if limit > 0
    ]
    rows = {name: len(columns.buy) + i for i, (name, _, _, _) in enumerate(legs)}
    return StepColumns(
        np.concatenate([columns.buy, np.array([leg[1] for leg in legs], dtype=np.bool_)]),
        np.concatenate(
            [columns.price_kopecks_per_mwh, np.array([leg[2] for leg in legs], np.int64)]
        ),
        np.concatenate([columns.energy_kwh, np.array([leg[3] for leg in legs], dtype=np.int64)]),
        rows.get("import"),
        rows.get("export"),
    )
