"""Waste heat sold to district heating under a two-part tariff.

The utility sets its tariff (per Gcal of heat, per Gcal/h of contracted capacity per month)
and the boiler fuel cost each Gcal avoids, contracts residents' capacity into micro-districts,
and pays each month: metered heat × energy price + contracted capacity × capacity price.
"""

from typing import Any

from krai.modules.accounts.queries import account
from krai.modules.accounts.rules import move
from krai.modules.energy import events
from krai.modules.energy.messages import ContractHeat, SetHeatTariff, SettleHeat, SubmitHeatReadings
from krai.modules.energy.model import (
    PREFIX,
    heat_contract_key,
    heat_kopecks,
    heat_readings_key,
    heat_settlement_key,
)
from krai.modules.energy.rules.records import market, participant
from krai.state.engine import Context
from krai.state.store import StateView, read, scan
from krai.tx.errors import conflict, invalid_body, rule_violation


def tariff_key(market_id: str) -> str:
    """State key of the market's heat tariff timeline."""
    return f"{PREFIX}heat/tariff/{market_id}"


def validate_tariff(ctx: Context, message: SetHeatTariff) -> None:
    """One utility per market buys the heat, paying from its own account."""
    market(ctx, message.market_id)
    current = ctx.read(tariff_key(message.market_id))
    if current is not None and current["utility"] != ctx.signer:
        raise conflict(f"market {message.market_id} sells its heat to {current['utility']}")
    found = account(ctx.state, message.account_id)
    if found is None or found["owner"] != ctx.signer:
        raise rule_violation(f"account {message.account_id} is not an open account of {ctx.signer}")


def apply_tariff(ctx: Context, message: SetHeatTariff) -> None:
    """Insert the tariff step (replacing one from the same month)."""
    key = tariff_key(message.market_id)
    record = ctx.read(key) or {"utility": ctx.signer, "steps": []}
    record["account_id"] = message.account_id
    step = {
        name: getattr(message, name)
        for name in (
            "energy_kopecks_per_gcal",
            "capacity_kopecks_per_gcal_per_hour_month",
            "avoided_fuel_kopecks_per_gcal",
            "source",
        )
    }
    step.update({"from": message.from_month, **ctx.provenance()})
    kept = [s for s in record["steps"] if s["from"] != message.from_month]
    record["steps"] = sorted([*kept, step], key=lambda s: str(s["from"]))
    ctx.state.put(key, record)
    ctx.emit(events.HeatTariffSet(message.market_id, message.from_month, ctx.signer))


def validate_contract(ctx: Context, message: ContractHeat) -> None:
    """The market's heat utility contracts a participant."""
    _utility_tariff(ctx, message.market_id)
    participant(ctx, message.market_id, message.resident_inn)


def apply_contract(ctx: Context, message: ContractHeat) -> None:
    """Record (or replace) the contract."""
    record = {
        "capacity_mcal_per_hour": message.capacity_mcal_per_hour,
        "micro_district": message.micro_district,
        **ctx.provenance(),
    }
    ctx.state.put(heat_contract_key(message.market_id, message.resident_inn), record)
    ctx.emit(
        events.HeatContracted(
            message.market_id, message.resident_inn, message.capacity_mcal_per_hour
        )
    )


def validate_heat_readings(ctx: Context, message: SubmitHeatReadings) -> None:
    """A month's readings, once, of contracted residents only."""
    market(ctx, message.market_id)
    if ctx.read(heat_readings_key(message.market_id, message.month)) is not None:
        raise conflict(f"heat for {message.month} is already metered")
    names = [r.resident_inn for r in message.readings]
    if len(set(names)) != len(names):
        raise invalid_body("body.readings: a resident appears twice")
    for inn in names:
        ctx.require(heat_contract_key(message.market_id, inn), f"a heat contract of {inn}")


