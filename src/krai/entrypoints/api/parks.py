"""``/v1`` reads of the park registry: parks, cards, facts with proofs, sites, power,
residents, agreements and targets — the documents ``krai parks … --json`` prints — and the
XLSX report templates, written and read back into the transactions they record."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from krai.app import park_registry, park_templates
from krai.app.lookups import require_park
from krai.app.park_report_preview import PARK_REPORT, park_report_preview
from krai.app.uploads import UploadError, chosen_signing
from krai.entrypoints.api.context import ServicesDep, StorageDep, day_or_today, document, found
from krai.entrypoints.api.limits import IDENTIFIER, MAX_BODY_BYTES, Identifier
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError

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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DETAIL_ERRORS = 10
"""How many of a refused file's errors the problem's ``detail`` repeats; ``errors`` has all."""


@router.post(
    "/parks/reports",
    summary="Read a filled park report template: its preview and the transactions that record "
    "it, to sign",
)
async def park_report(
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="A filled template of GET …/template.")],
    signer: Annotated[str, Form(max_length=200, description="Who will sign.")] = "",
    key_id: Annotated[str, Form(max_length=16, description="The signer's key id.")] = "",
) -> JSONResponse:
    """As ``krai parks import-report`` reads a file, without signing or recording: the park,
    kind and quarter; for actuals each filled sheet's resident, figures and source against
    its commitments (committed, reported before, with this report); for facts the statement;
    and ``parts``: each transaction's sheet, ``signer`` (the resident who alone may sign its
    actuals; null for park facts: the operator or an attestor), type, version, nonce and
    body. Given ``signer`` and ``key_id`` (an active key of a resident, operator or
    attestor), the transactions that organisation signs also carry their whole envelope
    and the exact bytes to sign (``to_sign``, ADR 0035); ``left_for_others`` names the
    sheets other residents sign. A wrong cell refuses the whole file: a ``malformed_file``
    problem whose ``errors`` list every ``sheet!cell: reason``; a key that signs none of it
    a ``rule_violation``."""
    storage = services.storage
    data = await file.read(MAX_BODY_BYTES + 1)
    try:
        signing = chosen_signing(storage, PARK_REPORT.role, signer, key_id)
        preview = park_report_preview(storage, services.origin, {"file": data}, {}, signing)
    except UploadError as error:
        shown = error.problems[:DETAIL_ERRORS]
        more = len(error.problems) - len(shown)
        detail = "; ".join(shown) + (f"; and {more} more" if more else "")
        raise ProblemError(error.code, detail, error.problems) from None
    return document(preview)


@router.get(
    "/parks/{park_id}/template",
    summary="The XLSX template of a quarter's resident reports, or of the park's facts",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def template(
    park_id: Identifier,
    storage: StorageDep,
    quarter: Annotated[
        str | None, Query(pattern=r"^[0-9]{4}-?Q[1-4]$", description="e.g. 2026-Q2.")
    ] = None,
    resident: Annotated[
        str | None, Query(pattern=IDENTIFIER, max_length=200, description="Only its sheet.")
    ] = None,
    facts: Annotated[bool, Query(description="The park facts template instead.")] = False,
) -> Response:
    """As ``krai parks template``: exactly one of ``quarter`` (with an optional ``resident``)
    or ``facts=true``."""
    if facts == (quarter is not None) or (facts and resident is not None):
        raise ProblemError("malformed", "give either quarter (and resident) or facts=true")
    if quarter is not None:
        found_template = park_templates.actuals_template(storage, park_id, quarter, resident)
        data = park_templates.write_actuals(found_template)
        name = f"{park_id}-{found_template.quarter}.xlsx"
    else:
        data = park_templates.write_facts(park_templates.facts_template(storage, park_id))
        name = f"{park_id}-facts.xlsx"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=XLSX, headers=disposition)


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
