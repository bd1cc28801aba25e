"""The park registry's stored records: what each state key holds, as a typed class encoded
to exactly its canonical bytes (ADR 0022), with the views queries answer (the record and its
id) and the few computations made over records (capacity timelines, power on a date,
actuals to date)."""

import msgspec

from krai.modules.parks.model import (
    OWN_GENERATION,
    AgreementStatus,
    Bound,
    ClusterStatus,
    InfrastructureKind,
    LandCategory,
    ParkKind,
    ParkStatus,
    ResidentStatus,
    SiteStatus,
    Stamped,
    SupportKind,
    guaranteed,
    progress_basis_points,
)
from krai.state.records import Record, SafeInt


class Region(Stamped, frozen=True, kw_only=True):
    """A region, stored under ``region_key(region_id)``: names and fixed UTC offset."""

    name_ru: str
    name_en: str
    time_zone: str
    utc_offset_minutes: SafeInt


class Stage(Record, frozen=True, kw_only=True):
    """One stage of a cluster's value chain."""

    stage_id: str
    name_ru: str
    name_en: str


class ClusterMember(Stamped, frozen=True, kw_only=True):
    """A park or an organisation at a stage of a cluster (exactly one of the two)."""

    stage_id: str
    park_id: str | None = None
    inn: str | None = None

    def member_id(self) -> str:
        """The park's id or the organisation's INN."""
        return str(self.park_id or self.inn)


class Planned(Record, frozen=True, kw_only=True):
    """What is planned and when: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (its precision)."""

    what: str
    on: str


class ClusterChange(Stamped, frozen=True, kw_only=True):
    """A cluster's status from a date, with its basis."""

    status: ClusterStatus
    on: str
    basis: str


class Cluster(Stamped, frozen=True, kw_only=True):
    """A cluster over regions, stored under ``cluster_key(cluster_id)``; its signer coordinates.
    Its status is unstated (None) unless registered with one or changed since."""

    name_ru: str
    name_en: str
    specialisation: str
    regions: tuple[str, ...]
    value_chain: tuple[Stage, ...]
    members: tuple[ClusterMember, ...]
    source: str
    coordinator: str
    status: ClusterStatus | None = None
    history: tuple[ClusterChange, ...] = ()
    planned: tuple[Planned, ...] = ()

    def with_member(self, member: ClusterMember) -> "Cluster":
        """The same cluster with ``member`` added last."""
        return msgspec.structs.replace(self, members=(*self.members, member))

    def changed(self, change: ClusterChange) -> "Cluster":
        """The cluster moved to ``change``'s status, kept in its history."""
        history = (*self.history, change)
        return msgspec.structs.replace(self, status=change.status, history=history)


class ParkChange(Stamped, frozen=True, kw_only=True):
    """A park's status change in its history, with its basis."""

    status: ParkStatus
    basis: str
    recognised_until: str | None = None


class Park(Stamped, frozen=True, kw_only=True):
    """A park, stored under ``park_key(park_id)``: its areas, operator, status and history."""

    name_ru: str
    name_en: str
    kind: ParkKind
    region_id: str
    operator: str
    status: ParkStatus
    total_area_m2: SafeInt
    saleable_area_m2: SafeInt
    sites_area_m2: SafeInt
    source: str
    history: tuple[ParkChange, ...]
    recognised_until: str | None = None

    def changed(self, change: ParkChange) -> "Park":
        """The park moved to ``change``'s status (recognised until its date, if any)."""
        return msgspec.structs.replace(
            self,
            status=change.status,
            recognised_until=change.recognised_until,
            history=(*self.history, change),
        )

    def with_site_area(self, area_m2: int) -> "Park":
        """The park with ``area_m2`` more of it in sites."""
        return msgspec.structs.replace(self, sites_area_m2=self.sites_area_m2 + area_m2)


class FactStatement(Stamped, frozen=True, kw_only=True):
    """One statement of a fact, as of a date, from a source: text, or an integer in its unit
    (money in ``currency``'s minor units, roubles when absent) with its bound, or no value
    (None: unknown)."""

    value: str | SafeInt | None
    as_of: str
    source: str
    bound: Bound = "exact"
    currency: str | None = None


