"""Read functions over the energy exchange, used alike by rules, CLI, API and dashboard.

Records are answered typed (``records.MarketView``, ``Clearing``, ``Settlement``, ``Sealed``);
prices, curves, books, statements, blocks and heat reports are JSON views built from them.
"""

from typing import Any

import msgspec

from krai.modules.accounts.queries import account_record, balance
from krai.modules.energy.blocks import BlockDecision, BlockOrder, decide_blocks, with_fixed_blocks
from krai.modules.energy.invoicing import DayBook, HourLine, hour_lines, positions
from krai.modules.energy.model import (
    MINUTES_PER_DAY,
    PREFIX,
    blocks_key,
    clearing_key,
    grid_prices_key,
    heat_contract_key,
    heat_readings_key,
    heat_settlement_key,
    kopecks,
    limit_kwh,
    limits_on,
    market_key,
    order_id,
    participant_key,
    periods_per_day,
    readings_key,
    sealed_key,
    settlement_key,
    tariff_key,
)
from krai.modules.energy.records import (
    BlockChoice,
    Clearing,
    GridPrices,
    HeatContract,
    HeatReadings,
    HeatSettlement,
    HeatTariff,
    Market,
    MarketView,
    MeterReading,
    MeterReadings,
    Sealed,
    Settlement,
    decode_readings,
)
from krai.state.records import read_record, record_json, records_json, scan_records
from krai.state.store import StateView
from krai.tx.errors import rule_violation


def market(view: StateView, market_id: str) -> MarketView | None:
    """The market with its id and limits timeline, or None."""
    found = read_record(view, market_key(market_id), Market)
    return None if found is None else _with_id(market_id, found)


def markets(view: StateView) -> list[MarketView]:
    """Every market with its limits timeline, by id."""
    prefix = market_key("")
    return [
        _with_id(key[len(prefix) :], found) for key, found in scan_records(view, prefix, Market)
    ]


def cleared_days(view: StateView, market_id: str) -> list[str]:
    """The delivery days with at least one cleared period, in order."""
    return _days(view, f"{PREFIX}clearing/{market_id}/")


def settled_days(view: StateView, market_id: str) -> list[str]:
    """The delivery days settled at least once, in order."""
    return _days(view, settlement_key(market_id, ""))


def heat_months(view: StateView, market_id: str) -> list[str]:
    """The months with heat readings or a heat settlement, in order."""
    metered = _days(view, heat_readings_key(market_id, ""))
    return sorted({*metered, *_days(view, heat_settlement_key(market_id, ""))})


def metered_days(view: StateView, market_id: str) -> dict[str, int]:
    """The delivery days with meter readings, in order, each with how many it holds."""
    prefix = readings_key(market_id, "", "")[:-1]
    counts: dict[str, int] = {}
    for key, raw in view.scan_bytes(prefix):
        day = key[len(prefix) :].split("/")[0]
        counts[day] = counts.get(day, 0) + len(decode_readings(raw, key))
    return dict(sorted(counts.items()))


def _days(view: StateView, prefix: str) -> list[str]:
    return sorted({key[len(prefix) :].split("/")[0] for key, _ in view.scan_bytes(prefix)})


def _with_id(market_id: str, found: Market) -> MarketView:
    return MarketView(market_id=market_id, **msgspec.structs.asdict(found))


def period_document(
    view: StateView, found: Market, market_id: str, day: str, period: int
) -> dict[str, Any]:
    """The book of one period as JSON (the form ``krai energy clear --orders`` reads): every
    revealed order, named ``INN:own-id``, each accepted block as a price-taking order of its
    fixed energy, the day's limits and grid prices."""
    book = base_document(view, found, market_id, day, period)
    blocks = day_blocks(view, market_id, day)
    if not blocks:
        return book
    decision = block_decision(view, found, market_id, day)
    return with_fixed_blocks(book, period, blocks, decision.accepted)


def day_blocks(view: StateView, market_id: str, day: str) -> list[BlockOrder]:
    """Every revealed block order of the day, named ``INN:own-id``."""
    return [
        BlockOrder(
            order_id(inn, b.block_id),
            b.side,
            b.first_period,
            b.last_period,
            b.price_kopecks_per_mwh,
            b.energy_kwh,
            b.min_acceptance_basis_points,
        )
        for inn, sealed in revealed(view, market_id, day)
        for b in sealed.blocks or ()
    ]


