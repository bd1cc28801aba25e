"""``/v1`` reads of the park registry: parks, cards, facts with proofs, sites, power,
residents, agreements and targets — the documents ``krai parks … --json`` prints."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from krai.app import park_registry
from krai.app.lookups import require_park
from krai.entrypoints.api.context import StorageDep, day_or_today, document, found
from krai.entrypoints.api.limits import IDENTIFIER, Identifier
from krai.entrypoints.api.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1", tags=["parks"], responses=PROBLEM_RESPONSES)

OnQuery = Annotated[
    str | None,
    Query(description="The date to read as of, YYYY-MM-DD (default: the newest entry's day)."),
]
FilterQuery = Annotated[str | None, Query(pattern=IDENTIFIER, max_length=200)]
Amount = Annotated[int, Query(ge=0, le=2**63 - 1)]


@router.get("/parks", summary="Every park with its kind, status, operator and occupancy")
def parks(storage: StorageDep, region: FilterQuery = None) -> JSONResponse:
    """As ``krai parks list --json``."""
    return document(park_registry.park_cards(storage, region))


@router.get("/parks/support", summary="Support measures granted, with their overlaps")
def support(storage: StorageDep, park: FilterQuery = None) -> JSONResponse:
    """As ``krai parks support --json``: what, to whom, by whom, period, amount, legal basis,
    and the other authorities' measures each overlaps."""
    return document(park_registry.support_measures(storage, park))


@router.get("/parks/{park_id}", summary="A park's card: facts, infrastructure and power")
def park(park_id: Identifier, storage: StorageDep, on: OnQuery = None) -> JSONResponse:
    """As ``krai parks show --json``."""
    card = park_registry.park_card(storage, park_id, day_or_today(on, storage))
    return found(card, f"park {park_id} is not registered")


@router.get("/parks/{park_id}/facts/{name}", summary="A fact with its history and proof")
def fact(
    park_id: Identifier,
    name: Annotated[str, Path(pattern=IDENTIFIER, max_length=200)],
    storage: StorageDep,
) -> JSONResponse:
    """As ``krai parks fact --json``: the inclusion proof and the checkpoint it verifies with."""
    proven = park_registry.proven_fact(storage, park_id, name)
    return found(proven, f"park {park_id} has no stated fact {name}")


@router.get("/parks/{park_id}/power", summary="Capacity, allocated and free kW over time")
def power(park_id: Identifier, storage: StorageDep) -> JSONResponse:
    """From each date on which one of them changes."""
    require_park(storage, park_id)
    return document(park_registry.power_timeline(storage, park_id))


@router.get("/parks/{park_id}/residents", summary="Residents with commitments and breaches")
def residents(park_id: Identifier, storage: StorageDep, on: OnQuery = None) -> JSONResponse:
    """As ``krai parks residents --json``."""
    require_park(storage, park_id)
    day = day_or_today(on, storage)
    return document(park_registry.residents_with_commitments(storage, park_id, day))


@router.get("/sites", summary="Search plots as an investor would")
def sites(
    storage: StorageDep,
    park: FilterQuery = None,
    status: FilterQuery = None,
    min_area_m2: Amount = 0,
    max_price_kopecks: Annotated[Amount | None, Query()] = None,
) -> JSONResponse:
    """As ``krai parks sites --json``."""
    return document(park_registry.sites(storage, park, status, min_area_m2, max_price_kopecks))


@router.get("/agreements", summary="Agreements with their parties and signatures")
def agreements(storage: StorageDep, party: FilterQuery = None) -> JSONResponse:
    """As ``krai parks agreements --json``."""
    return document(park_registry.agreements(storage, party))


@router.get("/targets", summary="Regional targets with their progress")
def targets(storage: StorageDep, region: FilterQuery = None, on: OnQuery = None) -> JSONResponse:
    """As ``krai parks targets --json``."""
    return document(park_registry.targets(storage, region, day_or_today(on, storage)))


@router.get("/regions", summary="Every region")
def regions(storage: StorageDep) -> JSONResponse:
    """Regions with their names and time zones."""
    return document(park_registry.regions(storage))


@router.get("/clusters", summary="Every cluster")
def clusters(storage: StorageDep) -> JSONResponse:
    """Clusters with their regions and parks."""
    return document(park_registry.clusters(storage))
