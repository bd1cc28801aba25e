"""Energy exchange transactions: market set-up, sealed orders, clearing, metering,
settlement, and waste heat."""

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.accounts.messages import AccountId
from krai.modules.energy.book import OrderKwh, PriceKopecksPerMwh, Side
from krai.modules.energy.model import GATE_CLOSURE_PATTERN, MONTH_PATTERN
from krai.modules.identity.messages import Inn
from krai.state.messages import Date, Hex256, Length, Max, Min, Pattern

Slug = Annotated[str, Pattern(r"[a-z0-9][a-z0-9._-]{0,63}")]
OwnOrderId = Annotated[str, Pattern(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")]
Month = Annotated[str, Pattern(MONTH_PATTERN)]
Period = Annotated[int, Min(1), Max(96)]
Kwh = Annotated[int, Min(0), Max(MAX_SAFE_INTEGER)]
Kw = Annotated[int, Min(0), Max(MAX_SAFE_INTEGER)]
Amount = Annotated[int, Min(0), Max(MAX_SAFE_INTEGER)]
Source = Annotated[str, Length(1, 300)]


@dataclass(frozen=True)
class OpenMarketV1:
    """Version 1, kept to replay old logs: a market with no grid account, for any park id."""

    TYPE: ClassVar[str] = "energy.open_market"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    park_id: Slug
    title: Annotated[str, Length(1, 300)]
    utc_offset_minutes: Annotated[int, Min(-720), Max(840)]
    period_minutes: Literal[60, 15]
    gate_closure: Annotated[str, Pattern(GATE_CLOSURE_PATTERN)]
    reveal_minutes: Annotated[int, Min(1), Max(720)]
    price_floor_kopecks_per_mwh: PriceKopecksPerMwh
    price_cap_kopecks_per_mwh: PriceKopecksPerMwh
    grid_fee_kopecks_per_mwh: Annotated[int, Min(0), Max(100_000_000)]
    settlement_account: AccountId


@dataclass(frozen=True)
class OpenMarket:
    """A market operator opens a day-ahead market for a registered park, settled through its
    account, with the grid company's account that each settled day pays or is paid by."""

    TYPE: ClassVar[str] = "energy.open_market"
    VERSION: ClassVar[int] = 2
    market_id: Slug
    park_id: Slug
    title: Annotated[str, Length(1, 300)]
    utc_offset_minutes: Annotated[int, Min(-720), Max(840)]
    period_minutes: Literal[60, 15]
    gate_closure: Annotated[str, Pattern(GATE_CLOSURE_PATTERN)]
    reveal_minutes: Annotated[int, Min(1), Max(720)]
    price_floor_kopecks_per_mwh: PriceKopecksPerMwh
    price_cap_kopecks_per_mwh: PriceKopecksPerMwh
    grid_fee_kopecks_per_mwh: Annotated[int, Min(0), Max(100_000_000)]
    settlement_account: AccountId
    grid_account: AccountId


@dataclass(frozen=True)
class SetConnectionLimits:
    """From a date on, the park's connection imports and exports at most these kW."""

    TYPE: ClassVar[str] = "energy.set_connection_limits"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    from_date: Date
    import_limit_kw: Kw
    export_limit_kw: Kw
    source: Source


@dataclass(frozen=True)
class GridPrice:
    """The grid's prices in one period: it sells to the park at one, buys from it at the other."""

    period: Period
    grid_sell_price_kopecks_per_mwh: PriceKopecksPerMwh
    grid_buy_price_kopecks_per_mwh: PriceKopecksPerMwh


@dataclass(frozen=True)
class SetGridPrices:
    """Before the gate closes, the operator publishes the grid's prices for every period."""

    TYPE: ClassVar[str] = "energy.set_grid_prices"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date
    prices: Annotated[list[GridPrice], Length(1, 96)]
    source: Source


@dataclass(frozen=True)
class JoinMarket:
    """A participant joins, naming its own account that settlement debits and credits."""

    TYPE: ClassVar[str] = "energy.join_market"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    account_id: AccountId


@dataclass(frozen=True)
class CommitOrders:
    """Before the gate closes, a participant commits to its day's orders by their hash."""

    TYPE: ClassVar[str] = "energy.commit_orders"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date
    commitment_sha256: Hex256


@dataclass(frozen=True)
class RevealedOrder:
    """One step of a participant's curve in one period."""

    order_id: OwnOrderId
    period: Period
    side: Side
    price_kopecks_per_mwh: PriceKopecksPerMwh
    energy_kwh: OrderKwh


@dataclass(frozen=True)
class RevealedBlock:
    """A block: the same energy in each period of a span, one acceptance ratio for all."""

    block_id: OwnOrderId
    side: Side
    first_period: Period
    last_period: Period
    price_kopecks_per_mwh: PriceKopecksPerMwh
    energy_kwh: OrderKwh
    min_acceptance_basis_points: Annotated[int, Min(1), Max(10_000)]


@dataclass(frozen=True)
class RevealOrders:
    """After the gate closes, the participant reveals the orders its commitment hides."""

    TYPE: ClassVar[str] = "energy.reveal_orders"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date
    salt: Hex256
    orders: Annotated[list[RevealedOrder], Length(0, 500)]
    blocks: Annotated[list[RevealedBlock], Length(0, 50)] | None = None


@dataclass(frozen=True)
class Accepted:
    """An order's accepted energy in a clearing result."""

    id: Annotated[str, Length(1, 200)]
    energy_kwh: Kwh


@dataclass(frozen=True)
class SubmitClearing:
    """The operator submits a period's result; every node recomputes it and must agree."""

    TYPE: ClassVar[str] = "energy.submit_clearing"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date
    period: Period
    price_kopecks_per_mwh: PriceKopecksPerMwh
    accepted: Annotated[list[Accepted], Length(0, 5000)]
    import_kwh: Kwh
    export_kwh: Kwh
    welfare_millikopecks: Annotated[int, Min(-MAX_SAFE_INTEGER), Max(MAX_SAFE_INTEGER)]


@dataclass(frozen=True)
class Reading:
    """A participant's metered energy in one period; ``estimated`` until a real reading."""

    participant_inn: Inn
    period: Period
    consumption_kwh: Kwh
    generation_kwh: Kwh
    estimated: bool | None = None


@dataclass(frozen=True)
class SubmitReadings:
    """The meter operator submits readings; a measured one later replaces an estimate."""

    TYPE: ClassVar[str] = "energy.submit_readings"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date
    readings: Annotated[list[Reading], Length(1, 2000)]


@dataclass(frozen=True)
class SettleDayV1:
    """Version 1, kept to replay old logs: settles a market that names no grid account."""

    TYPE: ClassVar[str] = "energy.settle_day"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date


@dataclass(frozen=True)
class SettleDay:
    """The operator settles a day as balances (again after late readings: a true-up moves the
    difference between the new invoice and what was paid), the grid's share included."""

    TYPE: ClassVar[str] = "energy.settle_day"
    VERSION: ClassVar[int] = 2
    market_id: Slug
    delivery_date: Date


@dataclass(frozen=True)
class CollectOutstanding:
    """The operator collects what accounts can now cover of a settled day's outstanding
    amounts (every day, oldest first, when no day is named) and pays who is owed."""

    TYPE: ClassVar[str] = "energy.collect_outstanding"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date | None = None


Party = Annotated[str, Pattern(r"grid|[0-9]{10}|[0-9]{12}")]


@dataclass(frozen=True)
class WriteOff:
    """The operator's decision to close a party's outstanding amount of a day without money:
    ``amount_kopecks`` is that outstanding as the statement shows it (+ owed to the market,
    − owed by it) and must match."""

    TYPE: ClassVar[str] = "energy.write_off"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    delivery_date: Date
    party: Party
    amount_kopecks: Annotated[int, Min(-MAX_SAFE_INTEGER), Max(MAX_SAFE_INTEGER)]
    reason: Annotated[str, Length(1, 1000)]
    legal_basis: Source


@dataclass(frozen=True)
class SetHeatTariff:
    """The district-heating utility buys residents' waste heat under a two-part tariff."""

    TYPE: ClassVar[str] = "energy.set_heat_tariff"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    from_month: Month
    energy_kopecks_per_gcal: Amount
    capacity_kopecks_per_gcal_per_hour_month: Amount
    avoided_fuel_kopecks_per_gcal: Amount
    account_id: AccountId
    source: Source


@dataclass(frozen=True)
class ContractHeat:
    """The utility contracts a resident's heat: capacity (Mcal/h) into a micro-district."""

    TYPE: ClassVar[str] = "energy.contract_heat"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    resident_inn: Inn
    capacity_mcal_per_hour: Annotated[int, Min(1), Max(MAX_SAFE_INTEGER)]
    micro_district: Annotated[str, Length(1, 200)]


@dataclass(frozen=True)
class HeatReading:
    """Heat a resident delivered in a month, metered per Decree 1034."""

    resident_inn: Inn
    heat_mcal: Amount


@dataclass(frozen=True)
class SubmitHeatReadings:
    """The meter operator submits a month's heat readings."""

    TYPE: ClassVar[str] = "energy.submit_heat_readings"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    month: Month
    readings: Annotated[list[HeatReading], Length(1, 500)]


@dataclass(frozen=True)
class SettleHeat:
    """The utility pays each contracted resident for a month: energy plus capacity."""

    TYPE: ClassVar[str] = "energy.settle_heat"
    VERSION: ClassVar[int] = 1
    market_id: Slug
    month: Month
