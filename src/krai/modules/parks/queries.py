"""Read functions over the park registry, used alike by rules, CLI, API, dashboard and audits.

Stored records come back typed, with their id where the key holds it (``RegionView``,
``ParkView``, ``SiteView``…). Documents computed from them — a park with its occupancy
(``park``), facts' current values, infrastructure with the capacity on a date, a cluster's
stages with their members, a target's progress, commitments against actuals, breaches, power
rows — are JSON objects built with ``record_json``, as the edges print them. Every figure
keeps its provenance (``by``, ``index``, ``time_ms``, ``tx_id``, and ``source`` and ``as_of``
where a figure has them), so a reader can ask the log for the proof of the entry that
established it. Functions that depend on a date take it (``on``): the ledger's queries never
read a clock.
"""

from typing import Any, TypeVar

import msgspec

from krai.modules.parks.model import (
    ALLOCATING_STATUSES,
    PREFIX,
    fact_key,
    infrastructure_key,
    milestone_quarter,
    quarter_end,
    share_basis_points,
)
from krai.modules.parks.records import (
    Agreement,
    AgreementView,
    AllocationView,
    Cluster,
    ClusterView,
    Commitment,
    FactStatement,
    Infrastructure,
    InfrastructureView,
    Park,
    ParkView,
    PowerAllocation,
    Region,
    RegionView,
    Residency,
    ResidentView,
    Site,
    SiteView,
    StatedFact,
    SupportMeasure,
    SupportView,
    Target,
    TargetView,
    Timelines,
    TimelineStep,
    actual_totals,
    power_dates,
    power_on,
    step_at,
)
from krai.state.calendar import days_between
from krai.state.records import Record, read_record, record_json, scan_records
from krai.state.store import StateView

STALE_AFTER_DAYS = 365
"""A stated fact older than this is reported stale (Order 591 asks regions to keep cards
current; a year is the longest update cycle it allows)."""

V = TypeVar("V", bound=Record)


def region(view: StateView, region_id: str) -> RegionView | None:
    """The region, or None."""
    return _one(view, "region", region_id, Region, RegionView, "region_id")


def regions(view: StateView) -> list[RegionView]:
    """Every region, by id."""
    return _listed(view, "region", Region, RegionView, "region_id")


def cluster(view: StateView, cluster_id: str) -> dict[str, Any] | None:
    """The cluster as JSON, with its members also under each value-chain stage."""
    found = _one(view, "cluster", cluster_id, Cluster, ClusterView, "cluster_id")
    if found is None:
        return None
    document = record_json(found)
    for stage in document["value_chain"]:
        stage["members"] = [m for m in document["members"] if m["stage_id"] == stage["stage_id"]]
    return document


def clusters(view: StateView) -> list[ClusterView]:
    """Every cluster, by id."""
    return _listed(view, "cluster", Cluster, ClusterView, "cluster_id")


def park_record(view: StateView, park_id: str) -> ParkView | None:
    """The park as stored, or None."""
    return _one(view, "park", park_id, Park, ParkView, "park_id")


def park(view: StateView, park_id: str, on: str | None = None) -> dict[str, Any] | None:
    """The park as JSON with its ``occupancy`` and ``residents`` counted by status; with
    ``on``, whether its recognition lapsed (``recognition_lapsed``)."""
    found = park_record(view, park_id)
    if found is None:
        return None
    document = record_json(found)
    document["occupancy"] = occupancy(view, park_id, found.total_area_m2)
    document["residents"] = _count_by_status(residents(view, park_id))
    if on is not None and found.status == "recognised":
        document["recognition_lapsed"] = str(found.recognised_until) < on
    return document


def parks(view: StateView, region_id: str | None = None, kind: str | None = None) -> list[ParkView]:
    """Every park, optionally of one region or kind, by id."""
    return [
        p
        for p in _listed(view, "park", Park, ParkView, "park_id")
        if region_id in (None, p.region_id) and kind in (None, p.kind)
    ]


