"""The orders of a JSON book read straight from its bytes into numpy columns (ADR 0030, 0047).

No Python object is made per order: the quotes' positions give every string, and each byte
between two strings is checked against the one layout this reader takes — the members in
the documented order (``id``, ``side``, ``price_kopecks_per_mwh``, ``energy_kwh``), written
compactly or with ``json.dumps``'s default separators (``", "``, ``": "``), integers without
a leading zero or ``-0``, no escape and no byte beyond ASCII. That is how a book written by
a program usually looks; any other book gets None and is read by the msgspec decoder, which
takes any layout. Ids become one fixed-width byte array (``S{longest}``, NUL-padded; an id
holding a NUL is not JSON and is left to the other decoders). Every byte of the orders is
checked (separators, names, ids, sides and digits), so a book is read exactly as the strict
decoder reads it, or not at all.

Bytes are read many at a time: the text between two values is one gather of a fixed-width
window (``_Text.window``) at each order's anchor quote, compared as 64-bit words; a number
is the 64-bit word that ends with its last digit, its digits checked and combined eight at a
time (SWAR).
"""

from collections.abc import Callable
from functools import partial
from mmap import mmap
from typing import Any, NamedTuple, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

BookText = bytes | mmap
"""A book's bytes: in memory, or a file mapped by the command line (ADR 0052)."""
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]

