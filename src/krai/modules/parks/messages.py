"""Park registry transactions: territory, land, capacity, residents, agreements, support."""

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from krai.modules.identity.messages import OrganisationId
from krai.modules.parks.model import (
    AMOUNT_LIMIT,
    CADASTRAL_PATTERN,
    PARTIAL_DATE_PATTERN,
    QUARTER_PATTERN,
    Bound,
    ClusterStatus,
    InfrastructureKind,
    LandCategory,
    ParkFact,
    ParkKind,
    ParkStatus,
    ResidentStatus,
    SiteStatus,
    SupportKind,
)
from krai.modules.parks.regions import REGION_ID_PATTERN, is_region_id
from krai.state.messages import Check, Date, Hex256, Length, Max, Min, Name, Pattern

Slug = Annotated[str, Pattern(r"[a-z0-9][a-z0-9._-]{0,63}")]
RegionId = Annotated[
    str,
    Check(
        is_region_id,
        "not a region code: RU- and a federal subject code in force (RU-24), or an ISO 3166-2"
        " subdivision of another country (BY-MI)",
        "A region: RU- and the two-digit federal subject code (RU-24 Krasnoyarsk Krai), or"
        " elsewhere the ISO 3166-2 subdivision (BY-MI); the server checks that the subject code"
        " is in force or that ISO 3166-2 lists the subdivision",
        pattern=REGION_ID_PATTERN,
    ),
]
CadastralNumber = Annotated[str, Pattern(CADASTRAL_PATTERN)]
Quarter = Annotated[str, Pattern(QUARTER_PATTERN)]
Amount = Annotated[int, Min(0), Max(AMOUNT_LIMIT)]
PositiveAmount = Annotated[int, Min(1), Max(AMOUNT_LIMIT)]
Source = Annotated[str, Length(1, 300)]
"""Where a figure comes from: a document, a disclosure, a register entry (by reference)."""
Text = Annotated[str, Length(1, 2000)]
Currency = Annotated[str, Pattern(r"[A-Z]{3}")]
"""An ISO 4217 alphabetic code; absent means roubles (RUB)."""
PartialDate = Annotated[str, Pattern(PARTIAL_DATE_PATTERN)]


@dataclass(frozen=True)
class RegisterRegion:
    """A governor registers a region: its code, names and UTC offset (for local dates)."""

    TYPE: ClassVar[str] = "parks.register_region"
    VERSION: ClassVar[int] = 1
    region_id: RegionId
    name_ru: Name
    name_en: Name
    time_zone: Annotated[str, Pattern(r"[A-Za-z_]+/[A-Za-z_/-]+")]
    utc_offset_minutes: Annotated[int, Min(-720), Max(840)]


@dataclass(frozen=True)
class ValueChainStage:
    """One stage of a cluster's value chain, in order."""

    stage_id: Slug
    name_ru: Name
    name_en: Name


@dataclass(frozen=True)
class PlannedEvent:
    """What is planned and when, to the precision the source gives (year, month or day)."""

    what: Name
    on: PartialDate


@dataclass(frozen=True)
class RegisterCluster:
    """An authority registers a cluster over regions, with its value chain; it coordinates it."""

    TYPE: ClassVar[str] = "parks.register_cluster"
    VERSION: ClassVar[int] = 1
    cluster_id: Slug
    name_ru: Name
    name_en: Name
    specialisation: Text
    regions: Annotated[list[RegionId], Length(1, 20)]
    value_chain: Annotated[list[ValueChainStage], Length(1, 20)]
    source: Source
    status: ClusterStatus | None = None
    planned: Annotated[list[PlannedEvent], Length(1, 20)] | None = None


@dataclass(frozen=True)
class ChangeClusterStatus:
    """The coordinator moves a cluster along its lifecycle, as of a date, with the basis."""

    TYPE: ClassVar[str] = "parks.change_cluster_status"
    VERSION: ClassVar[int] = 1
    cluster_id: Slug
    status: ClusterStatus
    on: Date
    basis: Source


@dataclass(frozen=True)
class AddClusterMember:
    """The cluster's coordinator adds a park or an organisation at a value-chain stage."""

    TYPE: ClassVar[str] = "parks.add_cluster_member"
    VERSION: ClassVar[int] = 1
    cluster_id: Slug
    stage_id: Slug
    park_id: Slug | None = None
    inn: OrganisationId | None = None


