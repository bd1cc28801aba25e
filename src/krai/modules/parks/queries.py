"""Read functions over the park registry, used alike by rules, CLI, API, dashboard and audits.

Every figure comes back with its provenance (``by``, ``index``, ``time_ms``, ``tx_id``, and
``source`` and ``as_of`` where a figure has them), so a reader can ask the log for the proof
of the entry that established it. Functions that depend on a date take it (``on``): the
ledger's queries never read a clock.
"""

from typing import Any

from krai.modules.parks.model import (
    ALLOCATING_STATUSES,
    PREFIX,
    actual_totals,
    fact_key,
    infrastructure_key,
    milestone_quarter,
    park_key,
    power_dates,
    power_on,
    progress_basis_points,
    quarter_end,
    region_key,
    share_basis_points,
    step_at,
    target_key,
)
from krai.state.calendar import days_between
from krai.state.store import StateView, read, scan

STALE_AFTER_DAYS = 365
"""A stated fact older than this is reported stale (Order 591 asks regions to keep cards
current; a year is the longest update cycle it allows)."""


def region(view: StateView, region_id: str) -> dict[str, Any] | None:
    """The region, or None."""
    return _with_id(read(view, region_key(region_id)), "region_id", region_id)


def regions(view: StateView) -> list[dict[str, Any]]:
    """Every region, by id."""
    return _listed(view, "region", "region_id")


def cluster(view: StateView, cluster_id: str) -> dict[str, Any] | None:
    """The cluster, with its members under each value-chain stage."""
    record = read(view, f"{PREFIX}cluster/{cluster_id}")
    if record is None:
        return None
    for stage in record["value_chain"]:
        stage["members"] = [m for m in record["members"] if m["stage_id"] == stage["stage_id"]]
    return {"cluster_id": cluster_id, **record}


def clusters(view: StateView) -> list[dict[str, Any]]:
    """Every cluster, by id."""
    return _listed(view, "cluster", "cluster_id")


def park(view: StateView, park_id: str, on: str | None = None) -> dict[str, Any] | None:
    """The park with its occupancy and residents; with ``on``, whether recognition lapsed."""
    record = _with_id(read(view, park_key(park_id)), "park_id", park_id)
    if record is None:
        return None
    record["occupancy"] = occupancy(view, park_id)
    record["residents"] = _count_by_status(residents(view, park_id))
    if on is not None and record["status"] == "recognised":
        record["recognition_lapsed"] = record["recognised_until"] < on
    return record


