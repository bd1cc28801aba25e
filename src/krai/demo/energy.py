"""A week of the Krasnoyarsk park's power exchange (source 000: «a blockchain platform for
energy trading and an energy exchange»; mining heat for residential micro-districts).

Delivery days 4–10 June 2018, hourly. Miners bid their break-even prices, data centres bid
high for certainty, a local generator offers up to 30 MW; behind the park's 120 MW import
connection the local supply is 150 MW, so the connection binds in the hours the residents
want more. Orders are sealed until the gate (noon the day before, Krasnoyarsk time), revealed,
cleared by the operator and recomputed by every node. Meter readings arrive the next morning
as the meter operator's ATS 80020 file, anchored and imported (one reading estimated and
later replaced; one data centre's meter is missing from a day's file, its readings keyed in
by hand, one of them never arriving), each day is settled through the
participants' accounts, and in July the month's waste heat is sold to district heating. All
volumes are synthetic, drawn from the demo's seeded generator.
"""

import hashlib
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from krai.app.ats_80020 import AtsMessage, Channel, Interval, MeasuringPoint, write_80020
from krai.app.meter_readings import read_meter_file, readings_to_sign
from krai.demo.parks import BITBAZA, DC_ENISEY, DC_SIBDATA, EBANG, ENTU, GRID, METAVERSE, PARK
from krai.demo.world import FOUNDER_KEY, DemoError, Organisation, Step, World
from krai.modules.energy import queries
from krai.modules.energy.book import decode_book
from krai.modules.energy.clearing import clear
from krai.modules.energy.model import commitment
from krai.modules.energy.result import result_json

MARKET = "krasnoyarsk-dam"
OPERATOR = Organisation(
    "exchange", "Оператор энергобиржи парка (синтетический)", ("market_operator",)
)
GENERATOR = Organisation(
    "generator", "ООО «Енисейская генерация» (синтетическое)", ("market_participant",)
)
HEAT = Organisation(
    "heat-utility",
    "Теплоснабжающая организация Красноярска (синтетическая)",
    ("heat_utility",),
)
BUYERS = (  # organisation, kW allocated, break-even kopecks/MWh, data centre?
    (BITBAZA, 90_000, 350_000, False),
    (ENTU, 20_000, 280_000, False),
    (EBANG, 15_000, 400_000, False),
    (METAVERSE, 12_000, 300_000, False),
    (DC_ENISEY, 8_000, 900_000, True),
    (DC_SIBDATA, 5_000, 850_000, True),
)
PARTICIPANTS = (*(b[0] for b in BUYERS), GENERATOR)
FIRST_DAY, DAYS = date(2018, 6, 4), 7
ESTIMATED = (ENTU, "2018-06-05", 10)
"""An estimated reading, replaced by the measured one three days later."""
MISSING = (DC_SIBDATA, "2018-06-06", 5)
"""A reading that never arrives: settled as cleared."""
SILENT = (EBANG, "2018-06-09")
"""A participant that commits but never reveals."""
HEAT_CONTRACTS = (  # resident, Gcal/h contracted, micro-district
    (BITBAZA, 35, "мкр. Солнечный"),
    (ENTU, 8, "мкр. Покровский"),
    (METAVERSE, 5, "мкр. Северный"),
)
ENERGY_WORK = DAYS + 3
GRID_ACCOUNT = f"{GRID.key}:energy"
"""The grid company's account: each settled day pays it (or is paid by it) its share."""
FUNDS_KOPECKS = 200_000_000_00


def week(world: World) -> Iterator[Step]:
    """The market, seven delivery days and the month's heat."""
    rng = world.rng("energy")
    world.at("2018-05-30T10:00:00+07:00")
    world.admit((OPERATOR, GENERATOR, HEAT))
    _accounts(world)
    world.submit_all(_market())
    world.submit_all(
        [
            (o.key, "energy.join_market", {"market_id": MARKET, "account_id": f"{o.key}:operating"})
            for o in PARTICIPANTS
        ]
    )
    yield Step("Exchange opened: hourly, gate at noon the day before, 120 MW import limit", 1)
    days = [FIRST_DAY + timedelta(days=n) for n in range(DAYS)]
    cleared: dict[str, dict[int, dict[str, int]]] = {}
    for today in [FIRST_DAY - timedelta(days=1), *days, days[-1] + timedelta(days=1)]:
        before, after = today - timedelta(days=1), today + timedelta(days=1)
        world.at(f"{today.isoformat()}T09:00:00+07:00")
        if before.isoformat() in cleared:
            _meter_and_settle(world, rng, before.isoformat(), cleared[before.isoformat()])
            yield Step(None, 1)
        if after in days:
            cleared[after.isoformat()] = _auction(world, rng, today, after.isoformat())
    yield _settled_week(world)
    yield from _heat(world, rng)