@dataclass(frozen=True)
class RegisterPark:
    """A park operator registers its park, planned, with its areas."""

    TYPE: ClassVar[str] = "parks.register_park"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    name_ru: Name
    name_en: Name
    kind: ParkKind
    region_id: RegionId
    total_area_m2: PositiveAmount
    saleable_area_m2: Amount
    source: Source


@dataclass(frozen=True)
class ChangeParkStatus:
    """Move a park along its lifecycle; recognition carries its registry entry and end date."""

    TYPE: ClassVar[str] = "parks.change_park_status"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    status: ParkStatus
    basis: Source
    recognised_until: Date | None = None


@dataclass(frozen=True)
class Fact:
    """One stated figure: an integer in the unit its name ends in (money in the currency's
    minor units), qualified by its bound, or a text; ``unknown`` states that no value is known."""

    name: ParkFact
    amount: Amount | None = None
    text: Text | None = None
    bound: Bound | None = None
    currency: Currency | None = None
    unknown: bool | None = None


@dataclass(frozen=True)
class StateParkFacts:
    """The operator or an attestor states facts about a park, from a source, as of a date."""

    TYPE: ClassVar[str] = "parks.state_park_facts"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    as_of: Date
    source: Source
    facts: Annotated[list[Fact], Length(1, 50)]


@dataclass(frozen=True)
class RegisterSite:
    """The operator registers a plot of its park, free, by cadastral number."""

    TYPE: ClassVar[str] = "parks.register_site"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    cadastral_number: CadastralNumber
    area_m2: PositiveAmount
    land_category: LandCategory
    permitted_use: Name
    source: Source
    price_kopecks: Amount | None = None
    rent_kopecks_per_year: Amount | None = None


@dataclass(frozen=True)
class ChangeSiteStatus:
    """The operator reserves, leases, sells, frees or withdraws a plot."""

    TYPE: ClassVar[str] = "parks.change_site_status"
    VERSION: ClassVar[int] = 1
    cadastral_number: CadastralNumber
    status: SiteStatus
    basis: Source
    resident_inn: OrganisationId | None = None


@dataclass(frozen=True)
class CapacityStep:
    """From a date on, an object's capacity is this value (in its kind's unit), qualified by
    its bound (exact when absent); no capacity means it is unknown."""

    from_date: Date
    capacity: Amount | None
    source: Source
    evidence_sha256: Hex256 | None = None
    bound: Bound | None = None


@dataclass(frozen=True)
class RegisterInfrastructure:
    """The operator or an attestor registers an infrastructure object and its capacity
    timeline (empty when neither capacity nor date is known); a resident's own generation
    names its owner and whether it is declared for the park's grid."""

    TYPE: ClassVar[str] = "parks.register_infrastructure"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    object_id: Slug
    kind: InfrastructureKind
    name: Name
    timeline: Annotated[list[CapacityStep], Length(0, 50)]
    source: Source | None = None
    owner_inn: OrganisationId | None = None
    declared_for_grid: bool | None = None


@dataclass(frozen=True)
class SetCapacity:
    """Add or correct one step of an object's capacity timeline, with its evidence."""

    TYPE: ClassVar[str] = "parks.set_capacity"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    object_id: Slug
    step: CapacityStep


@dataclass(frozen=True)
class ApplyForResidency:
    """An organisation states its intention to become a park's resident, or applies."""

    TYPE: ClassVar[str] = "parks.apply_for_residency"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    stage: Literal["intention", "application"]
    activity: Text
    planned_investment_kopecks: Amount | None = None
    planned_jobs: Amount | None = None


@dataclass(frozen=True)
class Milestone:
    """By this date, cumulative investment and jobs reach at least these figures."""

    due: Date
    investment_kopecks: Amount
    jobs: Amount


@dataclass(frozen=True)
class ConcludeResidentAgreement:
    """The operator concludes the resident agreement: its document and its commitments."""

    TYPE: ClassVar[str] = "parks.conclude_resident_agreement"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    resident_inn: OrganisationId
    document_sha256: Hex256
    milestones: Annotated[list[Milestone], Length(1, 40)]
    agreement_id: Slug | None = None


