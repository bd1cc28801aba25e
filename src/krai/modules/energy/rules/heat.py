"""Waste heat sold to district heating under a two-part tariff.

The utility sets its tariff (per Gcal of heat, per Gcal/h of contracted capacity per month)
and the boiler fuel cost each Gcal avoids, contracts residents' capacity into micro-districts,
and pays each month: metered heat × energy price + contracted capacity × capacity price.
"""

from krai.modules.accounts.queries import account_record
from krai.modules.accounts.rules import move
from krai.modules.energy import events
from krai.modules.energy.messages import ContractHeat, SetHeatTariff, SettleHeat, SubmitHeatReadings
from krai.modules.energy.model import (
    heat_contract_key,
    heat_kopecks,
    heat_readings_key,
    heat_settlement_key,
    month_end_ms,
    tariff_key,
)
from krai.modules.energy.queries import heat_contracts, heat_metered
from krai.modules.energy.records import (
    HeatContract,
    HeatLine,
    HeatReadings,
    HeatSettlement,
    HeatTariff,
    TariffStep,
)
from krai.modules.energy.rules.records import after_delivery, market, participant, required
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.state.store import StateView
from krai.tx.errors import conflict, invalid_body, rule_violation


def validate_tariff(ctx: Context, message: SetHeatTariff) -> None:
    """One utility per market buys the heat, paying from its own account."""
    market(ctx, message.market_id)
    current = heat_tariff(ctx.state, message.market_id)
    if current is not None and current.utility != ctx.signer:
        raise conflict(f"market {message.market_id} sells its heat to {current.utility}")
    found = account_record(ctx.state, message.account_id)
    if found is None or found.owner != ctx.signer:
        raise rule_violation(f"account {message.account_id} is not an open account of {ctx.signer}")


def apply_tariff(ctx: Context, message: SetHeatTariff) -> None:
    """Insert the tariff step (replacing one from the same month)."""
    current = heat_tariff(ctx.state, message.market_id)
    record = current or HeatTariff(ctx.signer, message.account_id, ())
    step = TariffStep(
        from_=message.from_month,
        energy_kopecks_per_gcal=message.energy_kopecks_per_gcal,
        capacity_kopecks_per_gcal_per_hour_month=message.capacity_kopecks_per_gcal_per_hour_month,
        avoided_fuel_kopecks_per_gcal=message.avoided_fuel_kopecks_per_gcal,
        source=message.source,
        **ctx.provenance(),
    )
    write_record(
        ctx.state, tariff_key(message.market_id), record.with_step(message.account_id, step)
    )
    ctx.emit(events.HeatTariffSet(message.market_id, message.from_month, ctx.signer))


def heat_tariff(view: StateView, market_id: str) -> HeatTariff | None:
    """The market's heat tariff timeline, or None."""
    return read_record(view, tariff_key(market_id), HeatTariff)


def validate_contract(ctx: Context, message: ContractHeat) -> None:
    """The market's heat utility contracts a participant."""
    _utility_tariff(ctx, message.market_id)
    participant(ctx, message.market_id, message.resident_inn)


def apply_contract(ctx: Context, message: ContractHeat) -> None:
    """Record (or replace) the contract."""
    record = HeatContract(
        capacity_mcal_per_hour=message.capacity_mcal_per_hour,
        micro_district=message.micro_district,
        **ctx.provenance(),
    )
    write_record(ctx.state, heat_contract_key(message.market_id, message.resident_inn), record)
    ctx.emit(
        events.HeatContracted(
            message.market_id, message.resident_inn, message.capacity_mcal_per_hour
        )
    )


def validate_heat_readings(ctx: Context, message: SubmitHeatReadings) -> None:
    """A month's readings, once the month is over, of contracted residents only."""
    found = market(ctx, message.market_id)
    ends = month_end_ms(message.month, found.utc_offset_minutes)
    after_delivery(ctx, found, ends, f"heat month {message.month}")
    if ctx.state.get_bytes(heat_readings_key(message.market_id, message.month)) is not None:
        raise conflict(f"heat for {message.month} is already metered")
    names = [r.resident_inn for r in message.readings]
    if len(set(names)) != len(names):
        raise invalid_body("body.readings: a resident appears twice")
    for inn in names:
        key = heat_contract_key(message.market_id, inn)
        required(ctx, key, HeatContract, f"a heat contract of {inn}")


