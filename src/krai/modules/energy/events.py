"""Facts established by energy exchange transactions."""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class MarketOpened:
    NAME: ClassVar[str] = "energy.MarketOpened"
    market_id: str
    park_id: str
    operator: str


@dataclass(frozen=True)
class ConnectionLimitsSet:
    NAME: ClassVar[str] = "energy.ConnectionLimitsSet"
    market_id: str
    from_date: str
    import_limit_kw: int
    export_limit_kw: int


@dataclass(frozen=True)
class GridPricesSet:
    NAME: ClassVar[str] = "energy.GridPricesSet"
    market_id: str
    delivery_date: str
    periods: int


@dataclass(frozen=True)
class MarketJoined:
    NAME: ClassVar[str] = "energy.MarketJoined"
    market_id: str
    participant: str


@dataclass(frozen=True)
class OrdersCommitted:
    NAME: ClassVar[str] = "energy.OrdersCommitted"
    market_id: str
    delivery_date: str
    participant: str


@dataclass(frozen=True)
class OrdersRevealed:
    NAME: ClassVar[str] = "energy.OrdersRevealed"
    market_id: str
    delivery_date: str
    participant: str
    orders: int


@dataclass(frozen=True)
class CommitmentsUnrevealed:
    """Participants who committed but never revealed: their orders take no part."""

    NAME: ClassVar[str] = "energy.CommitmentsUnrevealed"
    market_id: str
    delivery_date: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class BlocksDecided:
    """The day's block orders: those accepted (each at one ratio) and those dropped."""

    NAME: ClassVar[str] = "energy.BlocksDecided"
    market_id: str
    delivery_date: str
    accepted: tuple[str, ...]
    dropped: tuple[str, ...]


@dataclass(frozen=True)
class PeriodCleared:
    NAME: ClassVar[str] = "energy.PeriodCleared"
    market_id: str
    delivery_date: str
    period: int
    price_kopecks_per_mwh: int
    traded_kwh: int
    import_kwh: int
    export_kwh: int


@dataclass(frozen=True)
class ReadingsSubmitted:
    NAME: ClassVar[str] = "energy.ReadingsSubmitted"
    market_id: str
    delivery_date: str
    measured: int
    estimated: int
    trued_up: int


@dataclass(frozen=True)
class DaySettled:
    NAME: ClassVar[str] = "energy.DaySettled"
    market_id: str
    delivery_date: str
    revision: int
    invoices: int
    moved_kopecks: int


@dataclass(frozen=True)
class InvoiceUnpaid:
    NAME: ClassVar[str] = "energy.InvoiceUnpaid"
    market_id: str
    delivery_date: str
    participant: str
    amount_kopecks: int


@dataclass(frozen=True)
class OutstandingCollected:
    NAME: ClassVar[str] = "energy.OutstandingCollected"
    market_id: str
    days: int
    moved_kopecks: int


@dataclass(frozen=True)
class OutstandingWrittenOff:
    NAME: ClassVar[str] = "energy.OutstandingWrittenOff"
    market_id: str
    delivery_date: str
    party: str
    amount_kopecks: int


@dataclass(frozen=True)
class HeatTariffSet:
    NAME: ClassVar[str] = "energy.HeatTariffSet"
    market_id: str
    from_month: str
    utility: str


@dataclass(frozen=True)
class HeatContracted:
    NAME: ClassVar[str] = "energy.HeatContracted"
    market_id: str
    resident_inn: str
    capacity_mcal_per_hour: int


@dataclass(frozen=True)
class HeatReadingsSubmitted:
    NAME: ClassVar[str] = "energy.HeatReadingsSubmitted"
    market_id: str
    month: str
    heat_mcal: int


@dataclass(frozen=True)
class HeatSettled:
    NAME: ClassVar[str] = "energy.HeatSettled"
    market_id: str
    month: str
    heat_mcal: int
    paid_kopecks: int
    avoided_fuel_kopecks: int