QUOTES_PER_ORDER = 12
"""Six strings an order: four member names, the id and the side."""
_ID_LENGTH = 128
_ID_FIRST = np.zeros(256, dtype=np.bool_)
_ID_FIRST[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")] = True
_ID_BYTE = _ID_FIRST.copy()
_ID_BYTE[list(b"._:/-")] = True
_EIGHT = 8
_LOW_BYTES = np.array([(1 << (_EIGHT * k)) - 1 for k in range(_EIGHT)] + [2**64 - 1], np.uint64)
"""``_LOW_BYTES[k]``: the mask of a word's k low bytes."""


class ListedOrders(NamedTuple):
    """The orders as listed: ids as NUL-padded fixed-width bytes, sides, prices, energies."""

    ids: npt.NDArray[np.bytes_]
    buy: BoolArray
    price: Int64Array
    energy: Int64Array


class _Text:
    """The orders' bytes, read as bytes or as fixed-width windows starting at any position."""

    def __init__(self, data: BookText, start: int, end: int) -> None:
        self.data, self.start, self.size = data, start, end - start
        self.bytes = np.frombuffer(data, dtype=np.uint8, count=self.size, offset=start)

    def window(self, positions: Int64Array, width: int) -> Words:
        """The ``width`` bytes (a multiple of 8) from each position, as rows of little-endian
        64-bit words; zero past the end of the text."""
        words = width // _EIGHT
        inside = self.size - width + 1
        if inside <= 0:
            return self._padded(positions, width)
        view = np.ndarray(
            shape=(inside,), dtype=f"V{width}", buffer=self.data, offset=self.start, strides=(1,)
        )
        if len(positions) == 0 or positions[-1] < inside:  # positions ascend
            return view[positions].view("<u8").reshape(len(positions), words)
        within = int(np.searchsorted(positions, inside))
        rows = np.empty((len(positions), words), dtype=np.uint64)
        rows[:within] = view[positions[:within]].view("<u8").reshape(within, words)
        rows[within:] = self._padded(positions[within:], width)
        return rows

    def _padded(self, positions: Int64Array, width: int) -> Words:
        """``window`` for the few positions near the end, from a zero-padded copy of the end."""
        first = int(positions[0])
        padded = np.zeros(self.size - first + width, dtype=np.uint8)
        padded[: self.size - first] = self.bytes[first:]
        rows: Words = padded[positions[:, None] - first + np.arange(width)].view("<u8")
        return rows.reshape(len(positions), width // _EIGHT)

    def word_before(self, ends: Int64Array) -> Words:
        """The eight bytes before each end (each at least 8) as a little-endian word."""
        return self.window(ends - _EIGHT, _EIGHT)[:, 0]

    def matches(self, positions: Int64Array, expected: bytes) -> bool:
        """Whether ``expected`` lies at every position."""
        width = -(-len(expected) // _EIGHT) * _EIGHT
        rows = self.window(positions, width)
        padded = expected.ljust(width, b"\0")
        words = np.frombuffer(padded, dtype="<u8")
        last = _LOW_BYTES[len(expected) - (width - _EIGHT)]
        if width > _EIGHT and not bool(np.all(rows[:, :-1] == words[:-1])):
            return False
        return bool(np.all(rows[:, -1] & last == words[-1]))


class _Layout:
    """The text around the values of an order, by the separators' spacing: an order opens
    with ``{"id": "`` (after ``}, `` closing the one before it); the id is followed by
    ``", "side": "``, the side by ``", "price_kopecks_per_mwh": ``, the price by
    ``, "energy_kwh": ``, the energy by ``}``."""

    def __init__(self, space: bytes) -> None:
        colon, comma = b":" + space, b"," + space
        self.opening = b'{"id"' + colon + b'"'
        self.between = b"}" + comma + self.opening
        self.after_id = b'"' + comma + b'"side"' + colon + b'"'
        self.after_side = b'"' + comma + b'"price_kopecks_per_mwh"' + colon
        self.after_price = comma + b'"energy_kwh"' + colon
        self.comma = comma


Part = Callable[[], "ListedOrders | None"]
"""A run of a book's orders read: its columns, or None when it is not in the layout."""
_Done = TypeVar("_Done")


class Runner(Protocol):
    """Does the parts of one piece of work and gives their results in order: ``one_by_one``
    by default; the command line runs them on threads, numpy releasing the GIL in its passes
    (ADR 0047, 0052)."""

    def __call__(self, parts: list[Callable[[], _Done]]) -> list[_Done]:
        """The parts' results, in the parts' order."""
        ...


def one_by_one(parts: list[Callable[[], _Done]]) -> list[_Done]:
    """Each part done in turn."""
    return [part() for part in parts]


def listed_orders(
    data: BookText, start: int, end: int, *, parts: int = 1, run: Runner = one_by_one
) -> ListedOrders | None:
    """The columns of the JSON array ``data[start:end]`` when each of its bytes is where this
    module's layout puts it (which makes it JSON: no byte outside the layout's pieces, ids,
    sides and digits; a backslash, a control character or a byte beyond ASCII fails the id's
    pattern); else None. Values are not checked against their bounds. The orders are read in
    up to ``parts`` runs of whole orders, cut where one order ends and the next begins, by
    ``run``; the columns are the runs' joined."""
    if end - start == 2 and data[start:end] == b"[]":
        empty = np.zeros(0, dtype=np.int64)
        return ListedOrders(np.zeros(0, dtype="S1"), np.zeros(0, dtype=np.bool_), empty, empty)
    if end - start < _EIGHT or data[start : start + 3] != b'[{"' or data[end - 1] != ord("]"):
        return None
    layout = _Layout(b" " if data[start + 6 : start + 8] == b": " else b"")
    runs = _runs(data, start + 1, end - 1, layout, parts)
    read = run([partial(_listed_run, data, first, last, layout) for first, last in runs])
    if any(columns is None for columns in read):
        return None
    if len(read) == 1:
        return read[0]
    return ListedOrders(*(np.concatenate(column) for column in zip(*read, strict=True)))


def _runs(
    data: BookText, start: int, end: int, layout: _Layout, parts: int
) -> list[tuple[int, int]]:
    """``data[start:end]`` cut into up to ``parts`` runs of orders, each cut where ``}`` and
    the comma end one order and the next opens (the bytes between two runs are that comma)."""
    starts, ends = [start], []
    for part in range(1, parts):
        at = data.find(layout.between, start + (end - start) * part // parts, end)
        if at >= starts[-1]:
            ends.append(at + 1)
            starts.append(at + 1 + len(layout.comma))
    return list(zip(starts, [*ends, end], strict=True))


def _listed_run(data: BookText, start: int, end: int, layout: _Layout) -> ListedOrders | None:
    """The columns of ``data[start:end]``, orders separated by the comma, when laid out."""
    text = _Text(data, start, end)
    quotes = np.flatnonzero(text.bytes == ord('"'))
    if len(quotes) == 0 or len(quotes) % QUOTES_PER_ORDER:
        return None
    rows = quotes.reshape(-1, QUOTES_PER_ORDER)
    if not _laid_out(text, rows, layout):
        return None
    return _columns(text, rows, layout)


def _laid_out(text: _Text, rows: Int64Array, layout: _Layout) -> bool:
    """Whether the text around the ids and sides is the layout's, anchored at the quotes
    that open an order's first member, close its id and close its side (each piece holds
    the quotes that follow its anchor, so the quotes are where the layout puts them too),
    and the run ends with ``}``. The numbers' bytes are checked by ``_columns``."""
    first = bytes(text.bytes[: len(layout.opening)])
    return (
        first == layout.opening
        and text.matches(_between_starts(rows, layout), layout.between)
        and text.matches(rows[:, 3], layout.after_id)
        and text.matches(rows[:, 7], layout.after_side)
        and int(text.bytes[-1]) == ord("}")
    )


def _between_starts(rows: Int64Array, layout: _Layout) -> Int64Array:
    """Where each order but the first closes the one before: ``}``, the comma, ``{``, then the
    quote that opens its first member."""
    return rows[1:, 0] - len(layout.comma) - 2


def _columns(text: _Text, rows: Int64Array, layout: _Layout) -> ListedOrders | None:
    """The four columns, once the layout is known; None if a value is not what it must be."""
    price_end = rows[:, 10] - len(layout.comma)
    if not text.matches(price_end, layout.after_price):
        return None
    energy_end = np.append(_between_starts(rows, layout), text.size - 1)
    price = _integers(text, rows[:, 7] + len(layout.after_side), price_end)
    energy = _integers(text, price_end + len(layout.after_price), energy_end)
    buy = _buys(text, rows[:, 6], rows[:, 7])
    ids = _ids(text, rows[:, 2] + 1, rows[:, 3])
    if price is None or energy is None or buy is None or ids is None:
        return None
    return ListedOrders(ids, buy, price, energy)


_DIGITS_AT_MOST = 9
"""A bound (10^8 kopecks/MWh, 10^7 kWh) has at most nine digits; longer is out of bounds."""
_BYTE = np.uint64(0xFF)
_ZEROS = np.uint64(0x3030303030303030)
"""Eight ASCII zeros, one a byte."""


def _integers(text: _Text, starts: Int64Array, ends: Int64Array) -> Int64Array | None:
    """JSON integers (``-?(0|[1-9][0-9]*)``, ``-0`` excluded) of at most nine digits, read
    from the word that ends with each one's last digit."""
    negative = text.bytes[starts] == ord("-")
    first = starts + negative
    digits = ends - first
    if np.any(digits < 1) or np.any(digits > _DIGITS_AT_MOST):
        return None
    if bool(np.any((text.bytes[first] == ord("0")) & ((digits > 1) | negative))):
        return None  # 01 or -0
    value = _last_eight_digits(text.word_before(ends), np.minimum(digits, _EIGHT))
    if value is None:
        return None
    ninth = np.flatnonzero(digits > _EIGHT)
    if len(ninth):
        top = text.bytes[first[ninth]].astype(np.int64) - ord("0")
        if not bool(np.all((top >= 0) & (top <= 9))):
            return None
        value[ninth] += top * 10**_EIGHT
    np.negative(value, out=value, where=negative)
    return value


def _last_eight_digits(words: Words, digits: Int64Array) -> Int64Array | None:
    """The value of the top ``digits`` (1 to 8) bytes of each word, when all are ASCII
    digits, eight at once (SWAR): ASCII zeros put below them, checked as digits, then
    combined in pairs, fours and eights."""
    below = _LOW_BYTES[_EIGHT - digits]
    aligned = (words & ~below) | (_ZEROS & below)
    high = np.uint64(0xF0F0F0F0F0F0F0F0)
    above_nine = ((aligned + np.uint64(0x0606060606060606)) & high) >> np.uint64(4)
    if not bool(np.all(((aligned & high) | above_nine) == np.uint64(0x3333333333333333))):
        return None
    value = aligned - _ZEROS
    value = (value * np.uint64(10) + (value >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    value = (value * np.uint64(100) + (value >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    value = (value * np.uint64(10000) + (value >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return value.astype(np.int64)


_BUY = int.from_bytes(b'buy"', "little")
_SELL = int.from_bytes(b"sell", "little")


def _buys(text: _Text, opened: Int64Array, closed: Int64Array) -> BoolArray | None:
    """Whether each side (between the quotes ``opened`` and ``closed``) is ``buy``; None
    unless each is ``buy`` or ``sell``."""
    lengths = closed - opened - 1
    words = text.window(opened + 1, _EIGHT)[:, 0] & np.uint64(0xFFFFFFFF)
    buy = (lengths == 3) & (words == _BUY)
    sell = (lengths == 4) & (words == _SELL)
    return buy if bool(np.all(buy | sell)) else None


def _ids(text: _Text, starts: Int64Array, ends: Int64Array) -> npt.NDArray[np.bytes_] | None:
    """The ids as ``S{longest}`` when each matches ``Identifier``'s pattern: 1 to 128 of
    [A-Za-z0-9._:/-], the first a letter or a digit; checked a word (eight bytes) at a time."""
    lengths = ends - starts
    if np.any(lengths < 1) or np.any(lengths > _ID_LENGTH):
        return None
    width = int(lengths.max())
    words = text.window(starts, -(-width // _EIGHT) * _EIGHT)
    if int(lengths.min()) == width:  # ids of one length: one row of masks serves every id
        within = _LOW_BYTES[np.clip(width - np.arange(0, width, _EIGHT), 0, _EIGHT)][None, :]
    else:
        within = _LOW_BYTES[np.clip(lengths[:, None] - np.arange(0, width, _EIGHT), 0, _EIGHT)]
    words &= within
    if not (_id_bytes(words | (_ZEROS & ~within)) and np.all(_ID_FIRST[words[:, 0] & _BYTE])):
        return None
    chars = words.view(np.uint8)
    column = chars if width == chars.shape[1] else np.ascontiguousarray(chars[:, :width])
    return column.view(f"S{width}").ravel()


_HIGH_BITS = np.uint64(0x8080808080808080)


def _between(words: Words, low: int, high: int) -> Words:
    """The top bit of each byte of ``words`` (bytes under 0x80) set where the byte lies in
    ``low..high``: adding 0x80 - low carries into it from ``low`` on, 0x7F - high from above
    ``high``, and no byte's sum passes 0xFF into the next."""
    at_least = words + np.uint64(int.from_bytes(bytes([0x80 - low]) * _EIGHT, "little"))
    above = words + np.uint64(int.from_bytes(bytes([0x7F - high]) * _EIGHT, "little"))
    np.invert(above, out=above)
    at_least &= above
    at_least &= _HIGH_BITS
    return at_least


def _id_bytes(words: Words) -> bool:
    """Whether every byte of ``words`` is one of an id's: [A-Za-z0-9._:/-]."""
    if bool(np.any(words & _HIGH_BITS)):
        return False
    lower = words | np.uint64(0x2020202020202020)  # A-Z to a-z; nothing else lands in a-z
    valid = _between(words, 0x2D, 0x3A)
    valid |= _between(lower, 0x61, 0x7A)
    valid |= _between(words, 0x5F, 0x5F)
    return bool(np.all(valid == _HIGH_BITS))


def id_strings(column: npt.NDArray[Any]) -> tuple[str, ...]:
    """The ids of an ``id_column`` (``BookColumns``) as ``str``: one object per order."""
    as_text = column.astype(np.str_) if column.dtype.kind == "S" else column
    return tuple(as_text.tolist())
