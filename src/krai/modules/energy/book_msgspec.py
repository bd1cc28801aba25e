"""A JSON book in any layout decoded by msgspec into columns (ADR 0030): the compiled path for
a book ``book_bytes`` does not take (members in another order, other spacing, escapes).
Imported only then, so that a book in the usual layout is cleared without loading msgspec."""

from operator import attrgetter
from typing import Annotated

import msgspec
import numpy as np

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.energy.book import (
    ORDER_LIMIT_KWH,
    PRICE_LIMIT_KOPECKS_PER_MWH,
    Book,
    Side,
    _ids_match,
    _Listed,
)

_JsonPrice = Annotated[
    int, msgspec.Meta(ge=-PRICE_LIMIT_KOPECKS_PER_MWH, le=PRICE_LIMIT_KOPECKS_PER_MWH)
]
_JsonLimit = Annotated[int, msgspec.Meta(ge=0, le=MAX_SAFE_INTEGER)]


class _JsonOrder(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An order as ``decode_book`` accepts it, but for the id's pattern (checked after)."""

    id: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    side: Side
    price_kopecks_per_mwh: _JsonPrice
    energy_kwh: Annotated[int, msgspec.Meta(ge=1, le=ORDER_LIMIT_KWH)]


class _JsonBook(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A book as ``decode_book`` accepts it: the same members, types and bounds."""

    import_limit_kwh: _JsonLimit
    export_limit_kwh: _JsonLimit
    grid_sell_price_kopecks_per_mwh: _JsonPrice
    grid_buy_price_kopecks_per_mwh: _JsonPrice
    orders: list[_JsonOrder]


_BOOK_DECODER = msgspec.json.Decoder(_JsonBook)

_ID, _SIDE, _PRICE, _ENERGY = map(attrgetter, ("id", "side", "price_kopecks_per_mwh", "energy_kwh"))


def msgspec_book(data: bytes) -> tuple[Book, _Listed] | None:
    """The grid and the orders of a book msgspec decodes, when every member is named once and
    every id matches its pattern; else None, for the strict decoder."""
    try:
        decoded = _BOOK_DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return None
    orders = decoded.orders
    if data.count(b",") != _member_commas(len(orders)):  # a member given twice
        return None
    ids = list(map(_ID, orders))
    if not _ids_match(ids):
        return None
    sides = list(map(_SIDE, orders))
    buy = np.fromiter(map("buy".__eq__, sides), dtype=np.bool_, count=len(sides))
    listed = _Listed(
        ids,
        sides,
        buy,
        ~buy,  # msgspec has checked every side is buy or sell
        np.fromiter(map(_PRICE, orders), dtype=np.int64, count=len(orders)),
        np.fromiter(map(_ENERGY, orders), dtype=np.int64, count=len(orders)),
    )
    grid = Book(
        decoded.import_limit_kwh,
        decoded.export_limit_kwh,
        decoded.grid_sell_price_kopecks_per_mwh,
        decoded.grid_buy_price_kopecks_per_mwh,
        (),
    )
    return grid, listed


def _member_commas(orders: int) -> int:
    """The commas of a decoded book whose objects name each member once: msgspec keeps the
    last of repeated members, so a repeat shows only as more separators. No string of a
    decoded book holds a comma (ids are checked against their pattern, sides are buy or
    sell, member names are known), so every comma in the bytes is a separator."""
    book_members, order_members = 5, 4
    return book_members - 1 + max(orders - 1, 0) + orders * (order_members - 1)