def parks(
    view: StateView, region_id: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """Every park, optionally of one region or kind, by id."""
    return [
        p
        for p in _listed(view, "park", "park_id")
        if region_id in (None, p["region_id"]) and kind in (None, p["kind"])
    ]


def occupancy(view: StateView, park_id: str) -> dict[str, int]:
    """Site area by status, and the share of it held by residents (basis points)."""
    area = dict.fromkeys(("free", "reserved", "leased", "sold", "withdrawn"), 0)
    for found in sites(view, park_id=park_id):
        area[found["status"]] += found["area_m2"]
    held = area["reserved"] + area["leased"] + area["sold"]
    offered = held + area["free"]
    return {
        **{f"{k}_m2": v for k, v in area.items()},
        "held_basis_points": share_basis_points(held, offered),
    }


def park_facts(
    view: StateView, park_id: str, on: str | None = None, stale_after_days: int = STALE_AFTER_DAYS
) -> list[dict[str, Any]]:
    """Each stated fact's current value (latest by ``as_of``) with its provenance, the number
    of statements behind it, and, with ``on``, its age in days and whether it is stale."""
    prefix = fact_key(park_id, "")
    found = []
    for key, record in scan(view, prefix):
        current = dict(record["statements"][-1])
        current.update(name=key[len(prefix) :], statements=len(record["statements"]))
        if on is not None:
            current["age_days"] = days_between(current["as_of"], on)
            current["stale"] = current["age_days"] > stale_after_days
        found.append(current)
    return found


def fact_history(view: StateView, park_id: str, name: str) -> list[dict[str, Any]]:
    """Every statement of one fact, by ``as_of``."""
    record = read(view, fact_key(park_id, name))
    return [] if record is None else list(record["statements"])


def site(view: StateView, cadastral_number: str) -> dict[str, Any] | None:
    """The site, or None."""
    found = read(view, f"{PREFIX}site/{cadastral_number}")
    return _with_id(found, "cadastral_number", cadastral_number)


def sites(  # noqa: PLR0917 -- search criteria, each optional
    view: StateView,
    park_id: str | None = None,
    status: str | None = None,
    min_area_m2: int = 0,
    max_price_kopecks: int | None = None,
    land_category: str | None = None,
) -> list[dict[str, Any]]:
    """Sites matching an investor's search, by cadastral number."""
    return [
        s
        for s in _listed(view, "site", "cadastral_number")
        if park_id in (None, s["park_id"])
        and status in (None, s["status"])
        and s["area_m2"] >= min_area_m2
        and land_category in (None, s["land_category"])
        and (
            max_price_kopecks is None
            or s.get("price_kopecks", max_price_kopecks + 1) <= max_price_kopecks
        )
    ]


def infrastructure(view: StateView, park_id: str, on: str | None = None) -> list[dict[str, Any]]:
    """The park's infrastructure objects with their timelines; with ``on``, the capacity then."""
    prefix = infrastructure_key(park_id, "")
    found = []
    for key, record in scan(view, prefix):
        if on is not None:
            step = step_at(record["timeline"], on)
            record["capacity_on"] = 0 if step is None else step["capacity"]
        found.append({"object_id": key[len(prefix) :], **record})
    return found


def substation_timelines(view: StateView, park_id: str) -> dict[str, list[dict[str, Any]]]:
    """Each substation of the park (by object id) with its capacity timeline."""
    prefix = infrastructure_key(park_id, "")
    return {
        key[len(prefix) :]: record["timeline"]
        for key, record in scan(view, prefix)
        if record["kind"] == "substation"
    }


def power_allocations(view: StateView, park_id: str) -> list[dict[str, Any]]:
    """Every power allocation of the park, with its id."""
    prefix = f"{PREFIX}power/{park_id}/"
    return [{"allocation_id": key[len(prefix) :], **value} for key, value in scan(view, prefix)]


def power(view: StateView, park_id: str, on: str) -> dict[str, Any]:
    """Capacity, allocated and free power (kW) on a date."""
    timelines, allocations = substation_timelines(view, park_id), power_allocations(view, park_id)
    return _power_row(on, *power_on(timelines, allocations, on))


def power_timeline(view: StateView, park_id: str) -> list[dict[str, Any]]:
    """Capacity, allocated and free power (kW) from each date on which one of them changes."""
    timelines, allocations = substation_timelines(view, park_id), power_allocations(view, park_id)
    return [
        _power_row(on, *power_on(timelines, allocations, on))
        for on in power_dates(timelines, allocations)
    ]


def residents(view: StateView, park_id: str, status: str | None = None) -> list[dict[str, Any]]:
    """The park's residents (and applicants), by INN."""
    prefix = f"{PREFIX}resident/{park_id}/"
    return [
        {"park_id": park_id, "inn": key[len(prefix) :], **value}
        for key, value in scan(view, prefix)
        if status in (None, value["status"])
    ]


def resident(view: StateView, park_id: str, inn: str) -> dict[str, Any] | None:
    """The residency, or None."""
    found = read(view, f"{PREFIX}resident/{park_id}/{inn}")
    return None if found is None else {"park_id": park_id, "inn": inn, **found}


def commitments(view: StateView, park_id: str, inn: str, on: str) -> list[dict[str, Any]]:
    """Each milestone against the actuals reported for it: met, missed, due or pending."""
    found = resident(view, park_id, inn)
    if found is None:
        return []
    rows = []
    for milestone in found["milestones"]:
        quarter = milestone_quarter(milestone["due"])
        investment, jobs = actual_totals(found["actuals"], quarter)
        rows.append(
            {
                "due": milestone["due"],
                "committed_investment_kopecks": milestone["investment_kopecks"],
                "committed_jobs": milestone["jobs"],
                "actual_investment_kopecks": investment,
                "actual_jobs": jobs,
                "status": _milestone_status(milestone, quarter, on),
            }
        )
    return rows


def breaches(view: StateView, park_id: str | None = None) -> list[dict[str, Any]]:
    """Residents in breach, with their missed milestones."""
    chosen = [park_id] if park_id else [p["park_id"] for p in parks(view)]
    return [
        {
            **r,
            "missed": [m for m in r["milestones"] if not m.get("assessment", {}).get("met", True)],
        }
        for pid in chosen
        for r in residents(view, pid, status="breach")
    ]


def agreement(view: StateView, agreement_id: str) -> dict[str, Any] | None:
    """The agreement with its signatures, or None."""
    return _with_id(read(view, f"{PREFIX}agreement/{agreement_id}"), "agreement_id", agreement_id)


def agreements(view: StateView, party: str | None = None) -> list[dict[str, Any]]:
    """Every agreement, optionally those one organisation is party to."""
    return [a for a in _listed(view, "agreement", "agreement_id") if party in (None, *a["parties"])]


def support(view: StateView, recipient_inn: str | None = None) -> list[dict[str, Any]]:
    """Support measures, optionally of one recipient."""
    prefix = f"{PREFIX}support/{recipient_inn}/" if recipient_inn else f"{PREFIX}support/"
    return [{"measure_id": key.rsplit("/", 1)[1], **value} for key, value in scan(view, prefix)]


def support_overlaps(view: StateView) -> list[dict[str, Any]]:
    """Each measure granted over another authority's for the same recipient and purpose."""
    return [
        {
            "measure_id": m["measure_id"],
            "overlaps": m["overlaps"],
            "recipient_inn": m["recipient_inn"],
            "purpose": m["purpose"],
            "by": m["by"],
        }
        for m in support(view)
        if m["overlaps"]
    ]


def target(view: StateView, target_id: str, on: str | None = None) -> dict[str, Any] | None:
    """The target, its latest report and progress; with ``on``, the progress a straight
    line from baseline to target expects by then, and whether the target is on track."""
    record = _with_id(read(view, target_key(target_id)), "target_id", target_id)
    if record is None:
        return None
    latest = record["reports"][-1] if record["reports"] else None
    value = record["baseline_value"] if latest is None else latest["value"]
    record["latest"] = latest
    record["progress_basis_points"] = progress_basis_points(record, value)
    if on is not None:
        elapsed = days_between(record["baseline_date"], min(on, record["by_date"]))
        span = days_between(record["baseline_date"], record["by_date"])
        record["expected_basis_points"] = share_basis_points(max(elapsed, 0), span)
        record["on_track"] = record["progress_basis_points"] >= record["expected_basis_points"]
    return record


def targets(
    view: StateView, region_id: str | None = None, on: str | None = None
) -> list[dict[str, Any]]:
    """Every target, optionally of one region, with progress."""
    found = (target(view, key.rsplit("/", 1)[1], on) for key, _ in scan(view, f"{PREFIX}target/"))
    return [t for t in found if t is not None and region_id in (None, t["region_id"])]


def _milestone_status(milestone: dict[str, Any], quarter: str, on: str) -> str:
    assessment = milestone.get("assessment")
    if assessment is not None:
        return "met" if assessment["met"] else "missed"
    return "awaiting_report" if quarter_end(quarter) < on else "pending"


def _power_row(on: str, capacity: int, allocated: int) -> dict[str, Any]:
    return {
        "from": on,
        "capacity_kw": capacity,
        "allocated_kw": allocated,
        "free_kw": capacity - allocated,
    }


def _count_by_status(found: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in found:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    counts["with_agreement"] = sum(1 for r in found if r["status"] in ALLOCATING_STATUSES)
    return counts


def _listed(view: StateView, kind: str, id_name: str) -> list[dict[str, Any]]:
    prefix = f"{PREFIX}{kind}/"
    return [{id_name: key[len(prefix) :], **value} for key, value in scan(view, prefix)]


def _with_id(record: dict[str, Any] | None, id_name: str, value: str) -> dict[str, Any] | None:
    return None if record is None else {id_name: value, **record}
