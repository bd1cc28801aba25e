"""The day-ahead market's calendar, sealed orders, money and heat units, without storage.

A delivery day is cut into periods of ``period_minutes`` (60 by default, or 15) numbered from
1 in the market's local time. Orders for day D are committed (a hash) until the gate closes
at ``gate_closure`` local time on D − 1, revealed until ``reveal_minutes`` later, then
cleared period by period. Money is in kopecks; a price in kopecks per MWh times an energy in
kWh is millikopecks, rounded to kopecks once per invoice line, halves away from zero. Heat is
metered in Mcal (1 Gcal = 1,000 Mcal = 1.163 MWh) and billed per Gcal.
"""

from datetime import date
from typing import Any

import msgspec

from krai.crypto.canonical import canonical_bytes
from krai.crypto.hashing import sha256
from krai.state.records import Record, RecordFormError, SafeInt

PREFIX = "energy/"
MS_PER_MINUTE = 60_000
MINUTES_PER_DAY = 1_440
MILLIKOPECKS_PER_KOPECK = 1_000
MCAL_PER_GCAL = 1_000
GATE_CLOSURE_PATTERN = r"([01][0-9]|2[0-3]):[0-5][0-9]"
MONTH_PATTERN = r"[0-9]{4}-(0[1-9]|1[0-2])"


def market_key(market_id: str) -> str:
    """State key of a market."""
    return f"{PREFIX}market/{market_id}"


def participant_key(market_id: str, inn: str) -> str:
    """State key of a participant of a market."""
    return f"{PREFIX}participant/{market_id}/{inn}"


def grid_prices_key(market_id: str, day: str) -> str:
    """State key of the grid's prices for a delivery day."""
    return f"{PREFIX}grid/{market_id}/{day}"


def sealed_key(market_id: str, day: str, inn: str) -> str:
    """State key of a participant's sealed (then revealed) orders for a day."""
    return f"{PREFIX}sealed/{market_id}/{day}/{inn}"


def clearing_key(market_id: str, day: str, period: int) -> str:
    """State key of a period's clearing result."""
    return f"{PREFIX}clearing/{market_id}/{day}/{period:03d}"


def blocks_key(market_id: str, day: str) -> str:
    """State key of the day's decision on block orders."""
    return f"{PREFIX}blocks/{market_id}/{day}"


def readings_key(market_id: str, day: str, inn: str) -> str:
    """State key of a participant's meter readings for a day."""
    return f"{PREFIX}reading/{market_id}/{day}/{inn}"


def settlement_key(market_id: str, day: str) -> str:
    """State key of a day's settlement."""
    return f"{PREFIX}settlement/{market_id}/{day}"


def heat_contract_key(market_id: str, inn: str) -> str:
    """State key of a resident's heat supply contract."""
    return f"{PREFIX}heat/contract/{market_id}/{inn}"


def heat_readings_key(market_id: str, month: str) -> str:
    """State key of a month's heat meter readings."""
    return f"{PREFIX}heat/reading/{market_id}/{month}"


def heat_settlement_key(market_id: str, month: str) -> str:
    """State key of a month's heat settlement."""
    return f"{PREFIX}heat/settlement/{market_id}/{month}"


def tariff_key(market_id: str) -> str:
    """State key of the market's heat tariff timeline."""
    return f"{PREFIX}heat/tariff/{market_id}"


def periods_per_day(market: "Market") -> int:
    """How many delivery periods a day has in this market."""
    return MINUTES_PER_DAY // market.period_minutes


def day_start_ms(day: str, utc_offset_minutes: int) -> int:
    """The ledger time (ms since the epoch) at which a local calendar day begins."""
    days = (date.fromisoformat(day) - date(1970, 1, 1)).days
    return (days * MINUTES_PER_DAY - utc_offset_minutes) * MS_PER_MINUTE


def gate_closure_ms(market: "Market", day: str) -> int:
    """When orders for delivery ``day`` stop being accepted: the gate time on the day before."""
    hours, minutes = (int(part) for part in market.gate_closure.split(":"))
    start = day_start_ms(day, market.utc_offset_minutes)
    return start - (MINUTES_PER_DAY - hours * 60 - minutes) * MS_PER_MINUTE


def reveal_deadline_ms(market: "Market", day: str) -> int:
    """When revealing orders for ``day`` ends and clearing may begin."""
    return gate_closure_ms(market, day) + market.reveal_minutes * MS_PER_MINUTE


def limit_kwh(power_kw: int, market: "Market") -> int:
    """The energy a connection limit in kW allows in one period (rounded down)."""
    return power_kw * market.period_minutes // 60


def limits_on(market: "Market", day: str) -> "LimitStep | None":
    """The connection limits in effect on a day (the latest step from on or before it)."""
    found = None
    for step in market.limits:
        if step.from_ <= day:
            found = step
    return found