def occupancy(view: StateView, park_id: str, total_area_m2: int = 0) -> dict[str, int | None]:
    """Site area by status, the share of the offered plots held by residents
    (``held_basis_points``) and, given the park's area, the share of the park they hold
    (``held_of_park_basis_points``: reserved, leased and sold plots over the park's area;
    null while no plot is registered, as the ledger cannot tell then)."""
    found = sites(view, park_id=park_id)
    area = dict.fromkeys(("free", "reserved", "leased", "sold", "withdrawn"), 0)
    for plot in found:
        area[plot.status] += plot.area_m2
    held = area["reserved"] + area["leased"] + area["sold"]
    offered = held + area["free"]
    of_park = share_basis_points(held, total_area_m2) if found and total_area_m2 else None
    return {
        **{f"{k}_m2": v for k, v in area.items()},
        "held_m2": held,
        "held_basis_points": share_basis_points(held, offered),
        "held_of_park_basis_points": of_park,
    }


def park_facts(
    view: StateView, park_id: str, on: str | None = None, stale_after_days: int = STALE_AFTER_DAYS
) -> list[dict[str, Any]]:
    """Each stated fact's current value (latest by ``as_of``) as JSON, with its provenance,
    ``name``, the number of ``statements`` behind it, and, with ``on``, its ``age_days`` and
    whether it is ``stale``."""
    prefix = fact_key(park_id, "")
    found = []
    for key, record in scan_records(view, prefix, StatedFact):
        current = record_json(record.statements[-1])
        current.update(name=key[len(prefix) :], statements=len(record.statements))
        if on is not None:
            current["age_days"] = days_between(current["as_of"], on)
            current["stale"] = current["age_days"] > stale_after_days
        found.append(current)
    return found


def park_fact(view: StateView, park_id: str, name: str) -> dict[str, Any] | None:
    """One fact's current statement as JSON (``value`` null when unknown), or None."""
    history = fact_history(view, park_id, name)
    return record_json(history[-1]) if history else None


def fact_history(view: StateView, park_id: str, name: str) -> list[FactStatement]:
    """Every statement of one fact, by ``as_of``."""
    record = read_record(view, fact_key(park_id, name), StatedFact)
    return [] if record is None else list(record.statements)


def site(view: StateView, cadastral_number: str) -> SiteView | None:
    """The site, or None."""
    return _one(view, "site", cadastral_number, Site, SiteView, "cadastral_number")


def sites(  # noqa: PLR0917 -- search criteria, each optional
    view: StateView,
    park_id: str | None = None,
    status: str | None = None,
    min_area_m2: int = 0,
    max_price_kopecks: int | None = None,
    land_category: str | None = None,
) -> list[SiteView]:
    """Sites matching an investor's search, by cadastral number; a site without a price
    passes only when no highest price is asked."""
    return [
        s
        for s in _listed(view, "site", Site, SiteView, "cadastral_number")
        if park_id in (None, s.park_id)
        and status in (None, s.status)
        and s.area_m2 >= min_area_m2
        and land_category in (None, s.land_category)
        and (
            max_price_kopecks is None
            or (s.price_kopecks is not None and s.price_kopecks <= max_price_kopecks)
        )
    ]


def infrastructure_objects(view: StateView, park_id: str) -> list[InfrastructureView]:
    """The park's infrastructure objects with their timelines, by id."""
    prefix = infrastructure_key(park_id, "")
    return [
        _viewed(InfrastructureView, record, object_id=key[len(prefix) :])
        for key, record in scan_records(view, prefix, Infrastructure)
    ]


def infrastructure(view: StateView, park_id: str, on: str | None = None) -> list[dict[str, Any]]:
    """The park's infrastructure objects as JSON, each with ``feeds_grid``; with ``on``, the
    step in effect then (``capacity_on``: its capacity, bound and start; null when no step is,
    or its capacity is null when unknown)."""
    found = []
    for record in infrastructure_objects(view, park_id):
        document = record_json(record)
        document["feeds_grid"] = record.feeds_grid()
        if on is not None:
            step = step_at(record.timeline, on)
            document["capacity_on"] = None if step is None else _capacity(step)
        found.append(document)
    return found


def infrastructure_object(
    view: StateView, park_id: str, object_id: str, on: str
) -> dict[str, Any] | None:
    """One object as ``infrastructure`` shows it on a date, or None."""
    found = [o for o in infrastructure(view, park_id, on) if o["object_id"] == object_id]
    return found[0] if found else None


