"""An organisation as a ministry official reads it: who it is, its roles and keys, the parks
it operates or is resident in, its agreements, the support it received, and its latest signed
entries. One document for the page and its JSON twin."""

from collections.abc import Iterable
from typing import Any

from krai.app import park_registry
from krai.app.ports import Storage
from krai.modules.identity import queries as identity
from krai.modules.parks import queries as parks
from krai.modules.parks.records import ParkView

LATEST_ENTRIES = 10
SCAN_CHUNK = 500


def organisation(storage: Storage, identifier: str) -> dict[str, Any] | None:
    """The member organisation with this INN or foreign identifier (``BY-UNP:…``), or None."""
    found = identity.member(storage, identifier)
    if found is None:
        return None
    keys = identity.keys_of(storage, identifier)
    return {
        "inn": found.inn,
        "name": found.name,
        "name_en": found.name_en,
        "country": found.country or "RU",
        "ogrn": found.ogrn,
        "roles": sorted(found.roles),
        "keys": {"active": sum(k.status == "active" for k in keys), "total": len(keys)},
        "operates": _named_parks(p for p in parks.parks(storage) if p.operator == identifier),
        "residencies": _residencies(storage, identifier),
        "agreements": park_registry.agreements(storage, identifier),
        "support": [
            m for m in park_registry.support_measures(storage) if m["recipient_inn"] == identifier
        ],
        "granted_support": [
            m for m in park_registry.support_measures(storage) if m["by"] == identifier
        ],
        "latest_entries": latest_signed(storage, identifier),
    }


def latest_signed(
    storage: Storage, signer: str, limit: int = LATEST_ENTRIES
) -> list[dict[str, Any]]:
    """The newest entries ``signer`` signed, newest first (the log read backwards)."""
    found: list[dict[str, Any]] = []
    end = storage.log_size()
    while end > 0 and len(found) < limit:
        start = max(0, end - SCAN_CHUNK)
        chunk = [e for e in storage.entries(start, end) if e.signer == signer]
        found += [
            {"index": e.index, "tx_type": e.tx_type, "time_ms": e.time_ms, "tx_id": e.tx_id}
            for e in reversed(chunk)
        ]
        end = start
    return found[:limit]


def _named_parks(found: Iterable[ParkView]) -> list[dict[str, Any]]:
    return [{"park_id": p.park_id, "name_ru": p.name_ru, "name_en": p.name_en} for p in found]


def _residencies(storage: Storage, identifier: str) -> list[dict[str, Any]]:
    rows = []
    for park in parks.parks(storage):
        residency = parks.resident(storage, park.park_id, identifier)
        if residency is not None:
            named = _named_parks([park])[0]
            rows.append({**named, "status": residency.status, "activity": residency.activity})
    return rows