def block_decision(view: StateView, found: Market, market_id: str, day: str) -> BlockDecision:
    """The day's decision on block orders: stored with its first clearing, else computed."""
    stored = read_record(view, blocks_key(market_id, day), BlockChoice)
    if stored is not None:
        return BlockDecision(dict(stored.accepted), dict(stored.dropped))
    books = {
        period: base_document(view, found, market_id, day, period)
        for period in range(1, periods_per_day(found) + 1)
    }
    return decide_blocks(books, day_blocks(view, market_id, day))


def base_document(
    view: StateView, found: Market, market_id: str, day: str, period: int
) -> dict[str, Any]:
    """A period's book of single-period orders only (blocks are decided over the day)."""
    limits = limits_on(found, day)
    if limits is None:
        raise rule_violation(f"market {market_id} has no connection limits in effect on {day}")
    prices = read_record(view, grid_prices_key(market_id, day), GridPrices)
    if prices is None:
        raise rule_violation(f"the grid's prices for {day} are not set")
    grid = prices.periods[str(period)]
    orders = [
        {
            "id": order_id(inn, o.order_id),
            "side": o.side,
            "price_kopecks_per_mwh": o.price_kopecks_per_mwh,
            "energy_kwh": o.energy_kwh,
        }
        for inn, sealed in revealed(view, market_id, day)
        for o in sealed.orders or ()
        if o.period == period
    ]
    return {
        "import_limit_kwh": limit_kwh(limits.import_limit_kw, found),
        "export_limit_kwh": limit_kwh(limits.export_limit_kw, found),
        "grid_sell_price_kopecks_per_mwh": grid.grid_sell_price_kopecks_per_mwh,
        "grid_buy_price_kopecks_per_mwh": grid.grid_buy_price_kopecks_per_mwh,
        "orders": orders,
    }


def revealed(view: StateView, market_id: str, day: str) -> list[tuple[str, Sealed]]:
    """(participant INN, sealed record) of everyone who revealed orders for the day."""
    prefix = sealed_key(market_id, day, "")
    return [
        (key[len(prefix) :], sealed)
        for key, sealed in scan_records(view, prefix, Sealed)
        if sealed.orders is not None
    ]


def unrevealed(view: StateView, market_id: str, day: str) -> list[str]:
    """The INNs that committed for the day but never revealed."""
    prefix = sealed_key(market_id, day, "")
    return [
        key[len(prefix) :]
        for key, sealed in scan_records(view, prefix, Sealed)
        if sealed.orders is None
    ]


def clearing(view: StateView, market_id: str, day: str, period: int) -> Clearing | None:
    """A period's stored result with its certificate and provenance, or None."""
    return read_record(view, clearing_key(market_id, day, period), Clearing)


def day_prices(view: StateView, market_id: str, day: str) -> list[dict[str, Any]]:
    """Price and volumes of each cleared period of a day, and whether the connection bound."""
    found = market(view, market_id)
    if found is None:
        return []
    limits = limits_on(found, day)
    import_limit = 0 if limits is None else limit_kwh(limits.import_limit_kw, found)
    export_limit = 0 if limits is None else limit_kwh(limits.export_limit_kw, found)
    rows = []
    for period in range(1, periods_per_day(found) + 1):
        result = clearing(view, market_id, day, period)
        if result is None:
            continue
        start = (period - 1) * found.period_minutes
        rows.append(
            {
                "period": period,
                "from": clock(start),
                "to": clock(start + found.period_minutes),
                "price_kopecks_per_mwh": result.price_kopecks_per_mwh,
                "traded_kwh": result.certificate.traded_kwh,
                "import_kwh": result.import_kwh,
                "export_kwh": result.export_kwh,
                "congested": (import_limit > 0 and result.import_kwh == import_limit)
                or (export_limit > 0 and result.export_kwh == export_limit),
            }
        )
    return rows


def curves(view: StateView, market_id: str, day: str, period: int) -> dict[str, Any] | None:
    """The period's supply and demand step curves (grid included) and the clearing point."""
    found = market(view, market_id)
    result = clearing(view, market_id, day, period)
    if found is None or result is None:
        return None
    book = period_document(view, found, market_id, day, period)
    steps = [(o["side"], o["price_kopecks_per_mwh"], o["energy_kwh"]) for o in book["orders"]]
    steps.append(("sell", book["grid_sell_price_kopecks_per_mwh"], book["import_limit_kwh"]))
    steps.append(("buy", book["grid_buy_price_kopecks_per_mwh"], book["export_limit_kwh"]))
    sells = [(price, kwh) for side, price, kwh in steps if side == "sell" and kwh > 0]
    buys = [(price, kwh) for side, price, kwh in steps if side == "buy" and kwh > 0]
    return {
        "supply": _cumulative(sorted(sells)),
        "demand": _cumulative(sorted(buys, reverse=True)),
        "price_kopecks_per_mwh": result.price_kopecks_per_mwh,
        "traded_kwh": result.certificate.traded_kwh,
    }