def _capacity(step: TimelineStep) -> dict[str, Any]:
    return {"capacity": step.capacity, "bound": step.bound, "from": step.from_}


def substation_timelines(view: StateView, park_id: str) -> Timelines:
    """Each object feeding the park's grid (by id) with its capacity timeline: substations and
    residents' own generation declared for the grid."""
    return {
        found.object_id: found.timeline
        for found in infrastructure_objects(view, park_id)
        if found.feeds_grid()
    }


def power_allocations(view: StateView, park_id: str) -> list[AllocationView]:
    """Every power allocation of the park, with its id."""
    prefix = f"{PREFIX}power/{park_id}/"
    return [
        _viewed(AllocationView, record, allocation_id=key[len(prefix) :])
        for key, record in scan_records(view, prefix, PowerAllocation)
    ]


def power(view: StateView, park_id: str, on: str) -> dict[str, Any]:
    """Capacity, allocated and free power (kW) on a date."""
    timelines = substation_timelines(view, park_id)
    allocations: list[PowerAllocation] = list(power_allocations(view, park_id))
    return _power_row(on, *power_on(timelines, allocations, on))


def power_timeline(view: StateView, park_id: str) -> list[dict[str, Any]]:
    """Capacity, allocated and free power (kW) from each date on which one of them changes."""
    timelines = substation_timelines(view, park_id)
    allocations: list[PowerAllocation] = list(power_allocations(view, park_id))
    return [
        _power_row(on, *power_on(timelines, allocations, on))
        for on in power_dates(timelines, allocations)
    ]


def residents(view: StateView, park_id: str, status: str | None = None) -> list[ResidentView]:
    """The park's residents (and applicants), by INN."""
    prefix = f"{PREFIX}resident/{park_id}/"
    return [
        _viewed(ResidentView, record, park_id=park_id, inn=key[len(prefix) :])
        for key, record in scan_records(view, prefix, Residency)
        if status in (None, record.status)
    ]


def resident(view: StateView, park_id: str, inn: str) -> ResidentView | None:
    """The residency, or None."""
    found = read_record(view, f"{PREFIX}resident/{park_id}/{inn}", Residency)
    return None if found is None else _viewed(ResidentView, found, park_id=park_id, inn=inn)


def commitments(view: StateView, park_id: str, inn: str, on: str) -> list[dict[str, Any]]:
    """Each milestone against the actuals reported for it: met, missed, due or pending."""
    found = resident(view, park_id, inn)
    if found is None:
        return []
    rows = []
    for milestone in found.milestones:
        quarter = milestone_quarter(milestone.due)
        investment, jobs = actual_totals(found.actuals, quarter)
        rows.append(
            {
                "due": milestone.due,
                "committed_investment_kopecks": milestone.investment_kopecks,
                "committed_jobs": milestone.jobs,
                "actual_investment_kopecks": investment,
                "actual_jobs": jobs,
                "status": _milestone_status(milestone, quarter, on),
            }
        )
    return rows


def breaches(view: StateView, park_id: str | None = None) -> list[dict[str, Any]]:
    """Residents in breach as JSON, with their ``missed`` milestones."""
    chosen = [park_id] if park_id else [p.park_id for p in parks(view)]
    return [
        {
            **record_json(r),
            "missed": [
                record_json(m)
                for m in r.milestones
                if m.assessment is not None and not m.assessment.met
            ],
        }
        for pid in chosen
        for r in residents(view, pid, status="breach")
    ]


def agreement(view: StateView, agreement_id: str) -> AgreementView | None:
    """The agreement with its signatures, or None."""
    return _one(view, "agreement", agreement_id, Agreement, AgreementView, "agreement_id")


def agreements(view: StateView, party: str | None = None) -> list[AgreementView]:
    """Every agreement, optionally those one organisation is party to."""
    found = _listed(view, "agreement", Agreement, AgreementView, "agreement_id")
    return [a for a in found if party in (None, *a.parties)]


