"""Parks and clusters: regions and their parks, a park's power and occupancy, residents'
commitments against actuals, agreements with their signatures, regional targets, clusters
with their value chains, and the investors' site search.

Pages read the registry as of ``?on=`` (default: the ledger's today, the newest entry's day).
"""

import datetime as dt
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from krai.app import park_registry, park_templates
from krai.app.park_report_preview import PARK_REPORT
from krai.app.ports import Storage
from krai.app.today import ledger_today
from krai.entrypoints.web import charts
from krai.entrypoints.web.language import language_of
from krai.entrypoints.web.render import bad_day, not_found, page, respond, services_of
from krai.entrypoints.web.uploads import upload_pages
from krai.entrypoints.words.i18n import Words
from krai.state.calendar import CalendarDayError, calendar_day
from krai.tx.errors import RejectedError

router = APIRouter()
upload_pages(router, "/parks/{park_id}/upload", PARK_REPORT, "park_upload.j2", "park_report.title")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUARTERS_OFFERED = 4
SITE_STATUSES = ("free", "reserved", "leased", "sold", "withdrawn")


@page(router, "/parks")
def index(request: Request, on: str | None = None) -> Response:
    """Regions with their parks, clusters, agreements and regional targets."""
    storage = services_of(request).storage
    try:
        day = calendar_day(on, "on") if on else ledger_today(storage)
    except CalendarDayError as error:
        return bad_day(request, str(on), str(error))
    all_parks = park_registry.park_cards(storage)
    regions = [
        {**region, "parks": [p for p in all_parks if p["region_id"] == region["region_id"]]}
        for region in park_registry.regions(storage)
    ]
    data: dict[str, Any] = {
        "on": day,
        "regions": regions,
        "clusters": park_registry.clusters(storage),
        "agreements": park_registry.agreements(storage),
        "targets": park_registry.targets(storage, on=day),
    }
    data["names"] = names_of(storage, _agreement_inns(data["agreements"]))
    return respond(request, "parks.j2", data, "parks.title")


@page(router, "/parks/sites")
def site_search(
    request: Request,
    park_id: str = "",
    status: str = "",
    min_area_m2: str = "",
    max_price_rub: str = "",
) -> Response:
    """The investors' search: sites by park, status, least area and highest price (a form's
    empty field means no limit)."""
    storage = services_of(request).storage
    least_area, most_roubles = _whole(min_area_m2) or 0, _whole(max_price_rub)
    max_kopecks = None if most_roubles is None else most_roubles * 100
    found = park_registry.sites(
        storage, park_id or None, status or None, least_area, max_price_kopecks=max_kopecks
    )
    data: dict[str, Any] = {
        "criteria": {
            "park_id": park_id,
            "status": status,
            "min_area_m2": least_area,
            "max_price_rub": most_roubles,
        },
        "sites": [{k: v for k, v in s.items() if k != "history"} for s in found],
        "parks": [
            {"park_id": p["park_id"], "name_ru": p["name_ru"], "name_en": p["name_en"]}
            for p in park_registry.parks(storage)
        ],
        "statuses": list(SITE_STATUSES),
        "names": _park_names(storage),
    }
    return respond(request, "sites.j2", data, "sites.title")


@page(router, "/parks/clusters/{cluster_id}")
def cluster(request: Request, cluster_id: str) -> Response:
    """A cluster's regions and its value-chain stages with their members."""
    storage = services_of(request).storage
    found = park_registry.cluster(storage, cluster_id)
    if found is None:
        return not_found(request, f"cluster {cluster_id}")
    inns = {m["inn"] for m in found["members"] if "inn" in m} | {found["coordinator"]}
    data = {
        "cluster": found,
        "names": names_of(storage, inns),
        "regions": _region_names(storage),
        "parks": _park_names(storage),
    }
    return respond(request, "cluster.j2", data, "cluster.title")


@page(router, "/parks/{park_id}/facts/{name}")
def fact(request: Request, park_id: str, name: str) -> Response:
    """A fact with its history and the proof of the entry that stated it (as
    ``GET /v1/parks/{id}/facts/{name}``)."""
    proven = park_registry.proven_fact(services_of(request).storage, park_id, name)
    if proven is None:
        return not_found(request, f"fact {name} of park {park_id}")
    return respond(request, "fact.j2", proven, "fact.title")