def apply_heat_readings(ctx: Context, message: SubmitHeatReadings) -> None:
    """Record the month's heat by resident."""
    record = {
        "heat_mcal": {r.resident_inn: r.heat_mcal for r in message.readings},
        **ctx.provenance(),
    }
    ctx.state.put(heat_readings_key(message.market_id, message.month), record)
    total = sum(r.heat_mcal for r in message.readings)
    ctx.emit(events.HeatReadingsSubmitted(message.market_id, message.month, total))


def validate_heat_settlement(ctx: Context, message: SettleHeat) -> None:
    """The utility settles a metered month once, under a tariff in effect."""
    tariff = _utility_tariff(ctx, message.market_id)
    ctx.require(
        heat_readings_key(message.market_id, message.month),
        f"heat readings for {message.month}",
    )
    if ctx.read(heat_settlement_key(message.market_id, message.month)) is not None:
        raise conflict(f"heat for {message.month} is already settled")
    if _step(tariff, message.month) is None:
        raise rule_violation(f"no heat tariff is in effect in {message.month}")


def apply_heat_settlement(ctx: Context, message: SettleHeat) -> None:
    """Pay each contracted resident; record heat per micro-district and fuel avoided."""
    tariff = _utility_tariff(ctx, message.market_id)
    lines = heat_statement(ctx.state, message.market_id, message.month)
    reference = f"heat:{message.market_id}:{message.month}"
    for line in lines:
        own = str(participant(ctx, message.market_id, line["resident_inn"])["account_id"])
        if line["total_kopecks"] > 0:
            move(
                ctx,
                str(tariff["account_id"]),
                own,
                line["total_kopecks"],
                purpose=None,
                reference=reference,
            )
    step = _step(tariff, message.month) or {}
    heat = sum(int(line["heat_mcal"]) for line in lines)
    avoided = heat_kopecks(heat, int(step.get("avoided_fuel_kopecks_per_gcal", 0)))
    paid = sum(int(line["total_kopecks"]) for line in lines)
    record = {"lines": lines, "avoided_fuel_kopecks": avoided, **ctx.provenance()}
    ctx.state.put(heat_settlement_key(message.market_id, message.month), record)
    ctx.emit(events.HeatSettled(message.market_id, message.month, heat, paid, avoided))


def heat_statement(view: StateView, market_id: str, month: str) -> list[dict[str, Any]]:
    """Per contracted resident: heat, capacity, and what each part of the tariff pays."""
    tariff = read(view, tariff_key(market_id)) or {"steps": []}
    step = _step(tariff, month) or {}
    metered = (read(view, heat_readings_key(market_id, month)) or {}).get("heat_mcal", {})
    prefix = heat_contract_key(market_id, "")
    lines = []
    for key, contract in scan(view, prefix):
        inn = key[len(prefix) :]
        heat = int(metered.get(inn, 0))
        energy = heat_kopecks(heat, int(step.get("energy_kopecks_per_gcal", 0)))
        capacity = heat_kopecks(
            int(contract["capacity_mcal_per_hour"]),
            int(step.get("capacity_kopecks_per_gcal_per_hour_month", 0)),
        )
        lines.append(
            {
                "resident_inn": inn,
                "micro_district": contract["micro_district"],
                "heat_mcal": heat,
                "capacity_mcal_per_hour": contract["capacity_mcal_per_hour"],
                "energy_kopecks": energy,
                "capacity_kopecks": capacity,
                "total_kopecks": energy + capacity,
            }
        )
    return lines


def _utility_tariff(ctx: Context, market_id: str) -> dict[str, Any]:
    tariff = ctx.require(tariff_key(market_id), f"a heat tariff of market {market_id}")
    if tariff["utility"] != ctx.signer:
        raise rule_violation(f"only {tariff['utility']}, the market's heat utility, may do this")
    return tariff


def _step(tariff: dict[str, Any], month: str) -> dict[str, Any] | None:
    found = None
    for step in tariff["steps"]:
        if step["from"] <= month:
            found = step
    return found
