"""The C2SP endpoints: ``/checkpoint`` (tlog-checkpoint in a signed note) and ``/tile/...``
(tlog-tiles: hash tiles and entry bundles), so existing transparency-log tooling reads krai.

With witnesses configured, ``/checkpoint`` serves the newest checkpoint cosigned by the
home's quorum of them (tlog-cosignature lines after the log's signature), and
``/v1/checkpoint/cosigned`` describes it as JSON; ``/v1/checkpoint/published`` describes
the published checkpoint with witnesses or without (``krai.app.publication``).
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from krai.app.publication import NotYetPublishedError, published_checkpoint, published_note
from krai.app.tiles import TileNotFoundError, read_tile
from krai.bootstrap import Services
from krai.entrypoints.api.context import ServicesDep, StorageDep, document
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError, not_found

router = APIRouter(tags=["c2sp"], responses=PROBLEM_RESPONSES)

FULL_TILE_CACHE = "public, max-age=31536000, immutable"
PARTIAL_TILE_CACHE = "public, max-age=60"
CHECKPOINT_CACHE = "no-cache"


@router.get(
    "/checkpoint",
    summary="The latest signed checkpoint (C2SP tlog-checkpoint)",
    response_class=PlainTextResponse,
)
def checkpoint(services: ServicesDep) -> Response:
    """The signed note, as text; with witnesses, the newest one a quorum cosigned."""
    try:
        note = published_note(services.publication)
    except NotYetPublishedError as error:
        raise ProblemError("unavailable", str(error)) from None
    if note is None:
        latest = services.storage.latest_checkpoint()
        if latest is None:
            raise not_found("no checkpoint has been signed yet")
        note = latest.note
    return PlainTextResponse(note, headers={"Cache-Control": CHECKPOINT_CACHE})


@router.get(
    "/v1/checkpoint/cosigned",
    summary="The published checkpoint with its witness cosignatures and the policy it met",
)
def cosigned_checkpoint(services: ServicesDep) -> JSONResponse:
    """Size, root, the cosigned note, who cosigned it when, the quorum and every witness."""
    if not services.settings.witnesses:
        raise not_found("this log has no witnesses configured: see GET /v1/checkpoint")
    return _published(services)


@router.get(
    "/v1/checkpoint/published",
    summary="The checkpoint `/checkpoint` publishes, as `krai log published --json`",
)
def published(services: ServicesDep) -> JSONResponse:
    """Without witnesses the newest signed checkpoint; with them, the newest one their
    quorum cosigned, with its cosignatures and every witness."""
    return _published(services)


def _published(services: Services) -> JSONResponse:
    try:
        found = published_checkpoint(services.publication)
    except NotYetPublishedError as error:
        raise ProblemError("unavailable", str(error)) from None
    if found is None:
        raise not_found("no checkpoint has been signed yet")
    return document(found)


@router.get(
    "/tile/{path:path}",
    summary="A hash tile or entry bundle (C2SP tlog-tiles)",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def tile(path: str, storage: StorageDep) -> Response:
    """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``; full ones are immutable."""
    try:
        found = read_tile(storage, f"tile/{path}")
    except TileNotFoundError as error:
        raise not_found(str(error)) from None
    cache = FULL_TILE_CACHE if found.full else PARTIAL_TILE_CACHE
    return Response(
        found.data, media_type="application/octet-stream", headers={"Cache-Control": cache}
    )
