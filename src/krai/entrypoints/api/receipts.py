"""``GET /v1/receipts/{tx_id}``: a transaction's offline receipt (C2SP tlog-proof), as text.

Receipts, like the static tiles mirror, are made under the checkpoint ``/checkpoint``
publishes: with witnesses configured, the newest one the home's quorum cosigned, its
cosignature lines included; without, the newest signed one.
"""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import PlainTextResponse

from krai.app.receipts import FILE_SUFFIX, MEDIA_TYPE, NotYetPublishedError, issue_receipt
from krai.bootstrap import Services
from krai.entrypoints.api.context import ServicesDep
from krai.entrypoints.api.limits import HEX_SHA256
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError
from krai.entrypoints.api.witnessing import published_checkpoint

router = APIRouter(tags=["log"], responses=PROBLEM_RESPONSES)


def published_note(services: Services) -> str | None:
    """The note ``/checkpoint`` serves when witnesses are configured; None without them (the
    newest signed checkpoint is then the published one)."""
    if not services.settings.witnesses:
        return None
    found = published_checkpoint(services)
    if found is None:
        quorum, count = services.settings.quorum, len(services.settings.witnesses)
        raise NotYetPublishedError(
            f"no checkpoint has been cosigned by {quorum} of the log's {count} witnesses yet"
        )
    return found[0].note


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
        text = issue_receipt(services.storage, tx_id, published_note(services))
    except NotYetPublishedError as error:
        raise ProblemError("unavailable", str(error)) from None
    disposition = f'inline; filename="{tx_id}{FILE_SUFFIX}"'
    return PlainTextResponse(
        text,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-cache"},
    )
