"""``/v1/payments``: programmes, the audit anyone can run, traces with every link's proof, and
bank statement files read into the transactions that record them."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse

from krai.app.payments_audit import audit_report
from krai.app.statement_preview import STATEMENT, statement_preview
from krai.app.trace import flagged_trace, with_proofs
from krai.app.uploads import UploadError, chosen_signing
from krai.bootstrap import new_engine
from krai.entrypoints.api.context import ServicesDep, StorageDep, document, found
from krai.entrypoints.api.limits import IDENTIFIER, MAX_BODY_BYTES, Identifier
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError, malformed, not_found
from krai.modules.payments import queries, trace
from krai.state.calendar import CalendarDayError
from krai.state.records import record_json, records_json

router = APIRouter(prefix="/v1/payments", tags=["payments"], responses=PROBLEM_RESPONSES)

TraceStart = Annotated[str | None, Query(pattern=IDENTIFIER, max_length=200)]


@router.get("/programmes", summary="Every programme")
def programmes(storage: StorageDep) -> JSONResponse:
    """By id."""
    return document(records_json(queries.programmes(storage)))


@router.get("/programmes/{programme_id}", summary="A programme with its dated rule versions")
def programme(programme_id: Identifier, storage: StorageDep) -> JSONResponse:
    """The programme and every rule version, oldest first."""
    found_programme = queries.programme(storage, programme_id)
    if found_programme is None:
        raise not_found(f"programme {programme_id} is not registered")
    rules = records_json(queries.rules(storage, programme_id))
    return document({**record_json(found_programme), "rules": rules})


@router.get("/audit", summary="Every audit finding, as `krai payments audit --json`")
def audit(
    services: ServicesDep,
    as_of: Annotated[
        str | None, Query(description="Audit as of this day (default: the last entry's).")
    ] = None,
) -> JSONResponse:
    """Illegitimate, duplicate, late and missing accruals, broken links, unmatched lines."""
    try:
        # One process: a server's worker does not fork.
        return document(
            audit_report(
                services.storage, services.origin, as_of or None, new_engine=new_engine, parts=1
            )
        )
    except CalendarDayError as error:
        raise malformed(str(error)) from error


@router.get("/trace", summary="The chain between budget and service, each link with its proof")
def trace_chain(
    storage: StorageDep,
    payment: TraceStart = None,
    dispensing: TraceStart = None,
    programme: TraceStart = None,
) -> JSONResponse:
    """Exactly one of ``payment`` or ``dispensing`` (backwards) or ``programme`` (forwards)."""
    if [payment, dispensing, programme].count(None) != 2:
        raise malformed("name exactly one of payment, dispensing, programme")
    if programme is not None:
        flows = trace.forwards_from_programme(storage, programme)
        if not flows:
            raise not_found(f"programme {programme} is not registered")
        return document({**flows, **with_proofs(storage, flows["funding"])})
    steps: list[dict[str, Any]] = (
        trace.backwards_from_payment(storage, payment)
        if payment is not None
        else trace.backwards_from_dispensing(storage, str(dispensing))
    )
    what = f"payment {payment}" if payment is not None else f"dispensing {dispensing}"
    return found(flagged_trace(storage, steps) if steps else None, f"{what} is not recorded")


StatementId = Annotated[
    str, Form(pattern=r"^[a-z0-9][a-z0-9._:-]{0,95}$", description="The statement's id.")
]


@router.post(
    "/statements",
    summary="Read a bank statement file: the transactions that record it, for the agent to sign",
)
async def statement_parts(
    services: ServicesDep,
    *,
    file: Annotated[UploadFile, File(description="A «Клиент банка» file or krai's CSV.")],
    statement_id: StatementId,
    file_format: Annotated[
        Literal["auto", "csv", "1c"], Form(alias="format", description="auto: by the first line.")
    ] = "auto",
    signer: Annotated[str, Form(max_length=200, description="Who will sign.")] = "",
    key_id: Annotated[str, Form(max_length=16, description="The signer's key id.")] = "",
) -> JSONResponse:
    """As ``krai payments import-statement`` reads a file, without signing or recording: the
    statement's lines and each part's type, version, nonce and body, with its lines' expected
    matches and totals; given ``signer`` and ``key_id`` (an active key of a payment agent),
    also each part's whole envelope and the exact bytes to sign (``to_sign``, ADR 0035). The
    paying agent signs them and submits them to ``/v1/transactions`` in order. A malformed
    file is a ``malformed_file`` problem whose detail names the line and key."""
    data = await file.read(MAX_BODY_BYTES + 1)
    storage = services.storage
    form = {"statement_id": statement_id, "format": file_format}
    try:
        signing = chosen_signing(storage, STATEMENT.role, signer, key_id)
        return document(statement_preview(storage, services.origin, {"file": data}, form, signing))
    except UploadError as error:
        raise ProblemError(error.code, str(error)) from None
