"""Regions, clusters, parks, sites, infrastructure, residents, agreements, support, targets.

The invariants of the park registry, without storage: state keys, the lifecycles as
transition tables (each transition names the roles that may sign it), capacity units per kind
of infrastructure, calendar dates and quarters. Dates are ISO ``YYYY-MM-DD`` strings, so they
order as text; the ledger's own clock (an entry's ``time_ms``) is turned into a date in a
region's fixed UTC offset (Russia keeps no summer time). What each key stores is in
``records.py``.
"""

from enum import StrEnum
from typing import Literal, get_args

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.state.records import Record, SafeInt

PREFIX = "parks/"
AMOUNT_LIMIT = MAX_SAFE_INTEGER
"""No quantity passes 2^53 − 1 in its unit: JSON stays exact."""
"""No quantity passes 2^53 − 1 in its unit: JSON stays exact."""

CADASTRAL_PATTERN = r"[0-9]{2}:[0-9]{2}:[0-9]{6,7}:[0-9]{1,6}"
"""Rosreestr's cadastral number: district ``NN``, area ``NN``, quarter ``NNNNNN(N)``, plot."""
QUARTER_PATTERN = r"[0-9]{4}-Q[1-4]"


class Role(StrEnum):
    """The identity roles the park registry relies on."""

    GOVERNOR = "governor"
    AUTHORITY = "authority"
    PARK_OPERATOR = "park_operator"
    RESIDENT = "resident"
    INVESTOR = "investor"
    ATTESTOR = "attestor"
    AUDITOR = "auditor"


ParkKind = Literal[
    "industrial_park", "technopark", "sez", "it_park", "hitech_park", "creative_cluster"
]
ParkStatus = Literal["planned", "under_construction", "operating", "recognised", "excluded"]
SiteStatus = Literal["free", "reserved", "leased", "sold", "withdrawn"]
ResidentStatus = Literal[
    "intention",
    "application",
    "agreement",
    "registered",
    "in_production",
    "breach",
    "terminated",
]
LandCategory = Literal[
    "agricultural",
    "settlements",
    "industry_energy_transport",
    "protected",
    "forest",
    "water",
    "reserve",
]
"""The seven categories of land of the Land Code of the Russian Federation (art. 7)."""
"""The seven categories of land of the Land Code of the Russian Federation (art. 7)."""
InfrastructureKind = Literal[
    "substation",
    "gas",
    "gas_filling_station",
    "heat",
    "water",
    "sewage",
    "rail_siding",
    "road",
    "business_centre",
    "warehouse",
    "hotel",
    "housing",
    "own_generation",
]
OWN_GENERATION = "own_generation"
"""A resident's own generation: owned by that resident, not the park's grid capacity unless
declared for the grid."""
SupportKind = Literal["tax", "customs", "sez", "subsidy", "loan", "guarantee", "infrastructure"]
ParkFact = Literal[
    "distance_to_city_m",
    "distance_to_regional_centre_m",
    "distance_to_moscow_m",
    "distance_to_federal_road_m",
    "distance_to_rail_terminal_m",
    "distance_to_airport_m",
    "profit_tax_rate_basis_points",
    "property_tax_rate_basis_points",
    "land_tax_rate_basis_points",
    "free_production_space_m2",
    "public_investment_kopecks",
    "private_investment_kopecks",
    "jobs_created",
    "residents_count",
    "it_centres_count",
    "companies_count",
    "jobs_count",
    "tax_regime",
    "specialisation",
    "website",
    "mining_regime",
]
PARK_FACTS: tuple[str, ...] = get_args(ParkFact)
TEXT_FACTS = frozenset({"tax_regime", "specialisation", "website", "mining_regime"})
"""Facts whose value is text; every other fact is an integer in the unit its name ends in."""
"""Facts whose value is text; every other fact is an integer in the unit its name ends in."""

CAPACITY_UNIT: dict[str, str] = {
    "substation": "power_kw",
    "gas": "gas_m3_per_hour",
    "heat": "heat_mcal_per_hour",
    "water": "water_m3_per_day",
    "sewage": "sewage_m3_per_day",
    "rail_siding": "rail_cars_per_day",
    "road": "vehicles_per_hour",
    "gas_filling_station": "lpg_tonnes_per_year",
    "business_centre": "floor_area_m2",
    "warehouse": "floor_area_m2",
    "hotel": "hotel_rooms",
    "housing": "floor_area_m2",
    "own_generation": "power_kw",
}
"""The unit each kind of infrastructure states its capacity in (1 Gcal/h = 1,000 Mcal/h)."""
"""The unit each kind of infrastructure states its capacity in (1 Gcal/h = 1,000 Mcal/h)."""