def support(view: StateView, recipient_inn: str | None = None) -> list[SupportView]:
    """Support measures, optionally of one recipient."""
    prefix = f"{PREFIX}support/{recipient_inn}/" if recipient_inn else f"{PREFIX}support/"
    return [
        _viewed(SupportView, record, measure_id=key.rsplit("/", 1)[1])
        for key, record in scan_records(view, prefix, SupportMeasure)
    ]


def support_overlaps(view: StateView) -> list[dict[str, Any]]:
    """Each measure granted over another authority's for the same recipient and purpose."""
    return [
        {
            "measure_id": m.measure_id,
            "overlaps": list(m.overlaps),
            "recipient_inn": m.recipient_inn,
            "purpose": m.purpose,
            "by": m.by,
        }
        for m in support(view)
        if m.overlaps
    ]


def target_record(view: StateView, target_id: str) -> TargetView | None:
    """The target as stored, or None."""
    return _one(view, "target", target_id, Target, TargetView, "target_id")


def target(view: StateView, target_id: str, on: str | None = None) -> dict[str, Any] | None:
    """The target as JSON with its ``latest`` report (or null), ``baseline_known`` and
    ``progress_basis_points`` (from the baseline, or of the target when it has none); with
    ``on``, the progress a straight line from baseline to target expects by then
    (``expected_basis_points``) and whether the target is ``on_track`` — both null without a
    baseline."""
    found = target_record(view, target_id)
    return None if found is None else _progress(found, on)


def targets(
    view: StateView, region_id: str | None = None, on: str | None = None
) -> list[dict[str, Any]]:
    """Every target (as ``target``), optionally of one region."""
    found = _listed(view, "target", Target, TargetView, "target_id")
    return [_progress(t, on) for t in found if region_id in (None, t.region_id)]


def _progress(found: TargetView, on: str | None) -> dict[str, Any]:
    latest = found.reports[-1] if found.reports else None
    value = (found.baseline_value or 0) if latest is None else latest.value
    document = record_json(found)
    document["latest"] = None if latest is None else record_json(latest)
    document["baseline_known"] = found.baseline_date is not None
    document["progress_basis_points"] = found.progress_basis_points(value)
    if on is not None:
        document["expected_basis_points"] = _expected(found, on)
        expected = document["expected_basis_points"]
        on_track = None if expected is None else document["progress_basis_points"] >= expected
        document["on_track"] = on_track
    return document


def _expected(found: TargetView, on: str) -> int | None:
    """The straight line from the baseline date to the target date; None without a baseline."""
    if found.baseline_date is None:
        return None
    elapsed = days_between(found.baseline_date, min(on, found.by_date))
    span = days_between(found.baseline_date, found.by_date)
    return share_basis_points(max(elapsed, 0), span)


def _milestone_status(milestone: Commitment, quarter: str, on: str) -> str:
    if milestone.assessment is not None:
        return "met" if milestone.assessment.met else "missed"
    return "awaiting_report" if quarter_end(quarter) < on else "pending"


def _power_row(on: str, capacity: int, allocated: int) -> dict[str, Any]:
    return {
        "from": on,
        "capacity_kw": capacity,
        "allocated_kw": allocated,
        "free_kw": capacity - allocated,
    }


def _count_by_status(found: list[ResidentView]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in found:
        counts[record.status] = counts.get(record.status, 0) + 1
    counts["with_agreement"] = sum(1 for r in found if r.status in ALLOCATING_STATUSES)
    return counts


def _viewed(view_cls: type[V], record: Record, **ids: str) -> V:
    """``record`` as ``view_cls``: the same fields and the ids its key holds."""
    return view_cls(**ids, **msgspec.structs.asdict(record))


def _one(  # noqa: PLR0917 -- kind, id, stored type, view type, id field
    view: StateView, kind: str, record_id: str, cls: type[Record], view_cls: type[V], id_name: str
) -> V | None:
    found = read_record(view, f"{PREFIX}{kind}/{record_id}", cls)
    return None if found is None else _viewed(view_cls, found, **{id_name: record_id})


def _listed(
    view: StateView, kind: str, cls: type[Record], view_cls: type[V], id_name: str
) -> list[V]:
    prefix = f"{PREFIX}{kind}/"
    return [
        _viewed(view_cls, record, **{id_name: key[len(prefix) :]})
        for key, record in scan_records(view, prefix, cls)
    ]
