"""What a clearing publishes: the price, every order's accepted energy, the grid flows,
the welfare and the certificate, and their one JSON form.

Two nodes that clear the same book obtain equal results, hence equal
``canonical_bytes(result_json(result, certificate=True))``.
"""

import json
from dataclasses import dataclass
from functools import cache, cached_property, partial
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from krai.modules.energy.book_bytes import Runner, id_strings, one_by_one


@dataclass(frozen=True)
class Acceptance:
    """How much of one order trades."""

    id: str
    energy_kwh: int


@dataclass(frozen=True)
class Certificate:
    """The interval of prices that support the allocation, and the volume traded.

    ``price_low`` is the largest price of an accepted sell (or import) and of a buy (or export)
    not fully accepted; ``price_high`` the smallest price of an accepted buy (or export) and of
    a sell (or import) not fully accepted. ``None`` means unbounded. The allocation is
    welfare-optimal when low <= high and supply equals demand; the published price is the
    rule of ``docs/spec/clearing.md`` applied to this interval.
    """

    price_low_kopecks_per_mwh: int | None
    price_high_kopecks_per_mwh: int | None
    traded_kwh: int


@dataclass(frozen=True)
class ClearingResult:
    """The outcome of one delivery period; ``accepted`` lists every order, sorted by id."""

    price_kopecks_per_mwh: int
    accepted: tuple[Acceptance, ...]
    import_kwh: int
    export_kwh: int
    welfare_millikopecks: int
    certificate: Certificate


@dataclass(frozen=True, eq=False)
class ClearedColumns:
    """A clearing result as columns: ``accepted_kwh[i]`` is what the order ``ids[i]`` trades,
    ids ascending (``id_column`` as in ``BookColumns``). ``result()`` gives the same result as
    a :class:`ClearingResult`."""

    id_column: npt.NDArray[Any]
    accepted_kwh: npt.NDArray[np.int64]
    price_kopecks_per_mwh: int
    import_kwh: int
    export_kwh: int
    welfare_millikopecks: int
    certificate: Certificate

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """The ids as ``str``, ascending."""
        return id_strings(self.id_column)

    def result(self) -> ClearingResult:
        """The result with one :class:`Acceptance` per order (about 1 µs each)."""
        return ClearingResult(
            price_kopecks_per_mwh=self.price_kopecks_per_mwh,
            accepted=tuple(map(Acceptance, self.ids, self.accepted_kwh.tolist())),
            import_kwh=self.import_kwh,
            export_kwh=self.export_kwh,
            welfare_millikopecks=self.welfare_millikopecks,
            certificate=self.certificate,
        )


def result_json(result: ClearingResult, *, certificate: bool = False) -> dict[str, Any]:
    """The result as a JSON object; with ``certificate`` it also carries the certificate."""
    document: dict[str, Any] = {
        "price_kopecks_per_mwh": result.price_kopecks_per_mwh,
        "accepted": [{"id": a.id, "energy_kwh": a.energy_kwh} for a in result.accepted],
        "import_kwh": result.import_kwh,
        "export_kwh": result.export_kwh,
        "welfare_millikopecks": result.welfare_millikopecks,
    }
    if certificate:
        document["certificate"] = {
            "price_low_kopecks_per_mwh": result.certificate.price_low_kopecks_per_mwh,
            "price_high_kopecks_per_mwh": result.certificate.price_high_kopecks_per_mwh,
            "traded_kwh": result.certificate.traded_kwh,
        }
    return document


def encoded_result_json(
    cleared: ClearedColumns,
    *,
    certificate: bool = False,
    end: bytes = b"",
    parts: int = 1,
    run: Runner = one_by_one,
) -> bytes:
    """``result_json(cleared.result(), certificate=...)`` as compact UTF-8 JSON, the bytes
    ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` writes, then ``end``;
    built from the columns, with no object per order, in up to ``parts`` runs by ``run``."""
    summary = ClearingResult(
        price_kopecks_per_mwh=cleared.price_kopecks_per_mwh,
        accepted=(),
        import_kwh=cleared.import_kwh,
        export_kwh=cleared.export_kwh,
        welfare_millikopecks=cleared.welfare_millikopecks,
        certificate=cleared.certificate,
    )
    document = result_json(summary, certificate=certificate)
    encoded = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    head, _, tail = encoded.partition(b'"accepted":[]')
    around = (head + b'"accepted":[', b"]" + tail + end)
    written = _accepted_json(cleared.id_column, cleared.accepted_kwh, around, parts=parts, run=run)
    return _msgspec_json(document, cleared) + end if written is None else written