def _settled_week(world: World) -> Step:
    """The week's settlement through accounts: the market's account nets to zero."""
    market = queries.market_document(world.services.storage, MARKET)
    assert market is not None
    if market["settlement_balance_kopecks"] != 0:
        raise DemoError(f"the market's settlement account holds {market} after the week")
    grid = market["grid_balance_kopecks"] // 100
    return Step(f"Week settled: the grid company was paid {grid:,} RUB, the market holds 0", 0)


def _accounts(world: World) -> None:
    opened = [
        (
            FOUNDER_KEY,
            "accounts.open_account",
            _account("treasury:krasnoyarsk", "treasury", "Краевой бюджет"),
        ),
        (
            OPERATOR.key,
            "accounts.open_account",
            _account("market:settlement", "clearing", "Расчёты биржи"),
        ),
        (
            GRID.key,
            "accounts.open_account",
            _account(GRID_ACCOUNT, "operating", "Расчёты с энергобиржей парка"),
        ),
    ]
    for organisation in (*PARTICIPANTS, HEAT):
        opened.append(
            (
                organisation.key,
                "accounts.open_account",
                _account(f"{organisation.key}:operating", "operating", "Расчётный счёт"),
            )
        )
    funded = [
        (
            FOUNDER_KEY,
            "accounts.transfer",
            {
                "from_account": "treasury:krasnoyarsk",
                "to_account": f"{o.key}:operating",
                "amount_kopecks": FUNDS_KOPECKS,
                "reference": "Оборотные средства (синтетические)",
            },
        )
        for o in (*PARTICIPANTS, HEAT)
    ]
    world.submit_all(opened + funded)


def _account(account_id: str, kind: str, title: str) -> dict[str, Any]:
    return {"account_id": account_id, "kind": kind, "title": title}


def _market() -> list[tuple[str, str, dict[str, Any]]]:
    market = {
        "market_id": MARKET,
        "park_id": PARK,
        "title": "Биржа электроэнергии Красноярского парка цифровых технологий",
        "utc_offset_minutes": 420,
        "period_minutes": 60,
        "gate_closure": "12:00",
        "reveal_minutes": 60,
        "price_floor_kopecks_per_mwh": 0,
        "price_cap_kopecks_per_mwh": 1_000_000,
        "grid_fee_kopecks_per_mwh": 20_000,
        "settlement_account": "market:settlement",
        "grid_account": GRID_ACCOUNT,
    }
    limits = {
        "market_id": MARKET,
        "from_date": "2018-06-01",
        "import_limit_kw": 120_000,
        "export_limit_kw": 30_000,
        "source": "Договор технологического присоединения: 120 МВт (синтетический)",
    }
    return [
        (OPERATOR.key, "energy.open_market", market),
        (OPERATOR.key, "energy.set_connection_limits", limits),
    ]


def _auction(world: World, rng: random.Random, today: date, day: str) -> dict[int, dict[str, int]]:
    """Grid prices and sealed orders before the gate, reveals, then the 24 clearings."""
    books = {o.key: _orders(o, rng, day) for o in PARTICIPANTS}
    salts = {
        key: hashlib.sha256(f"krai-demo-salt:{key}:{day}".encode()).hexdigest() for key in books
    }
    commits = [
        (
            key,
            "energy.commit_orders",
            {
                "market_id": MARKET,
                "delivery_date": day,
                "commitment_sha256": commitment(
                    MARKET, day, world.inn(key), salts[key], orders, []
                ),
            },
        )
        for key, orders in books.items()
    ]
    world.submit_all([(OPERATOR.key, "energy.set_grid_prices", _grid_prices(day)), *commits])
    world.at(f"{today.isoformat()}T12:10:00+07:00")
    reveals = [
        (
            key,
            "energy.reveal_orders",
            {
                "market_id": MARKET,
                "delivery_date": day,
                "salt": salts[key],
                "orders": orders,
                "blocks": [],
            },
        )
        for key, orders in books.items()
        if (world.organisations[key], day) != SILENT
    ]
    world.submit_all(reveals)
    world.count("sealed orders", sum(len(orders) for orders in books.values()))
    world.at(f"{today.isoformat()}T13:05:00+07:00")
    market = queries.market(world.services.storage, MARKET)
    assert market is not None
    results, calls = {}, []
    for period in range(1, 25):
        document = queries.period_document(world.services.storage, market, MARKET, day, period)
        result = result_json(clear(decode_book(document)))
        calls.append(
            (
                OPERATOR.key,
                "energy.submit_clearing",
                {"market_id": MARKET, "delivery_date": day, "period": period, **result},
            )
        )
        results[period] = _accepted_by_inn(result["accepted"])
    world.submit_all(calls)
    world.count("hourly auctions", 24)
    return results