class StatedFact(Record, frozen=True, kw_only=True):
    """Every statement of one fact of a park, by ``as_of`` (``fact_key``); the last is current."""

    statements: tuple[FactStatement, ...]

    def with_statement(self, statement: FactStatement) -> "StatedFact":
        """The statements with ``statement`` in its place by (as_of, index)."""
        ordered = sorted((*self.statements, statement), key=lambda s: (s.as_of, s.index))
        return StatedFact(statements=tuple(ordered))


class SiteChange(Stamped, frozen=True, kw_only=True):
    """A site's status change in its history, with the resident holding it, if any."""

    status: SiteStatus
    basis: str
    resident_inn: str | None = None


class Site(Stamped, frozen=True, kw_only=True):
    """A plot, stored under ``site_key(cadastral_number)``, with its status and history."""

    park_id: str
    area_m2: SafeInt
    land_category: LandCategory
    permitted_use: str
    status: SiteStatus
    source: str
    history: tuple[SiteChange, ...]
    price_kopecks: SafeInt | None = None
    rent_kopecks_per_year: SafeInt | None = None
    resident_inn: str | None = None

    def changed(self, change: SiteChange) -> "Site":
        """The site moved to ``change``'s status, held by its resident, if any."""
        return msgspec.structs.replace(
            self,
            status=change.status,
            resident_inn=change.resident_inn,
            history=(*self.history, change),
        )


class TimelineStep(Stamped, frozen=True, kw_only=True):
    """An infrastructure object's capacity from a date on, in the object's unit, with its
    bound; None when unknown."""

    from_: str = msgspec.field(name="from")
    capacity: SafeInt | None
    source: str
    evidence_sha256: str | None = None
    bound: Bound = "exact"

    def guaranteed(self) -> int:
        """The capacity a rule may rely on (``model.guaranteed``)."""
        return guaranteed(self.capacity, self.bound)


class Infrastructure(Stamped, frozen=True, kw_only=True):
    """An infrastructure object, stored under ``infrastructure_key``: its capacity timeline
    (by date) and the steps later replaced on the same date."""

    kind: InfrastructureKind
    name: str
    unit: str
    timeline: tuple[TimelineStep, ...]
    superseded: tuple[TimelineStep, ...]
    source: str | None = None
    owner_inn: str | None = None
    declared_for_grid: bool = False

    def feeds_grid(self) -> bool:
        """Whether its capacity is the park's allocatable power: a substation, or a resident's
        own generation declared for the grid."""
        declared = self.kind == OWN_GENERATION and self.declared_for_grid
        return self.kind == "substation" or declared

    def with_step(self, step: TimelineStep) -> "Infrastructure":
        """The timeline with ``step``; a step of the same date goes to ``superseded``."""
        replaced = tuple(s for s in self.timeline if s.from_ == step.from_)
        return msgspec.structs.replace(
            self,
            timeline=timeline_with(self.timeline, step),
            superseded=(*self.superseded, *replaced),
        )


class Release(Stamped, frozen=True, kw_only=True):
    """Who ended a power allocation, on what basis."""

    basis: str


class PowerAllocation(Stamped, frozen=True, kw_only=True):
    """Power to a resident from a date until a date (exclusive, open when absent), stored
    under ``power_key``."""

    resident_inn: str
    power_kw: SafeInt
    from_: str = msgspec.field(name="from")
    until: str | None = None
    released: Release | None = None

    def is_active(self, on: str) -> bool:
        """Whether the allocation holds on a date."""
        return self.from_ <= on and (self.until is None or on < self.until)

    def released_from(self, on: str, release: Release) -> "PowerAllocation":
        """The allocation ended from ``on``."""
        return msgspec.structs.replace(self, until=on, released=release)


class ResidencyChange(Stamped, frozen=True, kw_only=True):
    """A residency's status change in its history, with its basis."""

    status: ResidentStatus
    basis: str


class Assessment(Stamped, frozen=True, kw_only=True):
    """A milestone assessed on the actuals reported up to its quarter."""

    investment_kopecks: SafeInt
    jobs: SafeInt
    met: bool


