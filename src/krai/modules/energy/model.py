"""The day-ahead market's calendar, sealed orders, money and heat units, without storage.

A delivery day is cut into periods of ``period_minutes`` (60 by default, or 15) numbered from
1 in the market's local time. Orders for day D are committed (a hash) until the gate closes
at ``gate_closure`` local time on D − 1, revealed until ``reveal_minutes`` later, then
cleared period by period. Money is in kopecks; a price in kopecks per MWh times an energy in
kWh is millikopecks, rounded to kopecks once per invoice line, halves away from zero. Heat is
metered in Mcal (1 Gcal = 1,000 Mcal = 1.163 MWh) and billed per Gcal. What each state key
holds is in ``records.py``.
"""

from datetime import date
from typing import TYPE_CHECKING, Any

from krai.crypto.canonical import canonical_bytes
from krai.crypto.hashing import sha256

if TYPE_CHECKING:
    from krai.modules.energy.records import LimitStep, Market

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


def period_end_ms(market: "Market", day: str, period: int) -> int:
    """When delivery period ``period`` (from 1) of ``day`` ends, in ledger time."""
    start = day_start_ms(day, market.utc_offset_minutes)
    return start + period * market.period_minutes * MS_PER_MINUTE


def month_end_ms(month: str, utc_offset_minutes: int) -> int:
    """When the local calendar month ``YYYY-MM`` ends, in ledger time."""
    year, number = (int(part) for part in month.split("-"))
    following = f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"
    return day_start_ms(following, utc_offset_minutes)


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
