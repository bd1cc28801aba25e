"""``/v1/energy``: the in-park exchange read from the ledger — markets, a day's prices, a
period's curves and book (anyone re-clears it), the day's recomputation, invoices and heat."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import JSONResponse

from krai.app.energy_recompute import recompute_day
from krai.app.lookups import require_market
from krai.app.meter_preview import METER_FILE, meter_preview
from krai.app.uploads import UploadError, chosen_signing
from krai.entrypoints.api.context import ServicesDep, StorageDep, calendar_day, document, found
from krai.entrypoints.api.limits import DATE, MAX_BODY_BYTES, MONTH, Identifier
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError, not_found
from krai.modules.energy import queries
from krai.modules.energy.model import periods_per_day
from krai.state.records import record_json, records_json

router = APIRouter(prefix="/v1/energy", tags=["energy"], responses=PROBLEM_RESPONSES)

Day = Annotated[str, Path(pattern=DATE, description="The delivery day, YYYY-MM-DD.")]
Period = Annotated[int, Path(ge=1, le=10_000, description="The period, from 1.")]
Month = Annotated[str, Path(pattern=MONTH, description="The month, YYYY-MM.")]
MARKET = "/markets/{market_id}"


@router.get("/markets", summary="Every market with its limits timeline")
def markets(storage: StorageDep) -> JSONResponse:
    """By id."""
    return document(records_json(queries.markets(storage)))


@router.get(MARKET, summary="One market")
def market(market_id: Identifier, storage: StorageDep) -> JSONResponse:
    """The market with its limits timeline."""
    return document(record_json(require_market(storage, market_id)))


@router.get(MARKET + "/days/{day}/prices", summary="Each cleared period's price and volumes")
def prices(market_id: Identifier, day: Day, storage: StorageDep) -> JSONResponse:
    """As ``krai energy prices --json``."""
    require_market(storage, market_id)
    return document(queries.day_prices(storage, market_id, calendar_day(day, "day")))


@router.get(MARKET + "/days/{day}/periods/{period}/curves", summary="Supply and demand step curves")
def curves(market_id: Identifier, day: Day, period: Period, storage: StorageDep) -> JSONResponse:
    """As ``krai energy curves``."""
    day = calendar_day(day, "day")
    return found(
        queries.curves(storage, market_id, day, period),
        f"period {period} of {day} in market {market_id} is not cleared",
    )


@router.get(
    MARKET + "/days/{day}/periods/{period}/book",
    summary="A period's book as the ledger clears it (the input of `krai energy clear`)",
)
def book(market_id: Identifier, day: Day, period: Period, storage: StorageDep) -> JSONResponse:
    """As ``krai energy book``; a refusal (no such period, say) is its problem."""
    opened = require_market(storage, market_id)
    day = calendar_day(day, "day")
    if period > periods_per_day(opened):
        raise not_found(f"market {market_id} has {periods_per_day(opened)} periods a day")
    return document(queries.period_document(storage, opened, market_id, day, period))


@router.get(
    MARKET + "/days/{day}/recompute",
    summary="Every cleared period recomputed from the ledger, its certificate checked",
)
def recompute(market_id: Identifier, day: Day, storage: StorageDep) -> JSONResponse:
    """As ``krai energy recompute --json``: one verdict per cleared period."""
    checks = recompute_day(storage, market_id, calendar_day(day, "day"))
    return found(checks, f"market {market_id} is not open")


@router.get(MARKET + "/days/{day}/statements/{inn}", summary="A participant's invoice for a day")
def statement(
    market_id: Identifier, day: Day, inn: Identifier, storage: StorageDep
) -> JSONResponse:
    """As ``krai energy statement``."""
    day = calendar_day(day, "day")
    return found(
        queries.statement(storage, market_id, day, inn),
        f"{day} has no settled invoice of {inn} in market {market_id}",
    )


@router.get(MARKET + "/heat/{month}", summary="Heat delivered, paid for and fuel avoided")
def heat(market_id: Identifier, month: Month, storage: StorageDep) -> JSONResponse:
    """As ``krai energy heat``."""
    require_market(storage, market_id)
    return document(queries.heat_report(storage, market_id, month))


@router.post(
    "/readings",
    summary="Read an ATS 80020 meter data file: its preview and the transactions that record "
    "it, for the meter operator to sign",
)
async def reading_parts(
    services: ServicesDep,
    *,
    file: Annotated[UploadFile, File(description="An ATS 80020 (or 80040) XML file.")],
    market_id: Annotated[
        str, Form(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", description="The market's id.")
    ],
    points: Annotated[
        UploadFile | None,
        File(
            description='JSON {"measuring point code": "participant INN"} (default: the codes '
            "are INNs)."
        ),
    ] = None,
    signer: Annotated[str, Form(max_length=200, description="Who will sign.")] = "",
    key_id: Annotated[str, Form(max_length=16, description="The signer's key id.")] = "",
) -> JSONResponse:
    """As ``krai energy import-readings`` reads a file, without signing or recording: the
    file's day, area, SHA-256 and readings, each participant's and the whole file's totals,
    and each transaction's type, version, nonce and body — the notary's anchor of the file
    first, then its ``energy.submit_readings``, each reading with its local hour and the
    estimate it replaces; given ``signer`` and ``key_id`` (an active key of a meter
    operator), also each transaction's whole envelope and the exact bytes to sign
    (``to_sign``, ADR 0035). The meter operator signs them and submits them to
    ``/v1/transactions`` in order. A malformed file is a ``malformed_file`` problem whose
    detail names the line and element; readings of non-participants a ``rule_violation``,
    readings of periods already measured a ``conflict``."""
    storage = services.storage
    require_market(storage, market_id)
    files = {"file": await file.read(MAX_BODY_BYTES + 1)}
    if points is not None:
        files["points"] = await points.read(MAX_BODY_BYTES + 1)
    try:
        signing = chosen_signing(storage, METER_FILE.role, signer, key_id)
        preview = meter_preview(storage, services.origin, files, {"market_id": market_id}, signing)
    except UploadError as error:
        raise ProblemError(error.code, str(error)) from None
    return document(preview)