class Commitment(Record, frozen=True, kw_only=True):
    """A milestone of a resident agreement: cumulative figures by a date, once assessed."""

    due: str
    investment_kopecks: SafeInt
    jobs: SafeInt
    assessment: Assessment | None = None


class QuarterActuals(Stamped, frozen=True, kw_only=True):
    """What a resident reported for a quarter, with the report it superseded, if any."""

    investment_kopecks: SafeInt
    jobs: SafeInt
    source: str
    supersedes: "QuarterActuals | None" = None


class Residency(Stamped, frozen=True, kw_only=True):
    """An organisation's residency in a park, stored under ``resident_key``: its plans, its
    milestones and the actuals reported by quarter (``YYYY-Qn``)."""

    status: ResidentStatus
    activity: str
    milestones: tuple[Commitment, ...]
    actuals: dict[str, QuarterActuals]
    history: tuple[ResidencyChange, ...]
    planned_investment_kopecks: SafeInt | None = None
    planned_jobs: SafeInt | None = None
    document_sha256: str | None = None
    agreement_id: str | None = None

    def with_plans(self, activity: str, investment: int | None, jobs: int | None) -> "Residency":
        """The residency with this activity and the planned figures given (others kept)."""
        return msgspec.structs.replace(
            self,
            activity=activity,
            planned_investment_kopecks=self.planned_investment_kopecks
            if investment is None
            else investment,
            planned_jobs=self.planned_jobs if jobs is None else jobs,
        )

    def pending(self) -> list[Commitment]:
        """The milestones not yet assessed."""
        return [m for m in self.milestones if m.assessment is None]

    def changed(self, change: ResidencyChange) -> "Residency":
        """The residency moved to ``change``'s status."""
        history = (*self.history, change)
        return msgspec.structs.replace(self, status=change.status, history=history)

    def with_actuals(self, quarter: str, report: QuarterActuals) -> "Residency":
        """The residency with ``report`` as the quarter's actuals."""
        return msgspec.structs.replace(self, actuals={**self.actuals, quarter: report})


class InForce(Record, frozen=True, kw_only=True):
    """Where and when in the log an agreement entered into force (its last signature)."""

    index: SafeInt
    time_ms: SafeInt


class Termination(Stamped, frozen=True, kw_only=True):
    """Who terminated an agreement, on what basis."""

    basis: str


class Signatory(Record, frozen=True, kw_only=True):
    """Who signed for a party (its INN), as printed on the published agreement."""

    inn: str
    position: str
    name: str


class Agreement(Stamped, frozen=True, kw_only=True):
    """An agreement among parties on a document, stored under ``agreement_key``: the proposer's
    signature first, then each other party's in ledger order."""

    title: str
    document_sha256: str
    parties: tuple[str, ...]
    subject: str
    status: AgreementStatus
    signatures: tuple[Stamped, ...]
    park_id: str | None = None
    cluster_id: str | None = None
    in_force_from: InForce | None = None
    terminated: Termination | None = None
    signatories: tuple[Signatory, ...] = ()

    def signed(self, signature: Stamped) -> "Agreement":
        """The agreement with ``signature`` added; in force from it if it is the last."""
        signatures = (*self.signatures, signature)
        if len(signatures) < len(self.parties):
            return msgspec.structs.replace(self, signatures=signatures)
        in_force = InForce(index=signature.index, time_ms=signature.time_ms)
        return msgspec.structs.replace(
            self, signatures=signatures, status="in_force", in_force_from=in_force
        )

    def terminated_by(self, termination: Termination) -> "Agreement":
        """The agreement terminated."""
        return msgspec.structs.replace(self, status="terminated", terminated=termination)


class SupportMeasure(Stamped, frozen=True, kw_only=True):
    """A support measure, stored under ``support_key(recipient, measure)``, with the ids of
    the other authorities' overlapping measures it was warned of."""

    kind: SupportKind
    recipient_inn: str
    purpose: str
    legal_basis: str
    from_: str = msgspec.field(name="from")
    overlaps: tuple[str, ...]
    until: str | None = None
    amount_kopecks: SafeInt | None = None
    park_id: str | None = None