@page(router, "/parks/{park_id}")
def park(request: Request, park_id: str, on: str | None = None) -> Response:
    """A park: its card (as ``GET /v1/parks/{id}``), power timeline, occupancy, residents (as
    ``GET /v1/parks/{id}/residents``) and agreements."""
    storage = services_of(request).storage
    try:
        day = calendar_day(on, "on") if on else ledger_today(storage)
    except CalendarDayError as error:
        return bad_day(request, str(on), str(error))
    card = park_registry.park_card(storage, park_id, day)
    if card is None:
        return not_found(request, f"park {park_id}")
    residents = park_registry.residents_with_commitments(storage, park_id, day)
    data: dict[str, Any] = {
        "on": day,
        "card": card,
        "power_timeline": park_registry.power_timeline(storage, park_id),
        "residents": residents,
        "agreements": [a for a in park_registry.agreements(storage) if a.get("park_id") == park_id],
        "support": park_registry.support_measures(storage, park_id),
    }
    inns = {r["inn"] for r in residents} | _agreement_inns(data["agreements"])
    inns |= {m["recipient_inn"] for m in data["support"]} | {m["by"] for m in data["support"]}
    inns |= {o["owner_inn"] for o in card["infrastructure"] if "owner_inn" in o}
    data["names"] = names_of(storage, inns | {card["park"]["operator"]})
    words = Words(language_of(request))
    charts_of = _park_charts(data, words)
    quarters = _recent_quarters(day)
    return respond(request, "park.j2", data, "park.title", quarters=quarters, **charts_of)


@router.get("/parks/{park_id}/template", include_in_schema=False)
def report_template(
    request: Request, park_id: str, quarter: str = "", resident: str = ""
) -> Response:
    """The XLSX template of the quarter's resident reports (of one resident, if chosen) or,
    without a quarter, of the park's facts: ``GET /v1/parks/{id}/template``'s file."""
    storage = services_of(request).storage
    try:
        if quarter:
            chosen = park_templates.actuals_template(storage, park_id, quarter, resident or None)
            data, name = park_templates.write_actuals(chosen), f"{park_id}-{chosen.quarter}.xlsx"
        else:
            facts = park_templates.facts_template(storage, park_id)
            data, name = park_templates.write_facts(facts), f"{park_id}-facts.xlsx"
    except RejectedError as error:
        return not_found(request, error.message)
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=XLSX, headers=disposition)


def _recent_quarters(day: str) -> list[str]:
    """The quarter of ``day`` and the ones before it, newest first: what a report covers."""
    year, quarter = int(day[:4]), (int(day[5:7]) - 1) // 3 + 1
    found = []
    for _ in range(QUARTERS_OFFERED):
        found.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return found


def names_of(storage: Storage, inns: set[str]) -> dict[str, str]:
    """The member organisations' names by INN (an INN unknown to the network is left out)."""
    return park_registry.organisation_names(storage, inns)


def _park_names(storage: Storage) -> dict[str, dict[str, str]]:
    return {
        p["park_id"]: {"ru": p["name_ru"], "en": p["name_en"]} for p in park_registry.parks(storage)
    }


def _park_charts(data: dict[str, Any], words: Words) -> dict[str, Any]:
    timeline = data["power_timeline"]
    days = [_day_number(row["from"]) for row in timeline]
    power = charts.step_chart(
        days,
        [words.short_date(row["from"]) for row in timeline],
        [
            charts.Series(
                words("park.guaranteed_capacity"), [row["capacity_kw"] for row in timeline]
            ),
            charts.Series(words("park.allocated"), [row["allocated_kw"] for row in timeline]),
        ],
        words("park.power_chart"),
        words.power,
    )
    occupancy = data["card"]["park"]["occupancy"]
    rows = [(words.label("site", s), occupancy[f"{s}_m2"]) for s in SITE_STATUSES]
    if not any(area for _, area in rows):
        return {"power_chart": power, "occupancy_chart": None}
    area = charts.horizontal_bars(rows, words("park.occupancy"), words.area)
    return {"power_chart": power, "occupancy_chart": area}


def _agreement_inns(agreements: list[dict[str, Any]]) -> set[str]:
    return {inn for a in agreements for inn in a["parties"]}


def _region_names(storage: Storage) -> dict[str, dict[str, str]]:
    return {
        r["region_id"]: {"ru": r["name_ru"], "en": r["name_en"]}
        for r in park_registry.regions(storage)
    }


def _whole(text: str) -> int | None:
    """A form's whole number, or None when the field is empty or not a number."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    return int(cleaned) if cleaned.isdigit() else None


def _day_number(iso_day: str) -> int:
    return dt.date.fromisoformat(iso_day).toordinal()
