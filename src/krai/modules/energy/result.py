"""What a clearing publishes: the price, every order's accepted energy, the grid flows,
the welfare and the certificate, and their one JSON form.

Two nodes that clear the same book obtain equal results, hence equal
``canonical_bytes(result_json(result, certificate=True))``.
"""

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from krai.modules.energy.book_bytes import id_strings


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


def encoded_result_json(cleared: ClearedColumns, *, certificate: bool = False) -> bytes:
    """``result_json(cleared.result(), certificate=...)`` as compact UTF-8 JSON, the bytes
    ``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` writes, built from the
    columns with one small struct per order instead of an ``Acceptance`` and a dict."""
    summary = ClearingResult(
        price_kopecks_per_mwh=cleared.price_kopecks_per_mwh,
        accepted=(),
        import_kwh=cleared.import_kwh,
        export_kwh=cleared.export_kwh,
        welfare_millikopecks=cleared.welfare_millikopecks,
        certificate=cleared.certificate,
    )
    document = result_json(summary, certificate=certificate)
    written = _accepted_json(cleared.id_column, cleared.accepted_kwh)
    if written is None:
        return _msgspec_json(document, cleared)
    encoded = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    head, _, tail = encoded.partition(b'"accepted":[]')
    return b"".join((head, b'"accepted":[', written, b"]", tail))


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


def _accepted_json(column: npt.NDArray[Any], accepted: npt.NDArray[np.int64]) -> bytes | None:
    """The members of ``accepted``, comma-separated, written row by row from the columns into
    one table of bytes — an id NUL-padded, then its kWh's digits NUL-padded on the left — whose
    NULs are then deleted in one pass (no id holds a NUL). None when the ids are not bytes
    needing no escape, or a kWh is negative (no clearing's)."""
    if column.dtype.kind != "S" or int(accepted.min(initial=0)) < 0:
        return None
    rows, width = len(column), column.itemsize
    if rows == 0:
        return b""
    chars = np.ascontiguousarray(column).view(np.uint8).reshape(rows, width)
    if _needs_escape(chars):
        return None
    pieces = (_row_bytes(_ROW_START, rows), chars, _row_bytes(_ROW_MIDDLE, rows))
    table = np.concatenate((*pieces, _decimal_digits(accepted), _row_bytes(_ROW_END, rows)), axis=1)
    return table.tobytes().replace(b"\x00", b"")[:-1]  # no comma after the last member


def _row_bytes(text: bytes, rows: int) -> npt.NDArray[np.uint8]:
    return np.broadcast_to(np.frombuffer(text, dtype=np.uint8), (rows, len(text)))


def _decimal_digits(values: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """Each value's decimal digits as ASCII, right-aligned, NUL where a shorter value has none
    (a zero is the one digit 0)."""
    places = len(str(int(values.max())))
    digits = np.empty((len(values), places), dtype=np.uint8)
    left = values.copy()
    for place in reversed(range(places)):
        shown = values >= 10 ** (places - 1 - place)
        digits[:, place] = np.where(shown | (place == places - 1), left % 10 + ord("0"), 0)
        left //= 10
    return digits
