"""The C2SP endpoints: ``/checkpoint`` (tlog-checkpoint in a signed note) and ``/tile/...``
(tlog-tiles: hash tiles and entry bundles), so existing transparency-log tooling reads krai."""

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from krai.app.tiles import TileNotFoundError, read_tile
from krai.entrypoints.api.context import StorageDep
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, not_found

router = APIRouter(tags=["c2sp"], responses=PROBLEM_RESPONSES)

FULL_TILE_CACHE = "public, max-age=31536000, immutable"
PARTIAL_TILE_CACHE = "public, max-age=60"
CHECKPOINT_CACHE = "no-cache"


@router.get(
    "/checkpoint",
    summary="The latest signed checkpoint (C2SP tlog-checkpoint)",
    response_class=PlainTextResponse,
)
def checkpoint(storage: StorageDep) -> Response:
    """The signed note, as text."""
    latest = storage.latest_checkpoint()
    if latest is None:
        raise not_found("no checkpoint has been signed yet")
    return PlainTextResponse(latest.note, headers={"Cache-Control": CHECKPOINT_CACHE})


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