Bound = Literal["exact", "about", "over", "at_least", "up_to", "under"]
"""How a stated quantity relates to its value: exactly it; «около» (about); «более» (more
than); «не менее» (at least); «до», «не более» (up to); «менее» (under)."""
LOWER_BOUNDS = frozenset({"exact", "over", "at_least"})
"""The qualifiers under which a value is a guaranteed least amount."""


def guaranteed(value: int | None, bound: str) -> int:
    """What a rule may rely on of a stated quantity: its value when that is a guaranteed
    least amount (exact, «более», «не менее»), else nothing (unknown, «около», «до», «менее»)."""
    return value if value is not None and bound in LOWER_BOUNDS else 0


CURRENCY_MINOR_UNITS: dict[str, int] = {
    "RUB": 2,
    "USD": 2,
    "EUR": 2,
    "CNY": 2,
    "BYN": 2,
    "KZT": 2,
    "GBP": 2,
    "CAD": 2,
    "CHF": 2,
    "AED": 2,
    "INR": 2,
    "TRY": 2,
    "JPY": 0,
    "KRW": 0,
}
"""The ISO 4217 currencies a figure may be stated in, with their minor-unit exponent
(ISO 4217's list; a fixed table because the core reads no files and the exponent is needed)."""

ClusterStatus = Literal["planned", "forming", "operating", "closed"]
CLUSTER_TRANSITIONS = frozenset(
    {
        ("planned", "forming"),
        ("planned", "operating"),
        ("forming", "operating"),
        ("planned", "closed"),
        ("forming", "closed"),
        ("operating", "closed"),
    }
)
"""Allowed cluster transitions: planned → forming → operating; planned → operating; any → closed."""
PARTIAL_DATE_PATTERN = r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"
"""A planned date with its precision: a year ``YYYY``, a month ``YYYY-MM`` or a day."""

_OFFICIAL = frozenset({Role.AUTHORITY.value, Role.GOVERNOR.value})
_OPERATOR = frozenset({Role.PARK_OPERATOR.value})

PARK_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("planned", "under_construction"): _OPERATOR,
    ("under_construction", "operating"): _OPERATOR,
    ("planned", "operating"): _OPERATOR,
    ("operating", "recognised"): _OFFICIAL,
    ("recognised", "recognised"): _OFFICIAL,
    ("recognised", "operating"): _OFFICIAL,
    **{(status, "excluded"): _OFFICIAL for status in get_args(ParkStatus)[:4]},
}
"""Allowed park transitions and who may sign each: the operator builds and opens the park;
a ministry recognises it (entry in the registry, until a date), renews, lifts or excludes it."""
"""Allowed park transitions and who may sign each: the operator builds and opens the park;
a ministry recognises it (entry in the registry, until a date), renews, lifts or excludes it."""

SITE_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("free", "reserved"),
        ("free", "leased"),
        ("free", "sold"),
        ("reserved", "leased"),
        ("reserved", "sold"),
        ("reserved", "free"),
        ("leased", "free"),
        ("free", "withdrawn"),
        ("withdrawn", "free"),
    }
)
"""Allowed site transitions: a sold plot stays sold; a withdrawn one may return."""
"""Allowed site transitions: a sold plot stays sold; a withdrawn one may return."""
HELD_SITE_STATUSES = frozenset({"reserved", "leased", "sold"})
"""A site in one of these is held by a resident."""
"""A site in one of these is held by a resident."""

RESIDENT_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("intention", "application"): frozenset({"resident"}),
    ("agreement", "registered"): _OPERATOR,
    ("registered", "in_production"): _OPERATOR,
    ("registered", "breach"): _OPERATOR,
    ("in_production", "breach"): _OPERATOR,
    ("breach", "registered"): _OPERATOR,
    ("breach", "in_production"): _OPERATOR,
    **{(status, "terminated"): _OPERATOR for status in get_args(ResidentStatus)[:6]},
}
"""Allowed resident transitions by ``parks.change_resident_status``: ``"resident"`` means the
applicant itself. Entering (intention, application) and concluding the agreement have their
own transactions; the ledger itself moves a resident to breach when a milestone is missed."""
"""Allowed resident transitions by ``parks.change_resident_status``: ``"resident"`` means the
applicant itself. Entering (intention, application) and concluding the agreement have their
own transactions; the ledger itself moves a resident to breach when a milestone is missed."""