def settlement(view: StateView, market_id: str, day: str) -> Settlement | None:
    """The day's settlement: its revision and every participant's invoice."""
    return read_record(view, settlement_key(market_id, day), Settlement)


def readings(view: StateView, market_id: str, day: str, inn: str) -> MeterReadings:
    """A participant's readings of a day by period number (as text); empty before any."""
    key = readings_key(market_id, day, inn)
    raw = view.get_bytes(key)
    return {} if raw is None else decode_readings(raw, key)


def day_book(view: StateView, found: Market, market_id: str, day: str) -> DayBook:
    """The day's clearings, each participant's bought and sold kWh, and the grid's prices."""
    stored = read_record(view, grid_prices_key(market_id, day), GridPrices)
    clearings = {
        p: cleared
        for p in range(1, periods_per_day(found) + 1)
        if (cleared := clearing(view, market_id, day, p)) is not None
    }
    sides = {
        order_id(inn, own): (inn, side)
        for inn, sealed in revealed(view, market_id, day)
        for own, side in [(o.order_id, o.side) for o in sealed.orders or ()]
        + [(b.block_id, b.side) for b in sealed.blocks or ()]
    }
    return DayBook(
        found, positions(clearings, sides), clearings, {} if stored is None else stored.periods
    )


def invoiced_participants(view: StateView, book: DayBook, market_id: str, day: str) -> list[str]:
    """The market's participants who traded or were metered on the day, by INN."""
    members = {key.rsplit("/", 1)[1] for key, _ in view.scan_bytes(participant_key(market_id, ""))}
    prefix = readings_key(market_id, day, "")
    metered = {key[len(prefix) :] for key, _ in view.scan_bytes(prefix)}
    return sorted(({inn for inn, _ in book.positions} | metered) & members)


def statement(view: StateView, market_id: str, day: str, inn: str) -> dict[str, Any] | None:
    """One participant's invoice for a day as JSON, ``participant`` and ``revision`` first;
    None if the day has none for it. ``hours`` are its lines period by period as settlement
    reckoned them (from the readings held when the revision was settled), each with its local
    clock time in the market's ``zone``; ``day_totals`` sum them, amounts rounded once as the
    invoice is. A day settled as balances (version 2) adds what was invoiced, paid (signed,
    over every revision and collection), written off and is still outstanding, the
    write-offs of the participant, and the revision this one replaced."""
    found = settlement(view, market_id, day)
    opened = market(view, market_id)
    if found is None or opened is None or inn not in found.invoices:
        return None
    bill = found.invoices[inn]
    document = {"participant": inn, "revision": found.revision, **record_json(bill)}
    document |= _hours(view, opened, found, day, inn)
    if bill.balance is None:
        return document
    document.pop("balance", None)
    document |= {
        "invoiced_kopecks": bill.total_kopecks,
        "paid_kopecks": bill.balance.paid_kopecks,
        "written_off_kopecks": bill.balance.written_off_kopecks,
        "outstanding_kopecks": bill.outstanding(),
        "write_offs": [record_json(w) for w in found.write_offs if w.party == inn],
    }
    if found.previous is not None:
        before = found.previous.totals.get(inn, 0)
        document["previous_revision"] = {
            "revision": found.previous.revision,
            "invoiced_kopecks": before,
            "change_kopecks": bill.total_kopecks - before,
        }
    return document


def _hours(
    view: StateView, opened: MarketView, found: Settlement, day: str, inn: str
) -> dict[str, Any]:
    held = _as_settled(readings(view, opened.market_id, day, inn), found.index)
    lines = hour_lines(day_book(view, opened, opened.market_id, day), held, inn)
    return {
        "zone": utc_zone(opened.utc_offset_minutes),
        "period_minutes": opened.period_minutes,
        "hours": [
            _hour_json(line, opened.period_minutes) | _replaced(held.get(str(line.period)))
            for line in lines
        ],
        "day_totals": _day_totals(lines),
    }