def apply_heat_readings(ctx: Context, message: SubmitHeatReadings) -> None:
    """Record the month's heat by resident."""
    heat = {r.resident_inn: r.heat_mcal for r in message.readings}
    record = HeatReadings(heat_mcal=heat, **ctx.provenance())
    write_record(ctx.state, heat_readings_key(message.market_id, message.month), record)
    total = sum(r.heat_mcal for r in message.readings)
    ctx.emit(events.HeatReadingsSubmitted(message.market_id, message.month, total))


def validate_heat_settlement(ctx: Context, message: SettleHeat) -> None:
    """The utility settles a metered month once, under a tariff in effect."""
    tariff = _utility_tariff(ctx, message.market_id)
    key = heat_readings_key(message.market_id, message.month)
    required(ctx, key, HeatReadings, f"heat readings for {message.month}")
    if ctx.state.get_bytes(heat_settlement_key(message.market_id, message.month)) is not None:
        raise conflict(f"heat for {message.month} is already settled")
    if tariff.step_in(message.month) is None:
        raise rule_violation(f"no heat tariff is in effect in {message.month}")


def apply_heat_settlement(ctx: Context, message: SettleHeat) -> None:
    """Pay each contracted resident; record heat per micro-district and fuel avoided."""
    tariff = _utility_tariff(ctx, message.market_id)
    lines = heat_statement(ctx.state, message.market_id, message.month)
    reference = f"heat:{message.market_id}:{message.month}"
    for line in lines:
        own = participant(ctx, message.market_id, line.resident_inn).account_id
        if line.total_kopecks > 0:
            move(
                ctx,
                tariff.account_id,
                own,
                line.total_kopecks,
                purpose=None,
                reference=reference,
            )
    step = tariff.step_in(message.month)
    heat = sum(line.heat_mcal for line in lines)
    avoided = heat_kopecks(heat, 0 if step is None else step.avoided_fuel_kopecks_per_gcal)
    paid = sum(line.total_kopecks for line in lines)
    record = HeatSettlement(lines=tuple(lines), avoided_fuel_kopecks=avoided, **ctx.provenance())
    write_record(ctx.state, heat_settlement_key(message.market_id, message.month), record)
    ctx.emit(events.HeatSettled(message.market_id, message.month, heat, paid, avoided))


def heat_statement(view: StateView, market_id: str, month: str) -> list[HeatLine]:
    """Per contracted resident: heat, capacity, and what each part of the tariff pays."""
    tariff = heat_tariff(view, market_id)
    step = None if tariff is None else tariff.step_in(month)
    energy_price = 0 if step is None else step.energy_kopecks_per_gcal
    capacity_price = 0 if step is None else step.capacity_kopecks_per_gcal_per_hour_month
    metered = heat_metered(view, market_id, month)
    lines = []
    for inn, contract in heat_contracts(view, market_id):
        heat = metered.get(inn, 0)
        energy = heat_kopecks(heat, energy_price)
        capacity = heat_kopecks(contract.capacity_mcal_per_hour, capacity_price)
        lines.append(
            HeatLine(
                resident_inn=inn,
                micro_district=contract.micro_district,
                heat_mcal=heat,
                capacity_mcal_per_hour=contract.capacity_mcal_per_hour,
                energy_kopecks=energy,
                capacity_kopecks=capacity,
                total_kopecks=energy + capacity,
            )
        )
    return lines


def _utility_tariff(ctx: Context, market_id: str) -> HeatTariff:
    tariff = required(
        ctx, tariff_key(market_id), HeatTariff, f"a heat tariff of market {market_id}"
    )
    if tariff.utility != ctx.signer:
        raise rule_violation(f"only {tariff.utility}, the market's heat utility, may do this")
    return tariff