@dataclass(frozen=True)
class ChangeResidentStatus:
    """Move a residency along its lifecycle, with the basis for the change."""

    TYPE: ClassVar[str] = "parks.change_resident_status"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    resident_inn: OrganisationId
    status: ResidentStatus
    basis: Source


@dataclass(frozen=True)
class AllocatePower:
    """The operator allocates power to a resident from a date (until a date, exclusive)."""

    TYPE: ClassVar[str] = "parks.allocate_power"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    allocation_id: Slug
    resident_inn: OrganisationId
    power_kw: PositiveAmount
    from_date: Date
    until: Date | None = None


@dataclass(frozen=True)
class ReleasePower:
    """The operator ends a power allocation from a date on."""

    TYPE: ClassVar[str] = "parks.release_power"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    allocation_id: Slug
    from_date: Date
    basis: Source


@dataclass(frozen=True)
class ReportActuals:
    """A resident reports a quarter: investment made in it and jobs at its end."""

    TYPE: ClassVar[str] = "parks.report_actuals"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    quarter: Quarter
    investment_kopecks: Amount
    jobs: Amount
    source: Source


@dataclass(frozen=True)
class ReviewCommitments:
    """Anyone overseeing the park asks the ledger to assess a resident's overdue milestones."""

    TYPE: ClassVar[str] = "parks.review_commitments"
    VERSION: ClassVar[int] = 1
    park_id: Slug
    resident_inn: OrganisationId


@dataclass(frozen=True)
class Signatory:
    """Who signed for a party, as printed on the published agreement: position and name."""

    inn: OrganisationId
    position: Name
    name: Name


@dataclass(frozen=True)
class ProposeAgreement:
    """A party puts an agreement among several parties on the ledger and signs it first."""

    TYPE: ClassVar[str] = "parks.propose_agreement"
    VERSION: ClassVar[int] = 1
    agreement_id: Slug
    title: Name
    document_sha256: Hex256
    parties: Annotated[list[OrganisationId], Length(2, 20)]
    subject: Text
    park_id: Slug | None = None
    cluster_id: Slug | None = None
    signatories: Annotated[list[Signatory], Length(1, 20)] | None = None


@dataclass(frozen=True)
class SignAgreement:
    """A party signs the agreement: the document it signs must be the one proposed."""

    TYPE: ClassVar[str] = "parks.sign_agreement"
    VERSION: ClassVar[int] = 1
    agreement_id: Slug
    document_sha256: Hex256


@dataclass(frozen=True)
class TerminateAgreement:
    """A party terminates an agreement, with the basis."""

    TYPE: ClassVar[str] = "parks.terminate_agreement"
    VERSION: ClassVar[int] = 1
    agreement_id: Slug
    basis: Source


@dataclass(frozen=True)
class GrantSupport:
    """An authority grants a support measure to a recipient for a purpose, for a period."""

    TYPE: ClassVar[str] = "parks.grant_support"
    VERSION: ClassVar[int] = 1
    measure_id: Slug
    kind: SupportKind
    recipient_inn: OrganisationId
    purpose: Slug
    legal_basis: Source
    from_date: Date
    until: Date | None = None
    amount_kopecks: Amount | None = None
    park_id: Slug | None = None


@dataclass(frozen=True)
class SetRegionalTarget:
    """An authority sets a region's target for an indicator by a date, from a baseline when
    the source gives one (value and date together, or neither)."""

    TYPE: ClassVar[str] = "parks.set_regional_target"
    VERSION: ClassVar[int] = 1
    target_id: Slug
    region_id: RegionId
    indicator: Annotated[str, Pattern(r"[a-z0-9_]+_(people|kopecks|m2|kw|units)")]
    title: Name
    target_value: Amount
    by_date: Date
    legal_basis: Source
    baseline_value: Amount | None = None
    baseline_date: Date | None = None


@dataclass(frozen=True)
class ReportIndicator:
    """An authority or attestor reports an indicator's value as of a date."""

    TYPE: ClassVar[str] = "parks.report_indicator"
    VERSION: ClassVar[int] = 1
    target_id: Slug
    as_of: Date
    value: Amount
    source: Source
