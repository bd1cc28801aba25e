"""An ATS 80020 meter file as the meter operator previews it before signing (ADR 0033, 0035):
the file's day, area, time zone and SHA-256; each participant's consumption and generation
per hour of the market's local day, estimates marked and readings that replace an earlier
estimate flagged; totals; and the transactions that record it — the notary's anchor of the
file, then its ``energy.submit_readings`` — each, for a chosen key, with the bytes to sign.
``POST /v1/energy/readings`` and the dashboard's ``/energy/{market_id}/upload`` answer this
document."""

from collections.abc import Mapping
from typing import Any

from krai.app.meter_readings import (
    MeterFile,
    MeterFileError,
    points_from_json,
    read_meter_file,
    readings_to_sign,
    strangers,
)
from krai.app.park_registry import organisation_names
from krai.app.ports import Storage
from krai.app.statements import PartToSign
from krai.app.uploads import Signing, UploadError, UploadKind, to_sign
from krai.crypto.canonical import JSONValue
from krai.modules.energy import queries
from krai.modules.energy.records import MarketView
from krai.modules.identity.model import Role
from krai.tx.errors import Code, RejectedError

FIGURES = ("consumption_kwh", "generation_kwh")


def meter_preview(
    storage: Storage,
    origin: str,
    files: Mapping[str, bytes],
    form: Mapping[str, str],
    signing: Signing | None = None,
) -> dict[str, Any]:
    """``files["file"]`` (80020 or 80040) read for market ``form["market_id"]``, its measuring
    points named by ``files["points"]`` (JSON, optional: else the codes are INNs); raises
    ``UploadError`` naming the line and element at fault, or the readings the ledger would
    refuse (``rule_violation``: not a participant; ``conflict``: already measured)."""
    market_id = form.get("market_id", "")
    market = queries.market(storage, market_id)
    if market is None:
        raise UploadError([f"market {market_id} is not open"], Code.NOT_FOUND.value)
    try:
        points = points_from_json(files["points"]) if files.get("points") else None
        meter_file = read_meter_file(files["file"], market, points)
    except MeterFileError as error:
        raise UploadError([str(error)]) from None
    _refuse_strangers(storage, market_id, meter_file)
    rows = [_row(storage, market, meter_file.day, reading) for reading in meter_file.readings]
    _refuse_remeasured(rows, meter_file.day)
    names = organisation_names(storage, {str(row["participant_inn"]) for row in rows})
    parts = readings_to_sign(market_id, meter_file)
    return {
        "network": origin,
        **about_market(market),
        "delivery_date": meter_file.day,
        "sha256": meter_file.sha256,
        "area": {"inn": meter_file.area_inn, "name": meter_file.area_name},
        "signing": None if signing is None else signing._asdict(),
        "readings": meter_file.readings,
        "participants": _participants(rows, names),
        "totals": _totals(rows),
        "parts": [_part(origin, part, rows, names, signing) for part in parts],
    }


def about_market(market: MarketView) -> dict[str, Any]:
    """What the upload form and its preview say of the market the file goes to."""
    return {
        "market_id": market.market_id,
        "market_title": market.title,
        "zone": queries.utc_zone(market.utc_offset_minutes),
        "period_minutes": market.period_minutes,
    }


def upload_target(storage: Storage, where: Mapping[str, str]) -> dict[str, Any] | None:
    """The market of the page's path (``market_id``), or None when it is not open."""
    market = queries.market(storage, where.get("market_id", ""))
    return None if market is None else about_market(market)


def _refuse_strangers(storage: Storage, market_id: str, meter_file: MeterFile) -> None:
    unknown = strangers(storage, market_id, meter_file)
    if unknown:
        message = f"not participants of market {market_id}: {', '.join(unknown)}"
        raise UploadError([message], Code.RULE_VIOLATION.value)


def _row(
    storage: Storage, market: MarketView, day: str, reading: dict[str, JSONValue]
) -> dict[str, Any]:
    """The reading with its period's local clock and the reading it would replace."""
    inn, period = str(reading["participant_inn"]), int(str(reading["period"]))
    held = queries.readings(storage, market.market_id, day, inn).get(str(period))
    replaces = None
    if held is not None:
        replaces = {
            "consumption_kwh": held.consumption_kwh,
            "generation_kwh": held.generation_kwh,
            "estimated": held.estimated,
        }
    return {
        **reading,
        "estimated": bool(reading.get("estimated", False)),
        "from": queries.clock((period - 1) * market.period_minutes),
        "to": queries.clock(period * market.period_minutes),
        "replaces": replaces,
    }


def _refuse_remeasured(rows: list[dict[str, Any]], day: str) -> None:
    """A measured reading is final: the ledger refuses the file's readings if it holds a
    measured one of any of their periods. One problem per participant, naming the periods."""
    final: dict[str, list[str]] = {}
    for row in rows:
        if row["replaces"] is not None and not row["replaces"]["estimated"]:
            final.setdefault(str(row["participant_inn"]), []).append(str(row["period"]))
    if final:
        problems = [
            f"{inn}: period {periods[0]} of {day} already has a measured reading"
            if len(periods) == 1
            else f"{inn}: periods {', '.join(periods)} of {day} already have measured readings"
            for inn, periods in final.items()
        ]
        raise UploadError(problems, Code.CONFLICT.value)


def _participants(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    by_inn: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_inn.setdefault(str(row["participant_inn"]), []).append(row)
    return [
        {"inn": inn, "name": names.get(inn, inn), **_totals(own)} for inn, own in by_inn.items()
    ]


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "readings": len(rows),
        **{figure: sum(int(row[figure]) for row in rows) for figure in FIGURES},
        "estimated": sum(bool(row["estimated"]) for row in rows),
        "replacing": sum(row["replaces"] is not None for row in rows),
    }


def _part(
    origin: str,
    part: PartToSign,
    rows: list[dict[str, Any]],
    names: dict[str, str],
    signing: Signing | None,
) -> dict[str, Any]:
    """The transaction with, for readings, the rows it records; for ``signing``, what to
    sign."""
    shown: dict[str, Any] = {}
    if "readings" in part.body:
        recorded = {(r["participant_inn"], r["period"]) for r in part.body["readings"]}
        own = [row for row in rows if (row["participant_inn"], row["period"]) in recorded]
        named = [{**row, "name": names.get(str(row["participant_inn"]))} for row in own]
        shown = {"rows": named, "totals": _totals(own)}
    if signing is not None:
        shown["to_sign"] = _to_sign(origin, signing, part)
    return {**part._asdict(), **shown}


def _to_sign(origin: str, signing: Signing, part: PartToSign) -> dict[str, Any]:
    try:
        return to_sign(origin, signing, part)
    except RejectedError as error:
        raise UploadError([f"{part.type}: {error.message}"]) from None


METER_FILE = UploadKind(Role.METER_OPERATOR, meter_preview, ("file", "points"), upload_target)