class IndicatorReport(Stamped, frozen=True, kw_only=True):
    """An indicator's value as of a date, from a source."""

    as_of: str
    value: SafeInt
    source: str


class Target(Stamped, frozen=True, kw_only=True):
    """A regional target, stored under ``target_key``, with its reports by ``as_of``."""

    region_id: str
    indicator: str
    title: str
    target_value: SafeInt
    by_date: str
    legal_basis: str
    reports: tuple[IndicatorReport, ...]
    baseline_value: SafeInt | None = None
    baseline_date: str | None = None

    def with_report(self, report: IndicatorReport) -> "Target":
        """The target with ``report`` in its place by (as_of, index)."""
        ordered = sorted((*self.reports, report), key=lambda r: (r.as_of, r.index))
        return msgspec.structs.replace(self, reports=tuple(ordered))

    def progress_basis_points(self, value: int) -> int:
        """How far ``value`` has come from the baseline to the target; without a baseline,
        ``value`` as a share of the target."""
        baseline = 0 if self.baseline_value is None else self.baseline_value
        return progress_basis_points(baseline, self.target_value, value)


def timeline_with(
    timeline: tuple[TimelineStep, ...], step: TimelineStep
) -> tuple[TimelineStep, ...]:
    """A timeline with ``step``, replacing the one of the same date, sorted by date."""
    kept = [s for s in timeline if s.from_ != step.from_]
    return tuple(sorted([*kept, step], key=lambda s: s.from_))


def step_at(steps: tuple[TimelineStep, ...], on: str) -> TimelineStep | None:
    """The step of a timeline (sorted by date) in effect on a date, if any."""
    found = None
    for step in steps:
        if step.from_ > on:
            break
        found = step
    return found


Timelines = dict[str, tuple[TimelineStep, ...]]
"""The grid's capacity timelines (substations, declared own generation), by object id."""


def power_on(timelines: Timelines, allocations: list[PowerAllocation], on: str) -> tuple[int, int]:
    """(capacity_kw, allocated_kw) on a date."""
    steps = (step_at(timeline, on) for timeline in timelines.values())
    capacity = sum(step.guaranteed() for step in steps if step is not None)
    allocated = sum(a.power_kw for a in allocations if a.is_active(on))
    return capacity, allocated


def power_dates(timelines: Timelines, allocations: list[PowerAllocation]) -> list[str]:
    """Every date on which capacity or allocations change, in order."""
    dates = {step.from_ for timeline in timelines.values() for step in timeline}
    dates |= {a.from_ for a in allocations}
    dates |= {a.until for a in allocations if a.until}
    return sorted(dates)


def actual_totals(actuals: dict[str, QuarterActuals], through_quarter: str) -> tuple[int, int]:
    """(investment to date, jobs at the last reported quarter) up to a quarter, inclusive."""
    reported = sorted(q for q in actuals if q <= through_quarter)
    investment = sum(actuals[q].investment_kopecks for q in reported)
    jobs = actuals[reported[-1]].jobs if reported else 0
    return investment, jobs


class RegionView(Region, frozen=True, kw_only=True):
    """A region with its id: what queries answer."""

    region_id: str


class ClusterView(Cluster, frozen=True, kw_only=True):
    """A cluster with its id."""

    cluster_id: str


class ParkView(Park, frozen=True, kw_only=True):
    """A park with its id."""

    park_id: str


class SiteView(Site, frozen=True, kw_only=True):
    """A site with its cadastral number."""

    cadastral_number: str


class InfrastructureView(Infrastructure, frozen=True, kw_only=True):
    """An infrastructure object with its id."""

    object_id: str


class AllocationView(PowerAllocation, frozen=True, kw_only=True):
    """A power allocation with its id."""

    allocation_id: str


class ResidentView(Residency, frozen=True, kw_only=True):
    """A residency with its park and the resident's INN."""

    park_id: str
    inn: str


class AgreementView(Agreement, frozen=True, kw_only=True):
    """An agreement with its id."""

    agreement_id: str


class SupportView(SupportMeasure, frozen=True, kw_only=True):
    """A support measure with its id."""

    measure_id: str


class TargetView(Target, frozen=True, kw_only=True):
    """A regional target with its id."""

    target_id: str