def commitment(  # noqa: PLR0917 -- the fields of the committed document
    market_id: str,
    day: str,
    inn: str,
    salt: str,
    orders: list[dict[str, Any]],
    blocks: list[dict[str, Any]],
) -> str:
    """The SHA-256 (hex) a participant commits to before the gate closes: of the canonical
    JSON of ``{"market_id", "delivery_date", "participant", "salt", "orders", "blocks"}``."""
    document = {
        "market_id": market_id,
        "delivery_date": day,
        "participant": inn,
        "salt": salt,
        "orders": orders,
        "blocks": blocks,
    }
    return sha256(canonical_bytes(document)).hex()


def order_id(inn: str, own_id: str) -> str:
    """An order's id in the period's book: the participant's INN and its own id."""
    return f"{inn}:{own_id}"


def kopecks(millikopecks: int) -> int:
    """Millikopecks rounded to whole kopecks, halves away from zero."""
    sign = -1 if millikopecks < 0 else 1
    return sign * ((abs(millikopecks) + MILLIKOPECKS_PER_KOPECK // 2) // MILLIKOPECKS_PER_KOPECK)


def value_millikopecks(price_kopecks_per_mwh: int, energy_kwh: int) -> int:
    """Price × energy: kopecks per MWh × kWh = millikopecks."""
    return price_kopecks_per_mwh * energy_kwh


def heat_kopecks(heat_mcal: int, kopecks_per_gcal: int) -> int:
    """Heat in Mcal at a price per Gcal, in kopecks (halves away from zero)."""
    return kopecks(heat_mcal * kopecks_per_gcal)


class Stamp(Record, frozen=True):
    """Who established a record, and where and when in the log (``Context.provenance``)."""

    by: str
    index: SafeInt
    time_ms: SafeInt
    tx_id: str


class Stamped(Record, frozen=True, kw_only=True):
    """A record that carries its stamp's fields beside its own."""

    by: str
    index: SafeInt
    time_ms: SafeInt
    tx_id: str


class LimitStep(Stamped, frozen=True, kw_only=True):
    """The connection's import and export limits from a day on."""

    from_: str = msgspec.field(name="from")
    import_limit_kw: SafeInt
    export_limit_kw: SafeInt
    source: str


class Market(Stamped, frozen=True, kw_only=True):
    """A day-ahead market, stored under ``market_key``; ``by`` is who opened it."""

    park_id: str
    title: str
    utc_offset_minutes: SafeInt
    period_minutes: SafeInt
    gate_closure: str
    reveal_minutes: SafeInt
    price_floor_kopecks_per_mwh: SafeInt
    price_cap_kopecks_per_mwh: SafeInt
    grid_fee_kopecks_per_mwh: SafeInt
    settlement_account: str
    operator: str
    limits: tuple[LimitStep, ...]

    def with_limits(self, step: LimitStep) -> "Market":
        """The market with ``step`` in its timeline, replacing one from the same day."""
        kept = [s for s in self.limits if s.from_ != step.from_]
        limits = tuple(sorted([*kept, step], key=lambda s: s.from_))
        return msgspec.structs.replace(self, limits=limits)


class MarketView(Market, frozen=True, kw_only=True):
    """A market with its id: what queries answer."""

    market_id: str


class Participant(Stamped, frozen=True, kw_only=True):
    """A participant of a market and the account its settlement uses."""

    account_id: str


class GridPrice(Record, frozen=True):
    """The grid's sell and buy prices in one period."""

    grid_sell_price_kopecks_per_mwh: SafeInt
    grid_buy_price_kopecks_per_mwh: SafeInt


class GridPrices(Stamped, frozen=True, kw_only=True):
    """The grid's prices for a delivery day, by period number (as text)."""

    periods: dict[str, GridPrice]
    source: str


class SealedOrder(Record, frozen=True):
    """A revealed single-period order, as the participant committed to it."""

    order_id: str
    period: SafeInt
    side: str
    price_kopecks_per_mwh: SafeInt
    energy_kwh: SafeInt


class SealedBlock(Record, frozen=True):
    """A revealed block order, as the participant committed to it."""

    block_id: str
    side: str
    first_period: SafeInt
    last_period: SafeInt
    price_kopecks_per_mwh: SafeInt
    energy_kwh: SafeInt
    min_acceptance_basis_points: SafeInt


class Sealed(Record, frozen=True):
    """A participant's commitment for a day and, once revealed, its orders and blocks."""

    commitment_sha256: str
    committed: Stamp
    orders: tuple[SealedOrder, ...] | None = None
    blocks: tuple[SealedBlock, ...] | None = None
    revealed: Stamp | None = None

    def with_reveal(
        self, orders: tuple[SealedOrder, ...], blocks: tuple[SealedBlock, ...], stamp: Stamp
    ) -> "Sealed":
        """The commitment with its revealed orders (and blocks, if any)."""
        return msgspec.structs.replace(self, orders=orders, blocks=blocks or None, revealed=stamp)


class AcceptedEnergy(Record, frozen=True):
    """How much of one order (``INN:own-id``) a clearing accepted."""

    id: str
    energy_kwh: SafeInt


class ClearingCertificate(Record, frozen=True):
    """The interval of supporting prices (None: unbounded) and the volume traded."""

    price_low_kopecks_per_mwh: SafeInt | None
    price_high_kopecks_per_mwh: SafeInt | None
    traded_kwh: SafeInt


class Clearing(Stamped, frozen=True, kw_only=True):
    """A period's clearing result with its certificate, stored under ``clearing_key``."""

    price_kopecks_per_mwh: SafeInt
    accepted: tuple[AcceptedEnergy, ...]
    import_kwh: SafeInt
    export_kwh: SafeInt
    welfare_millikopecks: SafeInt
    certificate: ClearingCertificate


class BlockChoice(Stamped, frozen=True, kw_only=True):
    """The day's decision on block orders: accepted ratios (basis points), dropped reasons."""

    accepted: dict[str, SafeInt]
    dropped: dict[str, str]


class MeterReading(Stamped, frozen=True, kw_only=True):
    """One period's metered energy; a measured reading keeps the estimate it replaced."""

    consumption_kwh: SafeInt
    generation_kwh: SafeInt
    estimated: bool
    replaces: "MeterReading | None" = None


MeterReadings = dict[str, MeterReading]
"""A participant's readings of a day by period number (as text), under ``readings_key``."""

_READINGS_ENCODER = msgspec.json.Encoder(order="sorted")
_READINGS_DECODER = msgspec.json.Decoder(MeterReadings)


def encode_readings(readings: MeterReadings) -> bytes:
    """The canonical bytes of a day's readings (sorted period numbers, as JSON keys)."""
    return _READINGS_ENCODER.encode(readings)


def decode_readings(raw: bytes, key: str = "") -> MeterReadings:
    """The readings stored as ``raw`` (under ``key``), or RecordFormError."""
    try:
        return _READINGS_DECODER.decode(raw)
    except msgspec.DecodeError as error:
        raise RecordFormError(f"{key or 'value'} is not MeterReadings: {error}") from error


class Invoice(Record, frozen=True, kw_only=True):
    """A participant's bill for a day, and (once settled) what moved and what did not."""

    energy_kopecks: SafeInt
    imbalance_kopecks: SafeInt
    grid_fee_kopecks: SafeInt
    total_kopecks: SafeInt
    periods_missing: tuple[SafeInt, ...]
    periods_estimated: tuple[SafeInt, ...]
    paid_kopecks: SafeInt | None = None
    unpaid_kopecks: SafeInt | None = None

    def with_payment(self, paid_kopecks: int, unpaid_kopecks: int | None) -> "Invoice":
        """The invoice with what was paid of it (and what was not)."""
        return msgspec.structs.replace(
            self, paid_kopecks=paid_kopecks, unpaid_kopecks=unpaid_kopecks
        )


class SettledBefore(Record, frozen=True):
    """The revision a true-up replaced, with each participant's total then."""

    revision: SafeInt
    totals: dict[str, SafeInt]


class Settlement(Stamped, frozen=True, kw_only=True):
    """A day's settlement: its revision and every participant's invoice by INN."""

    revision: SafeInt
    invoices: dict[str, Invoice]
    previous: SettledBefore | None = None

    def totals(self) -> dict[str, int]:
        """Each participant's invoice total."""
        return {inn: bill.total_kopecks for inn, bill in self.invoices.items()}


class TariffStep(Stamped, frozen=True, kw_only=True):
    """The heat tariff from a month on."""

    from_: str = msgspec.field(name="from")
    energy_kopecks_per_gcal: SafeInt
    capacity_kopecks_per_gcal_per_hour_month: SafeInt
    avoided_fuel_kopecks_per_gcal: SafeInt
    source: str


class HeatTariff(Record, frozen=True):
    """The market's heat utility, the account it pays from, and its tariff timeline."""

    utility: str
    account_id: str
    steps: tuple[TariffStep, ...]

    def with_step(self, account_id: str, step: TariffStep) -> "HeatTariff":
        """The tariff paid from ``account_id``, with ``step`` replacing one of its month."""
        kept = [s for s in self.steps if s.from_ != step.from_]
        steps = tuple(sorted([*kept, step], key=lambda s: s.from_))
        return msgspec.structs.replace(self, account_id=account_id, steps=steps)

    def step_in(self, month: str) -> TariffStep | None:
        """The step in effect in ``month`` (the latest from on or before it)."""
        found = None
        for step in self.steps:
            if step.from_ <= month:
                found = step
        return found


class HeatContract(Stamped, frozen=True, kw_only=True):
    """A resident's contracted heat capacity into a micro-district."""

    capacity_mcal_per_hour: SafeInt
    micro_district: str


class HeatReadings(Stamped, frozen=True, kw_only=True):
    """A month's heat by resident INN."""

    heat_mcal: dict[str, SafeInt]


class HeatLine(Record, frozen=True, kw_only=True):
    """A contracted resident's heat and capacity in a month and what each part pays."""

    resident_inn: str
    micro_district: str
    heat_mcal: SafeInt
    capacity_mcal_per_hour: SafeInt
    energy_kopecks: SafeInt
    capacity_kopecks: SafeInt
    total_kopecks: SafeInt


class HeatSettlement(Stamped, frozen=True, kw_only=True):
    """A month's heat payments by resident and the boiler fuel it avoided."""

    lines: tuple[HeatLine, ...]
    avoided_fuel_kopecks: SafeInt
