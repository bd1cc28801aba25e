"""The records energy state holds: markets and their limits, participants, grid prices,
sealed and revealed orders, clearings with their certificates, block choices, meter
readings, settlements and heat (``Record`` subclasses encoded to exactly their canonical bytes,
ADR 0022). A change is a new record, never a mutation.
"""

import msgspec

from krai.state.records import Record, RecordFormError, SafeInt


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
    grid_account: str | None = None
    """The grid company's account (version 2 markets); None: settled by version 1 rules."""

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


class Balance(Record, frozen=True, kw_only=True):
    """What has been paid of an invoice over all revisions and collections (signed: + into
    the market's settlement account, − out of it) and what was written off."""

    paid_kopecks: SafeInt = 0
    written_off_kopecks: SafeInt = 0

    def outstanding(self, invoiced_kopecks: int) -> int:
        """What is still owed of ``invoiced_kopecks`` (+ to the market, − by it)."""
        return invoiced_kopecks - self.paid_kopecks - self.written_off_kopecks

    def with_paid(self, kopecks: int) -> "Balance":
        """The balance after ``kopecks`` more were paid in (negative: paid out)."""
        return msgspec.structs.replace(self, paid_kopecks=self.paid_kopecks + kopecks)

    def with_written_off(self, kopecks: int) -> "Balance":
        """The balance after ``kopecks`` more were written off."""
        return msgspec.structs.replace(self, written_off_kopecks=self.written_off_kopecks + kopecks)


class Invoice(Record, frozen=True, kw_only=True):
    """A participant's bill for a day, and (once settled) what moved and what did not:
    version 1 records ``paid_kopecks``/``unpaid_kopecks`` of the revision's difference,
    version 2 the day's ``balance``."""

    energy_kopecks: SafeInt
    imbalance_kopecks: SafeInt
    grid_fee_kopecks: SafeInt
    total_kopecks: SafeInt
    periods_missing: tuple[SafeInt, ...]
    periods_estimated: tuple[SafeInt, ...]
    paid_kopecks: SafeInt | None = None
    unpaid_kopecks: SafeInt | None = None
    balance: Balance | None = None

    def outstanding(self) -> int:
        """What is still owed of the invoice (+ by the participant, − to it)."""
        return (self.balance or Balance()).outstanding(self.total_kopecks)

    def with_balance(self, balance: Balance) -> "Invoice":
        """The invoice with the day's balance."""
        return msgspec.structs.replace(self, balance=balance)

    def with_payment(self, paid_kopecks: int, unpaid_kopecks: int | None) -> "Invoice":
        """The invoice with what was paid of it (and what was not)."""
        return msgspec.structs.replace(
            self, paid_kopecks=paid_kopecks, unpaid_kopecks=unpaid_kopecks
        )


class SettledBefore(Record, frozen=True):
    """The revision a true-up replaced, with each participant's total then."""

    revision: SafeInt
    totals: dict[str, SafeInt]


class GridInvoice(Record, frozen=True, kw_only=True):
    """What a day owes the grid company (signed: − the grid owes the market): the sums of the
    participants' invoice lines, with what the market has paid it (− was paid by it)."""

    energy_kopecks: SafeInt
    imbalance_kopecks: SafeInt
    grid_fee_kopecks: SafeInt
    total_kopecks: SafeInt
    balance: Balance = msgspec.field(default_factory=Balance)

    def outstanding(self) -> int:
        """What the market still owes the grid (−: the grid owes the market)."""
        return self.balance.outstanding(self.total_kopecks)


class WrittenOff(Stamped, frozen=True, kw_only=True):
    """The operator's decision closing a party's outstanding amount without money."""

    party: str
    amount_kopecks: SafeInt
    reason: str
    legal_basis: str


class Settlement(Stamped, frozen=True, kw_only=True):
    """A day's settlement: its revision and every participant's invoice by INN; version 2
    adds the grid's share and the write-offs, and balances kept over revisions."""

    revision: SafeInt
    invoices: dict[str, Invoice]
    previous: SettledBefore | None = None
    grid: GridInvoice | None = None
    write_offs: tuple[WrittenOff, ...] = ()

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
