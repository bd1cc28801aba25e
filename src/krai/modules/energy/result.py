"""What a clearing publishes: the price, every order's accepted energy, the grid flows,
the welfare and the certificate, and their one JSON form.

Two nodes that clear the same book obtain equal results, hence equal
``canonical_bytes(result_json(result, certificate=True))``.
"""

from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt


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
    ids ascending. ``result()`` gives the same result as a :class:`ClearingResult`."""

    ids: tuple[str, ...]
    accepted_kwh: npt.NDArray[np.int64]
    price_kopecks_per_mwh: int
    import_kwh: int
    export_kwh: int
    welfare_millikopecks: int
    certificate: Certificate

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


class _AcceptanceJson(msgspec.Struct, gc=False):
    """One member of ``accepted`` in ``result_json``, encoded with its members in this order."""

    id: str
    energy_kwh: int


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
    document["accepted"] = list(map(_AcceptanceJson, cleared.ids, cleared.accepted_kwh.tolist()))
    return msgspec.json.encode(document)
