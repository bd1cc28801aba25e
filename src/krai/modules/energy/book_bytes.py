"""The orders of a JSON book read straight from its bytes into numpy columns (ADR 0030).

No Python object is made per order: the quotes' positions give every string, and each byte
between two strings is checked against the one layout this reader takes — the members in
the documented order (``id``, ``side``, ``price_kopecks_per_mwh``, ``energy_kwh``), written
compactly or with ``json.dumps``'s default separators (``", "``, ``": "``), integers without
a leading zero or ``-0``, no escape and no byte beyond ASCII. That is how a book written by
a program usually looks; any other book gets None and is read by the msgspec decoder, which
takes any layout. Ids become one fixed-width byte array (``S{longest}``, NUL-padded, which no
id may hold). Every byte of the orders is checked (separators, names, ids, sides and
digits), so a book is read exactly as the strict decoder reads it, or not at all.

Bytes are read eight at a time: ``_Text.at`` gathers the little-endian 64-bit word starting
at each position (an unaligned view of the bytes), one gather where a byte at a time takes
eight.
"""

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]

QUOTES_PER_ORDER = 12
"""Six strings an order: four member names, the id and the side."""
_DIGITS_AT_MOST = 9
"""A bound (10^8 kopecks/MWh, 10^7 kWh) has at most nine digits; longer is out of bounds."""
_ID_LENGTH = 128
_ID_FIRST = np.zeros(256, dtype=np.bool_)
_ID_FIRST[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")] = True
_ID_BYTE = _ID_FIRST.copy()
_ID_BYTE[list(b"._:/-")] = True
_ID_BYTE[0] = True  # the padding of a shorter id (a NUL in the text is not JSON)
_EIGHT = 8


class ListedOrders(NamedTuple):
    """The orders as listed: ids as NUL-padded fixed-width bytes, sides, prices, energies."""

    ids: npt.NDArray[np.bytes_]
    buy: BoolArray
    price: Int64Array
    energy: Int64Array


class _Text:
    """The orders' bytes, read as bytes or as the 64-bit words starting at any position."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.bytes = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
        self.words: Words = np.ndarray(
            shape=(end - start - _EIGHT + 1,), dtype="<u8", buffer=data, offset=start, strides=(1,)
        )

    def at(self, positions: Int64Array) -> Words:
        """The eight bytes from each of the ascending positions as a little-endian word, zero
        past the end."""
        if len(positions) == 0 or positions[-1] < len(self.words):  # ascending positions
            return self.words[positions]
        within = np.minimum(positions, len(self.words) - 1)
        past = positions - within
        words = self.words[within] >> (np.minimum(past, _EIGHT - 1) * _EIGHT).astype(np.uint64)
        words[past >= _EIGHT] = 0
        return words

    def holds(self, positions: Int64Array, expected: bytes) -> bool:
        """Whether ``expected`` lies at every position."""
        for start in range(0, len(expected), _EIGHT):
            part = expected[start : start + _EIGHT]
            mask = np.uint64((1 << (_EIGHT * len(part))) - 1)
            words = self.at(positions + start)
            if not bool(np.all(words & mask == int.from_bytes(part, "little"))):
                return False
        return True

    def chars(self, starts: Int64Array, lengths: Int64Array, width: int) -> npt.NDArray[np.uint8]:
        """Each string's first ``width`` bytes, one row each, zero past its length."""
        words = [self.at(starts + start) for start in range(0, width, _EIGHT)]
        chars = np.stack(words, axis=1).view(np.uint8)[:, :width].copy()
        chars[np.arange(width) >= lengths[:, None]] = 0
        return chars


def listed_orders(data: bytes, start: int, end: int) -> ListedOrders | None:
    """The columns of the JSON array ``data[start:end]`` when each of its bytes is where this
    module's layout puts it (which makes it JSON: no byte outside the layout's pieces, ids,
    sides and digits; a backslash or a byte beyond ASCII fails the id's pattern); else None.
    Values are not checked against their bounds."""
    if end - start == 2 and data[start:end] == b"[]":
        empty = np.zeros(0, dtype=np.int64)
        return ListedOrders(np.zeros(0, dtype="S1"), np.zeros(0, dtype=np.bool_), empty, empty)
    if end - start < _EIGHT or data[start : start + 3] != b'[{"':
        return None
    text = _Text(data, start, end)
    quotes = np.flatnonzero(text.bytes == ord('"'))
    if len(quotes) % QUOTES_PER_ORDER:
        return None
    rows = quotes.reshape(-1, QUOTES_PER_ORDER)
    gap = bytes(text.bytes[rows[0, 1] + 1 : rows[0, 2]])
    layout = _Layout(b" " if gap == b": " else b"")
    return _columns(text, rows, layout) if _laid_out(text, rows, layout) else None


class _Layout:
    """The text around the values of an order, by the separators' spacing: the order opens
    with ``{"id": "``, the id is followed by ``", "side": "``, the side by
    ``", "price_kopecks_per_mwh": ``, the price by ``, "energy_kwh": ``, the energy by ``}``
    and ``, `` before the next order (``]`` after the last)."""

    def __init__(self, space: bytes) -> None:
        colon, self.comma = b":" + space, b"," + space
        self.opening = b'{"id"' + colon + b'"'
        self.after_id = b'"' + self.comma + b'"side"' + colon + b'"'
        self.after_side = b'"' + self.comma + b'"price_kopecks_per_mwh"' + colon
        self.after_price = self.comma + b'"energy_kwh"' + colon
        self.closing = b"}" + self.comma


def _laid_out(text: _Text, rows: Int64Array, layout: _Layout) -> bool:
    """Whether the text around the values is the layout's, anchored at the quotes that open
    an order, close its id and its side, and open ``"energy_kwh"``. Each piece holds the
    quotes that follow its anchor, so the quotes are where the layout puts them too."""
    price_end, energy_end = _number_ends(text, rows, layout)
    return (
        text.holds(rows[:, 0] - 1, layout.opening)
        and text.holds(rows[:, 3], layout.after_id)
        and text.holds(rows[:, 7], layout.after_side)
        and text.holds(price_end, layout.after_price)
        and text.holds(energy_end[:-1], layout.closing)
        and bytes(text.bytes[energy_end[-1] :]) == b"}]"
    )


def _number_ends(text: _Text, rows: Int64Array, layout: _Layout) -> tuple[Int64Array, Int64Array]:
    """Where each order's price and energy end (after their last digit): before the comma
    ahead of ``"energy_kwh"``, before ``}, `` ahead of the next order (the last's ``}]``)."""
    price_end = rows[:, 10] - len(layout.comma)
    energy_end = np.append(rows[1:, 0] - 1 - len(layout.closing), len(text.bytes) - 2)
    return price_end, energy_end


def _columns(text: _Text, rows: Int64Array, layout: _Layout) -> ListedOrders | None:
    """The four columns, once the layout is known; None if a value is not what it must be."""
    price_end, energy_end = _number_ends(text, rows, layout)
    price = _integers(text, rows[:, 7] + len(layout.after_side), price_end)
    energy = _integers(text, price_end + len(layout.after_price), energy_end)
    buy = _buys(text, rows[:, 6] + 1, rows[:, 7])
    ids = _ids(text, rows[:, 2] + 1, rows[:, 3])
    if price is None or energy is None or buy is None or ids is None:
        return None
    return ListedOrders(ids, buy, price, energy)


def _integers(text: _Text, starts: Int64Array, ends: Int64Array) -> Int64Array | None:
    """JSON integers (``-?(0|[1-9][0-9]*)``, ``-0`` excluded) of at most nine digits."""
    negative = (text.at(starts) & _BYTE) == ord("-")
    first, digits = starts + negative, ends - starts - negative
    if np.any(digits < 1) or np.any(digits > _DIGITS_AT_MOST):
        return None
    words = text.at(first)
    leading = words & _BYTE
    if bool(np.any((leading == ord("0")) & ((digits > 1) | negative))):
        return None  # 01 or -0
    value = _eight_digits(words, np.minimum(digits, _EIGHT))
    ninth = digits > _EIGHT
    if value is None:
        return None
    if bool(np.any(ninth)):
        last = (text.at(first + _EIGHT) & _BYTE).astype(np.int64) - ord("0")
        if not bool(np.all(((last >= 0) & (last <= 9)) | ~ninth)):
            return None
        value = np.where(ninth, value * 10 + last, value)
    return np.where(negative, -value, value)


_BYTE = np.uint64(0xFF)
_ZEROS = 0x3030303030303030
"""Eight ASCII zeros, one a byte."""


def _eight_digits(words: Words, digits: Int64Array) -> Int64Array | None:
    """The value of the first ``digits`` (1 to 8) bytes of each word, when all are ASCII
    digits, eight at once (SWAR): the digits moved to the word's top, ASCII zeros below them,
    checked as digits, then combined in pairs, fours and eights."""
    shift = ((_EIGHT - digits) * _EIGHT).astype(np.uint64)
    zeros = np.uint64(_ZEROS)
    aligned = (words << shift) | _low_zeros(shift)
    high = np.uint64(0xF0F0F0F0F0F0F0F0)
    above_nine = ((aligned + np.uint64(0x0606060606060606)) & high) >> np.uint64(4)
    if not bool(np.all(((aligned & high) | above_nine) == np.uint64(0x3333333333333333))):
        return None
    value = aligned - zeros
    value = (value * np.uint64(10) + (value >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    value = (value * np.uint64(100) + (value >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    value = (value * np.uint64(10000) + (value >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return value.astype(np.int64)


def _low_zeros(shift: Words) -> Words:
    """ASCII zeros in the bytes below ``shift`` bits (none when it is 0)."""
    return np.uint64(_ZEROS) & ((np.uint64(1) << shift) - np.uint64(1))


def _buys(text: _Text, starts: Int64Array, ends: Int64Array) -> BoolArray | None:
    """Whether each side is ``buy``; None unless each is ``buy`` or ``sell``."""
    lengths, words = ends - starts, text.at(starts) & np.uint64(0xFFFFFFFF)
    buy = (lengths == 3) & (words == int.from_bytes(b'buy"', "little"))
    sell = (lengths == 4) & (words == int.from_bytes(b"sell", "little"))
    return buy if bool(np.all(buy | sell)) else None


def _ids(text: _Text, starts: Int64Array, ends: Int64Array) -> npt.NDArray[np.bytes_] | None:
    """The ids as ``S{longest}`` when each matches ``Identifier``'s pattern: 1 to 128 of
    [A-Za-z0-9._:/-], the first a letter or a digit."""
    lengths = ends - starts
    if np.any(lengths < 1) or np.any(lengths > _ID_LENGTH):
        return None
    chars = text.chars(starts, lengths, int(lengths.max()))
    if not (np.all(_ID_BYTE[chars]) and np.all(_ID_FIRST[chars[:, 0]])):
        return None
    return chars.view(f"S{chars.shape[1]}").ravel()


def id_strings(column: npt.NDArray[Any]) -> tuple[str, ...]:
    """The ids of an ``id_column`` (``BookColumns``) as ``str``: one object per order."""
    as_text = column.astype(np.str_) if column.dtype.kind == "S" else column
    return tuple(as_text.tolist())