def _as_settled(held: MeterReadings, index: int) -> MeterReadings:
    """The readings as they stood at log entry ``index`` (later ones give way to the
    estimates they replaced, or to nothing)."""
    settled = {}
    for period, reading in held.items():
        current: MeterReading | None = reading
        while current is not None and current.index > index:
            current = current.replaces
        if current is not None:
            settled[period] = current
    return settled


def utc_zone(offset_minutes: int) -> str:
    """A fixed UTC offset as people read it: ``UTC+7``, ``UTC+5:30``, ``UTC−3``."""
    sign = "+" if offset_minutes >= 0 else "−"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def clock(minute_of_day: int) -> str:
    """A minute of the local day as ``HH:MM`` (the day's end as ``24:00``)."""
    if minute_of_day >= MINUTES_PER_DAY:
        return "24:00"
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def _hour_json(line: HourLine, period_minutes: int) -> dict[str, Any]:
    start = (line.period - 1) * period_minutes
    return {
        "period": line.period,
        "from": clock(start),
        "to": clock(start + period_minutes),
        "bought_kwh": line.bought_kwh,
        "sold_kwh": line.sold_kwh,
        "consumption_kwh": line.consumption_kwh,
        "generation_kwh": line.generation_kwh,
        "reading": _reading_kind(line),
        "imbalance_kwh": line.imbalance_kwh,
        "price_kopecks_per_mwh": line.price_kopecks_per_mwh,
        "energy_kopecks": kopecks(line.energy_millikopecks),
        "grid_fee_kopecks": kopecks(line.grid_fee_millikopecks),
        "imbalance_kopecks": kopecks(line.imbalance_millikopecks),
        "energy_millikopecks": line.energy_millikopecks,
        "grid_fee_millikopecks": line.grid_fee_millikopecks,
        "imbalance_millikopecks": line.imbalance_millikopecks,
    }


def _replaced(reading: MeterReading | None) -> dict[str, Any]:
    """The estimate a measured reading replaced (a true-up changed this period), or None."""
    before = None if reading is None else reading.replaces
    return {
        "estimate_replaced": None
        if before is None
        else {"consumption_kwh": before.consumption_kwh, "generation_kwh": before.generation_kwh}
    }


def _reading_kind(line: HourLine) -> str:
    if not line.metered:
        return "missing"
    return "estimated" if line.estimated else "measured"


def _day_totals(lines: list[HourLine]) -> dict[str, int]:
    """The day's kWh summed, and each amount summed in millikopecks then rounded once (the
    invoice's lines); ``rounding_kopecks`` is what that differs from the hours' kopecks."""
    amounts = ("energy", "grid_fee", "imbalance")
    totals = {
        f"{name}_kwh": sum(getattr(line, f"{name}_kwh") for line in lines)
        for name in ("bought", "sold", "consumption", "generation", "imbalance")
    }
    rounded = {
        f"{name}_kopecks": kopecks(sum(getattr(line, f"{name}_millikopecks") for line in lines))
        for name in amounts
    }
    per_hour = sum(
        kopecks(getattr(line, f"{name}_millikopecks")) for line in lines for name in amounts
    )
    total = sum(rounded.values())
    return {**totals, **rounded, "total_kopecks": total, "rounding_kopecks": total - per_hour}


def grid_statement(view: StateView, market_id: str, day: str) -> dict[str, Any] | None:
    """What a day settled as balances owes the grid company (− the grid owes the market),
    what the market has paid it, written off and still owes; None for other days."""
    found = settlement(view, market_id, day)
    if found is None or found.grid is None:
        return None
    grid = found.grid
    return {
        "revision": found.revision,
        "energy_kopecks": grid.energy_kopecks,
        "imbalance_kopecks": grid.imbalance_kopecks,
        "grid_fee_kopecks": grid.grid_fee_kopecks,
        "invoiced_kopecks": grid.total_kopecks,
        "paid_kopecks": grid.balance.paid_kopecks,
        "written_off_kopecks": grid.balance.written_off_kopecks,
        "outstanding_kopecks": grid.outstanding(),
    }


def market_document(view: StateView, market_id: str) -> dict[str, Any] | None:
    """A market as JSON with its accounts' balances (``market_accounts``); None if not open."""
    found = market(view, market_id)
    if found is None:
        return None
    return {**record_json(found), **market_accounts(view, found)}