def _msgspec_json(document: dict[str, Any], cleared: ClearedColumns) -> bytes:
    """``document`` with ``accepted`` written by msgspec, one small struct per order: for ids
    the columnar writer does not take (escapes, beyond ASCII)."""
    import msgspec  # noqa: PLC0415 - only for such ids

    class AcceptanceJson(msgspec.Struct, gc=False):
        """One member of ``accepted`` in ``result_json``, its members in this order."""

        id: str
        energy_kwh: int

    document["accepted"] = list(map(AcceptanceJson, cleared.ids, cleared.accepted_kwh.tolist()))
    return msgspec.json.encode(document)


_ROW_START, _ROW_MIDDLE, _ROW_END = b'{"id":"', b'","energy_kwh":', b"},"


def _needs_escape(chars: npt.NDArray[np.uint8]) -> bool:
    """Whether an id holds a byte JSON writes escaped: a quote, a backslash or a control
    character (NUL only pads an id of a byte column, which none may hold)."""
    control = (chars < 0x20) & (chars != 0)
    return bool(np.any(chars == ord('"')) or np.any(chars == ord("\\")) or np.any(control))


def _accepted_json(
    column: npt.NDArray[Any],
    accepted: npt.NDArray[np.int64],
    around: tuple[bytes, bytes],
    *,
    parts: int = 1,
    run: Runner = one_by_one,
) -> bytes | None:
    """The members of ``accepted``, comma-separated, between ``around``'s two texts, each
    written at its exact place in one buffer: a row's length follows from its id's length
    and its kWh's digits, so its place is a running sum (ADR 0052). The rows are written in
    up to ``parts`` runs, by ``run``. None when the ids are not bytes needing no escape, or a
    kWh is negative (no clearing's)."""
    if column.dtype.kind != "S" or int(accepted.min(initial=0)) < 0:
        return None
    rows, width = len(column), column.itemsize
    before, after = around
    if rows == 0:
        return before + after
    chars = np.ascontiguousarray(column).view(np.uint8).reshape(rows, width)
    if _needs_escape(chars):
        return None
    id_lengths = _id_lengths(chars)
    digits = _digit_counts(accepted)
    ends = np.cumsum(id_lengths + digits + len(_ROW_START) + len(_ROW_MIDDLE) + len(_ROW_END))
    ends += len(before)
    written = np.empty(int(ends[-1]) - 1 + len(after), dtype=np.uint8)  # no comma at the end
    written[: len(before)] = np.frombuffer(before, dtype=np.uint8)
    placed = _Rows(chars, accepted, id_lengths, digits, ends - digits - len(_ROW_END))
    cuts = [rows * part // parts for part in range(parts + 1)]
    run([partial(placed.cut(first, last).write, written) for first, last in pairwise(cuts)])
    written[int(ends[-1]) - 1 :] = np.frombuffer(after, dtype=np.uint8)
    return written.tobytes()


class _Rows(NamedTuple):
    """Rows of ``accepted`` to write: the ids' bytes, the kWh, the ids' lengths, the kWh's
    digits and where each row's tail (its digits) starts in the buffer."""

    chars: npt.NDArray[np.uint8]
    accepted: npt.NDArray[np.int64]
    id_lengths: npt.NDArray[np.int64]
    digits: npt.NDArray[np.int64]
    tail_starts: npt.NDArray[np.int64]

    def cut(self, first: int, last: int) -> "_Rows":
        """The rows from ``first`` up to ``last``."""
        cut = slice(first, last)
        return _Rows(
            self.chars[cut], self.accepted[cut], self.id_lengths[cut], self.digits[cut],
            self.tail_starts[cut],
        )  # fmt: skip

    def write(self, written: npt.NDArray[np.uint8]) -> None:
        """Put each row in its place: the heads (``{"id":"``, the id, ``","energy_kwh":``) a
        group of equally long ids at a time, the tails (the digits and ``},``) a group of
        equally many digits at a time, each row as one fixed-width record."""
        for length, group in _groups(self.id_lengths):
            heads = _heads(_rows(self.chars, group)[:, :length])
            _put(written, _rows(self.tail_starts, group) - heads.shape[1], heads)
        for count, group in _groups(self.digits):
            tails = _tails(_rows(self.accepted, group), count)
            _put(written, _rows(self.tail_starts, group), tails)


def _id_lengths(chars: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Each id's length: its bytes up to the NUL padding (an id holds no NUL)."""
    if bool(np.all(chars[:, -1])):
        return np.full(len(chars), chars.shape[1], dtype=np.int64)
    lengths: npt.NDArray[np.int64] = np.count_nonzero(chars, axis=1).astype(np.int64)
    return lengths


def _digit_counts(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """How many decimal digits each value (at least 0) is written with (a zero has one)."""
    counts = np.ones(len(values), dtype=np.int64)
    for place in range(1, len(str(int(values.max())))):
        counts += values >= 10**place
    return counts


def _groups(
    keys: npt.NDArray[np.int64],
) -> list[tuple[int, npt.NDArray[np.int64] | None]]:
    """Each distinct key and the rows holding it (None for all rows when all hold one)."""
    present = np.flatnonzero(np.bincount(keys)).tolist()
    if len(present) == 1:
        return [(present[0], None)]
    if len(present) <= _FEW_KEYS:
        return [(key, np.flatnonzero(keys == key)) for key in present]
    small = keys.astype(np.uint8) if present[-1] < 256 else keys  # under 256: a radix sort
    by_key = np.argsort(small, kind="stable")
    bounds = np.searchsorted(keys[by_key], [*present, present[-1] + 1]).tolist()
    return [
        (key, by_key[first:last])
        for key, first, last in zip(present, bounds, bounds[1:], strict=False)
    ]


_FEW_KEYS = 8
"""Up to this many groups, each is found by its own pass over the keys."""


def _rows(column: npt.NDArray[Any], group: npt.NDArray[np.int64] | None) -> npt.NDArray[Any]:
    """The rows of ``group`` (all for None)."""
    return column if group is None else column[group]


def _heads(ids: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Rows of ``{"id":"``, the id's bytes (each row's all), ``","energy_kwh":``."""
    start, middle = _row_bytes(_ROW_START, len(ids)), _row_bytes(_ROW_MIDDLE, len(ids))
    return np.concatenate((start, ids, middle), axis=1)


def _tails(values: npt.NDArray[np.int64], count: int) -> npt.NDArray[np.uint8]:
    """Rows of the ``count`` digits of each value and ``},``."""
    tails = np.empty((len(values), count + len(_ROW_END)), dtype=np.uint8)
    tails[:, :count] = _digits(values, count)
    tails[:, count:] = np.frombuffer(_ROW_END, dtype=np.uint8)
    return tails


def _digits(values: npt.NDArray[np.int64], count: int) -> npt.NDArray[np.uint8]:
    """The last ``count`` decimal digits of each value as ASCII, four at a time from a table."""
    fours = -(-count // 4)
    digits = np.empty((len(values), 4 * fours), dtype=np.uint8)
    left = values
    for four in reversed(range(fours)):
        low = left if four == 0 and fours == 1 else left % 10_000
        digits[:, 4 * four : 4 * four + 4] = _four_digits()[low].view(np.uint8).reshape(-1, 4)
        left = left // 10_000
    return digits[:, 4 * fours - count :]


@cache
def _four_digits() -> npt.NDArray[np.uint32]:
    """Item n: the four ASCII digits of n (0 to 9999), leading zeros written, as one word."""
    numbers = np.arange(10_000)
    places = np.stack([numbers // 10**place % 10 for place in (3, 2, 1, 0)], axis=1)
    return (places + ord("0")).astype(np.uint8).view(np.uint32).ravel()


def _put(
    written: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], pieces: npt.NDArray[np.uint8]
) -> None:
    """Copy each row of ``pieces`` (equally wide) into ``written`` from its start, as one
    fixed-width record a row; the rows' places do not overlap."""
    width = pieces.shape[1]
    records = np.ascontiguousarray(pieces).view(f"V{width}").ravel()
    places = np.ndarray(
        shape=(len(written) - width + 1,), dtype=f"V{width}", buffer=written, strides=(1,)
    )
    places[starts] = records


def _row_bytes(text: bytes, rows: int) -> npt.NDArray[np.uint8]:
    return np.broadcast_to(np.frombuffer(text, dtype=np.uint8), (rows, len(text)))