def _orders(organisation: Organisation, rng: random.Random, day: str) -> list[dict[str, Any]]:
    """A participant's orders for each hour: break-even bids, or the generator's offer."""
    orders = []
    for period in range(1, 25):
        if organisation is GENERATOR:
            offered = 30_000 if 7 <= period <= 23 else rng.randrange(18_000, 30_001, 500)
            orders.append(_order(f"unit-1-p{period:02d}", period, "sell", 150_000, offered))
            continue
        _, allocated, price, data_centre = next(b for b in BUYERS if b[0] is organisation)
        if data_centre:
            load = 0.65 + (0.3 if 9 <= period <= 21 else 0.0) + rng.uniform(0, 0.05)
            orders.append(
                _order(f"servers-p{period:02d}", period, "buy", price, int(allocated * load))
            )
            continue
        core = int(allocated * rng.uniform(0.84, 0.97)) // 100 * 100
        flex = int(allocated * rng.uniform(0.0, 0.1)) // 100 * 100
        orders.append(_order(f"mining-p{period:02d}", period, "buy", price, core))
        if flex:
            orders.append(_order(f"flex-p{period:02d}", period, "buy", price * 4 // 5, flex))
    return orders


def _order(order_id: str, period: int, side: str, price: int, energy_kwh: int) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "period": period,
        "side": side,
        "price_kopecks_per_mwh": price,
        "energy_kwh": energy_kwh,
    }


def _grid_prices(day: str) -> dict[str, Any]:
    prices = [
        {
            "period": period,
            "grid_sell_price_kopecks_per_mwh": 240_000 if 8 <= period <= 22 else 160_000,
            "grid_buy_price_kopecks_per_mwh": 100_000,
        }
        for period in range(1, 25)
    ]
    return {
        "market_id": MARKET,
        "delivery_date": day,
        "source": "Прогноз цен РСВ, 2-я ценовая зона (синтетический)",
        "prices": prices,
    }


def _accepted_by_inn(accepted: list[dict[str, Any]]) -> dict[str, int]:
    energy: dict[str, int] = {}
    for order in accepted:
        inn = str(order["id"]).split(":", 1)[0]
        energy[inn] = energy.get(inn, 0) + int(order["energy_kwh"])
    return energy


def _meter_and_settle(
    world: World, rng: random.Random, day: str, cleared: dict[int, dict[str, int]]
) -> None:
    """The day's readings (the measured one that replaces an estimate too), then settlement."""
    readings = []
    for period in range(1, 25):
        for organisation in PARTICIPANTS:
            if (organisation, day, period) == MISSING:
                continue
            readings.append(
                _reading(
                    organisation,
                    period,
                    cleared[period].get(organisation.inn, 0),
                    rng,
                    (organisation, day, period) == ESTIMATED,
                )
            )
    lost = MISSING[0].inn if day == MISSING[1] else None
    filed = [r for r in readings if r["participant_inn"] != lost]
    _import_meter_file(world, day, filed)
    calls = []
    if lost is not None:  # its meter sent no file that day: the operator keys in what it has
        by_hand = [r for r in readings if r["participant_inn"] == lost]
        body = {"market_id": MARKET, "delivery_date": day, "readings": by_hand}
        calls.append((GRID.key, "energy.submit_readings", body))
    settle = {"market_id": MARKET, "delivery_date": day}
    world.submit_all([*calls, (OPERATOR.key, "energy.settle_day", settle)])
    world.count("meter readings", len(readings))
    world.count("settled days")
    estimated_on = date.fromisoformat(ESTIMATED[1]) + timedelta(days=3)
    if day == (estimated_on - timedelta(days=1)).isoformat():
        organisation, estimated_day, period = ESTIMATED
        measured = {
            "participant_inn": organisation.inn,
            "period": period,
            "consumption_kwh": 17_450,
            "generation_kwh": 0,
        }
        world.submit_all(
            [
                (
                    GRID.key,
                    "energy.submit_readings",
                    {"market_id": MARKET, "delivery_date": estimated_day, "readings": [measured]},
                ),
                (
                    OPERATOR.key,
                    "energy.settle_day",
                    {"market_id": MARKET, "delivery_date": estimated_day},
                ),
            ]
        )


def _import_meter_file(world: World, day: str, readings: list[dict[str, Any]]) -> None:
    """The day's readings as the meter operator's system sends them — an ATS 80020 file of
    half hours in the home's ``meters/``, with the points file naming each meter's
    participant — imported as ``krai energy import-readings`` does: the file's SHA-256
    anchored, then its readings (docs/modules/energy.md, "Formats")."""
    folder = world.services.settings.home / "meters"
    folder.mkdir(exist_ok=True)
    points = {_point_code(o): o.inn for o in PARTICIPANTS}
    (folder / "points.json").write_text(json.dumps(points, indent=1) + "\n", encoding="utf-8")
    market = queries.market(world.services.storage, MARKET)
    assert market is not None
    path = folder / f"{MARKET}-{day}.xml"
    path.write_bytes(write_80020(_meter_message(world, market.title, day, readings)))
    meter_file = read_meter_file(path.read_bytes(), market, points)
    if sorted(map(_slot, meter_file.readings)) != sorted(map(_slot, readings)):
        raise DemoError(f"{path} does not read back as the readings it was written from")
    world.record_parts(GRID.key, readings_to_sign(MARKET, meter_file))
    world.count("meter data files (ATS 80020)")


def _slot(reading: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted(reading.items()))


def _point_code(organisation: Organisation) -> str:
    """The synthetic code of the participant's measuring point."""
    return f"2400{PARTICIPANTS.index(organisation) + 1:011d}"


def _meter_message(world: World, area: str, day: str, readings: list[dict[str, Any]]) -> AtsMessage:
    """Each participant's readings as a measuring point: channel 01 consumption, 02
    generation, each hour in two half hours (status 1 when estimated)."""
    points = []
    for organisation in PARTICIPANTS:
        own = sorted(
            (r for r in readings if r["participant_inn"] == organisation.inn),
            key=lambda r: r["period"],
        )
        if not own:
            continue
        channels = tuple(
            Channel(code, tuple(i for r in own for i in _half_hours(r, name)))
            for code, name in (("01", "consumption_kwh"), ("02", "generation_kwh"))
        )
        points.append(MeasuringPoint(_point_code(organisation), organisation.name, channels))
    meter_operator = world.inn(GRID.key)
    following = (date.fromisoformat(day) + timedelta(days=1)).strftime("%Y%m%d")
    return AtsMessage(
        day=day,
        sender_inn=meter_operator,
        sender_name=GRID.name,
        area_inn=meter_operator,
        area_name=area,
        points=tuple(points),
        timezone_hours=7,
        number=day.replace("-", ""),
        timestamp=f"{following}083000",
    )


def _half_hours(reading: dict[str, Any], name: str) -> tuple[Interval, Interval]:
    start = (reading["period"] - 1) * 60
    first = reading[name] // 2
    estimated = bool(reading.get("estimated"))
    return (
        Interval(start, start + 30, Decimal(first), estimated),
        Interval(start + 30, start + 60, Decimal(reading[name] - first), estimated),
    )


def _reading(
    organisation: Organisation, period: int, cleared_kwh: int, rng: random.Random, estimated: bool
) -> dict[str, Any]:
    reading: dict[str, Any] = {"participant_inn": organisation.inn, "period": period}
    if organisation is GENERATOR:
        reading |= {
            "consumption_kwh": 0,
            "generation_kwh": int(cleared_kwh * rng.uniform(0.97, 1.0)),
        }
    else:
        used = cleared_kwh or next(b[1] for b in BUYERS if b[0] is organisation) * 9 // 10
        reading |= {"consumption_kwh": int(used * rng.uniform(0.97, 1.02)), "generation_kwh": 0}
    if estimated:
        reading["estimated"] = True
    return reading


def _heat(world: World, rng: random.Random) -> Iterator[Step]:
    tariff = {
        "market_id": MARKET,
        "from_month": "2018-06",
        "energy_kopecks_per_gcal": 80_000,
        "capacity_kopecks_per_gcal_per_hour_month": 30_000_000,
        "avoided_fuel_kopecks_per_gcal": 120_000,
        "account_id": f"{HEAT.key}:operating",
        "source": "Договор купли-продажи тепловой энергии (синтетический)",
    }
    contracts = [
        (
            HEAT.key,
            "energy.contract_heat",
            {
                "market_id": MARKET,
                "resident_inn": o.inn,
                "capacity_mcal_per_hour": gcal_h * 1000,
                "micro_district": district,
            },
        )
        for o, gcal_h, district in HEAT_CONTRACTS
    ]
    world.submit_all([(HEAT.key, "energy.set_heat_tariff", tariff), *contracts])
    world.at("2018-07-02T10:00:00+07:00")
    readings: list[dict[str, Any]] = [
        {"resident_inn": o.inn, "heat_mcal": int(gcal_h * 720 * rng.uniform(0.8, 0.95)) * 1000}
        for o, gcal_h, _ in HEAT_CONTRACTS
    ]
    world.submit_all(
        [
            (
                GRID.key,
                "energy.submit_heat_readings",
                {"market_id": MARKET, "month": "2018-06", "readings": readings},
            ),
            (HEAT.key, "energy.settle_heat", {"market_id": MARKET, "month": "2018-06"}),
        ]
    )
    gcal = sum(r["heat_mcal"] for r in readings) // 1_000
    yield Step(f"June's waste heat: {gcal:,} Gcal to three micro-districts, settled", 1)
