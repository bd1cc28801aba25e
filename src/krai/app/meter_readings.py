"""Meter data files in and out of the energy exchange, for every edge (the CLI's
``import-readings`` and ``export-positions``, ``POST /v1/energy/readings``): an ATS 80020 file
read into the readings ``energy.submit_readings`` records, with the file's SHA-256 anchored
by the notary first; and a day's cleared positions written as 80020 (ADR 0033,
docs/modules/energy.md "Formats")."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from krai.app.ats_80020 import (
    ACTIVE_EXPORT,
    ACTIVE_IMPORT,
    INN,
    MOSCOW_HOURS,
    POINT_CODE,
    AtsError,
    AtsMessage,
    Channel,
    Interval,
    MeasuringPoint,
    active_channels,
    interval_minutes,
    read_80020,
    write_80020,
)
from krai.app.statements import PartToSign
from krai.crypto.canonical import JSONValue
from krai.modules.energy.messages import SubmitReadings
from krai.modules.energy.model import participant_key
from krai.modules.notary.messages import Anchor
from krai.state.store import StateView
from krai.tx.errors import not_found
from krai.tx.nonces import derived_nonce

MAX_READINGS = 2000
"""Readings in one ``energy.submit_readings``."""
MAX_POINTS_BYTES = 1024 * 1024
NONCE_PURPOSE = "readings"


class MarketTime(Protocol):
    """What reading a file needs of a market: its UTC offset and period length."""

    @property
    def utc_offset_minutes(self) -> int: ...

    @property
    def period_minutes(self) -> int: ...


class MeterFileError(ValueError):
    """A meter file (or its points file) refused as a whole; the message names the element."""


@dataclass(frozen=True)
class MeterFile:
    """A file read for a market: its SHA-256, its day, the readings it gives, by INN and
    period, and the area it covers (its INN and name, as the file gives them)."""

    sha256: str
    day: str
    readings: list[dict[str, JSONValue]]
    area_inn: str = ""
    area_name: str = ""


def points_from_json(data: bytes) -> dict[str, str]:
    """A points file: a JSON object from measuring point code to the participant's INN."""
    if len(data) > MAX_POINTS_BYTES:
        raise MeterFileError(f"the points file has more than {MAX_POINTS_BYTES} bytes")
    try:
        found = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise MeterFileError(f"the points file is not UTF-8 JSON: {error}") from None
    if not isinstance(found, dict):
        raise MeterFileError("the points file is not a JSON object {point code: INN}")
    for code, inn in found.items():
        if POINT_CODE.fullmatch(code) is None:
            raise MeterFileError(f"points file: {code!r} is not a measuring point's code")
        if not isinstance(inn, str) or INN.fullmatch(inn) is None:
            raise MeterFileError(f"points file: point {code}: {inn!r} is not an INN")
    return found


def read_meter_file(
    data: bytes, market: MarketTime, points: Mapping[str, str] | None = None
) -> MeterFile:
    """The readings an 80020 (or 80040) file gives for ``market``; raises ``MeterFileError``.

    Each participant's reading of a period is the sum of its points' intervals in that
    period, channel 01 its consumption and 02 its generation; it is an estimate when any of
    those intervals has status 1."""
    try:
        message = read_80020(data)
        _same_time_zone(message, market)
        sums = _period_sums(message, market, points)
    except AtsError as error:
        raise MeterFileError(str(error)) from error
    readings: list[dict[str, JSONValue]] = []
    for (inn, period), (consumption, generation, estimated) in sorted(sums.items()):
        reading: dict[str, JSONValue] = {
            "participant_inn": inn,
            "period": period,
            "consumption_kwh": consumption,
            "generation_kwh": generation,
        }
        readings.append({**reading, "estimated": True} if estimated else reading)
    sha256 = hashlib.sha256(data).hexdigest()
    return MeterFile(sha256, message.day, readings, message.area_inn, message.area_name)


def _same_time_zone(message: AtsMessage, market: MarketTime) -> None:
    hours = MOSCOW_HOURS if message.timezone_hours is None else message.timezone_hours
    if hours * 60 != market.utc_offset_minutes:
        given = "no timezone (Moscow time)" if message.timezone_hours is None else "timezone"
        raise AtsError(
            0,
            f"<area>: {given} UTC{hours:+d}, but the market's periods are in "
            f"UTC{_offset(market.utc_offset_minutes)}",
        )


def _offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _period_sums(
    message: AtsMessage, market: MarketTime, points: Mapping[str, str] | None
) -> dict[tuple[str, int], tuple[int, int, bool]]:
    """(INN, period) → (consumption kWh, generation kWh, estimated)."""
    sums: dict[tuple[str, int], tuple[int, int, bool]] = {}
    for point, channel in active_channels(message.points):
        inn = _participant(point, points)
        if market.period_minutes % interval_minutes(channel):
            raise AtsError(
                channel.line,
                f"<measuringchannel code={channel.code}>: intervals of "
                f"{interval_minutes(channel)} minutes do not fit the market's "
                f"{market.period_minutes}-minute periods",
            )
        for period, kwh, estimated in _periods(point, channel, market.period_minutes):
            consumption, generation, was_estimated = sums.get((inn, period), (0, 0, False))
            if channel.code == ACTIVE_IMPORT:
                consumption += kwh
            else:
                generation += kwh
            sums[(inn, period)] = (consumption, generation, was_estimated or estimated)
    return sums


def _participant(point: MeasuringPoint, points: Mapping[str, str] | None) -> str:
    where = f"<measuringpoint code={point.code}>"
    if points is None:
        if INN.fullmatch(point.code) is None:
            raise AtsError(point.line, f"{where}: the code is not an INN; give a points file")
        return point.code
    inn = points.get(point.code)
    if inn is None:
        raise AtsError(point.line, f"{where}: the points file does not name it")
    return inn