REPORT_GRACE_DAYS = 30
"""Days after a quarter's end by which its report is due; after them a review assesses
the milestones of that quarter on what was reported."""
"""Days after a quarter's end by which its report is due; after them a review assesses
the milestones of that quarter on what was reported."""

ALLOCATING_STATUSES = frozenset({"agreement", "registered", "in_production", "breach"})
"""A resident in one of these may hold plots and power."""
"""A resident in one of these may hold plots and power."""
AgreementStatus = Literal["awaiting_signatures", "in_force", "terminated"]


def region_key(region_id: str) -> str:
    """State key of a region."""
    return f"{PREFIX}region/{region_id}"


def cluster_key(cluster_id: str) -> str:
    """State key of a cluster."""
    return f"{PREFIX}cluster/{cluster_id}"


def park_key(park_id: str) -> str:
    """State key of a park."""
    return f"{PREFIX}park/{park_id}"


def fact_key(park_id: str, name: str) -> str:
    """State key of one attested fact about a park."""
    return f"{PREFIX}fact/{park_id}/{name}"


def site_key(cadastral_number: str) -> str:
    """State key of a site, by its cadastral number."""
    return f"{PREFIX}site/{cadastral_number}"


def infrastructure_key(park_id: str, object_id: str) -> str:
    """State key of an infrastructure object of a park."""
    return f"{PREFIX}infra/{park_id}/{object_id}"


def resident_key(park_id: str, inn: str) -> str:
    """State key of an organisation's residency in a park."""
    return f"{PREFIX}resident/{park_id}/{inn}"


def power_key(park_id: str, allocation_id: str) -> str:
    """State key of a power allocation in a park."""
    return f"{PREFIX}power/{park_id}/{allocation_id}"


def agreement_key(agreement_id: str) -> str:
    """State key of a multi-party agreement."""
    return f"{PREFIX}agreement/{agreement_id}"


def support_key(recipient_inn: str, measure_id: str) -> str:
    """State key of a support measure, under its recipient."""
    return f"{PREFIX}support/{recipient_inn}/{measure_id}"


def target_key(target_id: str) -> str:
    """State key of a regional target."""
    return f"{PREFIX}target/{target_id}"


def milestone_quarter(on: str) -> str:
    """The quarter ``YYYY-Qn`` a date falls in."""
    return f"{on[:4]}-Q{(int(on[5:7]) - 1) // 3 + 1}"


def quarter_start(quarter: str) -> str:
    """The first day of a quarter ``YYYY-Qn``."""
    return f"{quarter[:4]}-{(int(quarter[-1]) - 1) * 3 + 1:02d}-01"


def quarter_end(quarter: str) -> str:
    """The last day of a quarter ``YYYY-Qn``."""
    year, number = int(quarter[:4]), int(quarter[-1])
    return {1: f"{year}-03-31", 2: f"{year}-06-30", 3: f"{year}-09-30", 4: f"{year}-12-31"}[number]


class Stamped(Record, frozen=True, kw_only=True):
    """Who established a record, and where and when in the log (``Context.provenance``)."""

    by: str
    index: SafeInt
    time_ms: SafeInt
    tx_id: str


def share_basis_points(part: int, whole: int) -> int:
    """``part`` as a share of ``whole`` in basis points, rounded down; 0 when whole is 0."""
    return 0 if whole <= 0 else part * 10_000 // whole


Period = tuple[str, str | None]
"""From a date until a date (exclusive; open when None)."""
"""From a date until a date (exclusive; open when None)."""


def periods_overlap(first: Period, second: Period) -> bool:
    """Whether two periods share a day."""
    (first_from, first_until), (second_from, second_until) = first, second
    starts_before_second_ends = second_until is None or first_from < second_until
    second_starts_before_first_ends = first_until is None or second_from < first_until
    return starts_before_second_ends and second_starts_before_first_ends


def progress_basis_points(baseline: int, goal: int, value: int) -> int:
    """How far ``value`` has come from ``baseline`` to ``goal``, in basis points."""
    if goal == baseline:
        return 10_000 if value >= goal else 0
    return (value - baseline) * 10_000 // (goal - baseline)