def market_accounts(view: StateView, found: Market) -> dict[str, Any]:
    """The market's settlement account and the grid company's account with their balances
    and owners (``settlement_owner``, ``grid_owner``: the owning organisation's INN): the
    settlement account nets to zero over every day settled as balances."""
    grid = found.grid_account
    return {
        "settlement_account": found.settlement_account,
        "settlement_owner": _owner(view, found.settlement_account),
        "settlement_balance_kopecks": balance(view, found.settlement_account),
        "grid_account": grid,
        "grid_owner": None if grid is None else _owner(view, grid),
        "grid_balance_kopecks": None if grid is None else balance(view, grid),
    }


def _owner(view: StateView, account_id: str) -> str | None:
    found = account_record(view, account_id)
    return None if found is None else found.owner


def heat_settlement(view: StateView, market_id: str, month: str) -> HeatSettlement | None:
    """A month's heat settlement, or None before it."""
    return read_record(view, heat_settlement_key(market_id, month), HeatSettlement)


def heat_report(view: StateView, market_id: str, month: str) -> dict[str, Any]:
    """Heat delivered per micro-district and resident, what it paid, and fuel it avoided, as
    JSON: ``month``, ``settled``, ``lines`` (a ``HeatLine`` each once settled, else resident,
    micro-district and heat), ``micro_districts``, ``avoided_fuel_kopecks`` (None before) and
    ``tariff`` (the step in force that month, or None)."""
    settled = heat_settlement(view, market_id, month)
    lines = records_json(settled.lines) if settled else _unsettled_heat(view, market_id, month)
    districts: dict[str, int] = {}
    for line in lines:
        districts[line["micro_district"]] = (
            districts.get(line["micro_district"], 0) + line["heat_mcal"]
        )
    return {
        "month": month,
        "settled": settled is not None,
        "lines": lines,
        "micro_districts": [
            {"micro_district": d, "heat_mcal": h} for d, h in sorted(districts.items())
        ],
        "avoided_fuel_kopecks": settled.avoided_fuel_kopecks if settled else None,
        "tariff": heat_tariff(view, market_id, month),
    }


def heat_tariff(view: StateView, market_id: str, month: str) -> dict[str, Any] | None:
    """The heat tariff in force in a month (per Gcal, and per Gcal/h a month), or None."""
    found = read_record(view, tariff_key(market_id), HeatTariff)
    step = None if found is None else found.step_in(month)
    return None if step is None else record_json(step)


def heat_metered(view: StateView, market_id: str, month: str) -> dict[str, int]:
    """A month's metered heat (Mcal) by resident INN; empty before readings."""
    found = read_record(view, heat_readings_key(market_id, month), HeatReadings)
    return {} if found is None else dict(found.heat_mcal)


def heat_contracts(view: StateView, market_id: str) -> list[tuple[str, HeatContract]]:
    """(resident INN, contract) of every heat contract of the market, by INN."""
    prefix = heat_contract_key(market_id, "")
    return [
        (key[len(prefix) :], contract) for key, contract in scan_records(view, prefix, HeatContract)
    ]


def _unsettled_heat(view: StateView, market_id: str, month: str) -> list[dict[str, Any]]:
    metered = heat_metered(view, market_id, month)
    return [
        {
            "resident_inn": inn,
            "micro_district": contract.micro_district,
            "heat_mcal": metered.get(inn, 0),
        }
        for inn, contract in heat_contracts(view, market_id)
    ]


def _cumulative(steps: list[tuple[int, int]]) -> list[dict[str, int]]:
    total, points = 0, []
    for price, energy in steps:
        total += energy
        points.append({"price_kopecks_per_mwh": price, "cumulative_kwh": total})
    return points


def blocks(view: StateView, market_id: str, day: str) -> dict[str, Any] | None:
    """The day's decision on block orders — each accepted one with its ratio, each dropped
    one with why — once its first period is cleared; None before, or with no blocks."""
    decision = read_record(view, blocks_key(market_id, day), BlockChoice)
    if decision is None:
        return None
    accepted = [
        {**_block_name(block_id), "ratio_basis_points": ratio}
        for block_id, ratio in sorted(decision.accepted.items())
    ]
    dropped = [
        {**_block_name(block_id), "reason": reason}
        for block_id, reason in sorted(decision.dropped.items())
    ]
    return {"accepted": accepted, "dropped": dropped, "index": decision.index}


def _block_name(block_id: str) -> dict[str, str]:
    participant, _, own_id = block_id.partition(":")
    return {"participant": participant, "block_id": own_id}