def _periods(
    point: MeasuringPoint, channel: Channel, period_minutes: int
) -> list[tuple[int, int, bool]]:
    """(period, whole kWh, estimated) of each market period, its intervals summed."""
    grouped: dict[int, list[Interval]] = {}
    for interval in channel.intervals:
        grouped.setdefault(interval.start // period_minutes + 1, []).append(interval)
    found = []
    for period, members in grouped.items():
        total = sum((i.kwh for i in members), Decimal(0))
        if total != total.to_integral_value():
            raise AtsError(
                members[0].line,
                f"<measuringpoint code={point.code}> channel {channel.code}: period {period} "
                f"sums to {total} kWh, not a whole number (the ledger keeps whole kWh)",
            )
        found.append((period, int(total), any(i.estimated for i in members)))
    return found


def strangers(view: StateView, market_id: str, meter_file: MeterFile) -> list[str]:
    """The INNs the file gives readings of that are not participants of the market: the
    ledger would refuse their readings after the anchor is recorded, so say so first."""
    inns = sorted({str(reading["participant_inn"]) for reading in meter_file.readings})
    return [inn for inn in inns if view.get_bytes(participant_key(market_id, inn)) is None]


def readings_to_sign(
    market_id: str, meter_file: MeterFile, title: str = "Показания счётчиков, макет 80020"
) -> list[PartToSign]:
    """The file's SHA-256 anchored by the notary, then its readings in parts of at most
    ``MAX_READINGS``; each nonce derived from the file's SHA-256 and the part's number (the
    anchor's is 0), so whoever signs them signs the same transactions."""
    anchor = {
        "sha256": meter_file.sha256,
        "title": f"{title}: {market_id}, {meter_file.day}",
        "kind": "report",
        "reference": f"{SubmitReadings.TYPE} {market_id} {meter_file.day}",
    }
    parts = [PartToSign(Anchor.TYPE, Anchor.VERSION, _nonce(meter_file, 0), anchor)]
    for number, start in enumerate(range(0, len(meter_file.readings), MAX_READINGS), start=1):
        body = {
            "market_id": market_id,
            "delivery_date": meter_file.day,
            "readings": meter_file.readings[start : start + MAX_READINGS],
        }
        parts.append(
            PartToSign(
                SubmitReadings.TYPE, SubmitReadings.VERSION, _nonce(meter_file, number), body
            )
        )
    return parts


def _nonce(meter_file: MeterFile, number: int) -> str:
    return derived_nonce(NONCE_PURPOSE, meter_file.sha256, number)


def positions_80020(
    view: StateView, market_id: str, day: str, points: Mapping[str, str] | None = None
) -> AtsMessage:
    """The day's cleared positions as an 80020 message: a measuring point per participant
    (its code from ``points``, else its INN), channel 01 the kWh it bought and 02 the kWh it
    sold in each of the market's periods (0 where a period has no clearing)."""
    # Imported here: energy's queries load the clearing (numpy).
    from krai.modules.energy import queries  # noqa: PLC0415

    market = queries.market(view, market_id)
    if market is None:
        raise not_found(f"market {market_id} is not open")
    book = queries.day_book(view, market, market_id, day)
    if not book.clearings:
        raise not_found(f"{day} has no cleared period in market {market_id}")
    if market.utc_offset_minutes % 60:
        raise MeterFileError(f"UTC{_offset(market.utc_offset_minutes)} is not whole hours")
    codes = _codes(sorted({inn for inn, _ in book.positions}), points)
    periods = range(1, 24 * 60 // market.period_minutes + 1)
    measuring = []
    for inn, code in codes:
        held = [book.positions.get((inn, period), (0, 0)) for period in periods]
        channels = tuple(
            Channel(
                channel,
                tuple(
                    Interval(
                        (period - 1) * market.period_minutes,
                        period * market.period_minutes,
                        Decimal(kwh[side]),
                    )
                    for period, kwh in zip(periods, held, strict=True)
                ),
            )
            for side, channel in enumerate((ACTIVE_IMPORT, ACTIVE_EXPORT))
        )
        measuring.append(MeasuringPoint(code, f"ИНН {inn}", channels))
    last = max(cleared.time_ms for cleared in book.clearings.values())
    return AtsMessage(
        day=day,
        sender_inn=market.operator,
        area_inn=market.operator,
        area_name=market.title,
        points=tuple(measuring),
        timezone_hours=market.utc_offset_minutes // 60,
        timestamp=_local(last, market.utc_offset_minutes),
    )


def _codes(inns: list[str], points: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """(INN, its point's code) of each participant: the code the points file gives it."""
    if points is None:
        return [(inn, inn) for inn in inns]
    by_inn: dict[str, str] = {}
    for code, inn in points.items():
        if by_inn.setdefault(inn, code) != code:
            raise MeterFileError(f"points file: {inn} has points {by_inn[inn]} and {code}")
    missing = [inn for inn in inns if inn not in by_inn]
    if missing:
        raise MeterFileError(f"points file: no measuring point for {', '.join(missing)}")
    return [(inn, by_inn[inn]) for inn in inns]


def _local(time_ms: int, offset_minutes: int) -> str:
    moment = datetime.fromtimestamp(time_ms // 1000, UTC) + timedelta(minutes=offset_minutes)
    return moment.strftime("%Y%m%d%H%M%S")


def export_positions(
    view: StateView, market_id: str, day: str, points: Mapping[str, str] | None = None
) -> tuple[bytes, AtsMessage]:
    """The 80020 file of the day's cleared positions, and the message it holds."""
    message = positions_80020(view, market_id, day, points)
    return write_80020(message), message
