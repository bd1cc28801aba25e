"""``GET /v1/receipts/{tx_id}``: a transaction's offline receipt (C2SP tlog-proof), as text.

Receipts, like the static tiles mirror, are made under the checkpoint ``/checkpoint``
publishes: with witnesses configured, the newest one the home's quorum cosigned, its
cosignature lines included; without, the newest signed one.
"""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import PlainTextResponse

from krai.app.publication import NotYetPublishedError, published_note
from krai.app.receipts import FILE_SUFFIX, MEDIA_TYPE, issue_receipt
from krai.entrypoints.api.context import ServicesDep
from krai.entrypoints.api.limits import HEX_SHA256
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError

router = APIRouter(tags=["log"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/receipts/{tx_id}",
    summary="A transaction's offline receipt (C2SP tlog-proof)",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}},
)
def receipt(
    tx_id: Annotated[str, Path(pattern=HEX_SHA256, description="SHA-256 of the transaction.")],
    services: ServicesDep,
) -> PlainTextResponse:
    """The entry's bytes (``extra``), its index, the inclusion proof and the published
    checkpoint with its cosignatures: ``krai receipt verify`` checks it against a policy."""
    try:
        text = issue_receipt(services.storage, tx_id, published_note(services.publication))
    except NotYetPublishedError as error:
        raise ProblemError("unavailable", str(error)) from None
    disposition = f'inline; filename="{tx_id}{FILE_SUFFIX}"'
    return PlainTextResponse(
        text,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-cache"},
    )
