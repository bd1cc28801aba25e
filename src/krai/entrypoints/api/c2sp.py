"""The C2SP endpoints: ``/checkpoint`` (tlog-checkpoint in a signed note) and ``/tile/...``
(tlog-tiles: hash tiles and entry bundles), so existing transparency-log tooling reads krai.

With witnesses configured, ``/checkpoint`` serves the newest checkpoint cosigned by the
home's quorum of them (tlog-cosignature lines after the log's signature), and
``/v1/checkpoint/cosigned`` describes it as JSON.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from krai.app.cosigning import CosignedNote
from krai.app.tiles import TileNotFoundError, read_tile
from krai.bootstrap import Services
from krai.entrypoints.api.context import ServicesDep, StorageDep, document
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError, not_found
from krai.entrypoints.api.witnessing import (
    configured_witnesses,
    cosigned_store,
    published_checkpoint,
)
from krai.log.cosigned import CosignedCheckpoint
from krai.log.note import format_vkey

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
    if services.settings.witnesses:
        note = _published(services)[0].note
        return PlainTextResponse(note, headers={"Cache-Control": CHECKPOINT_CACHE})
    latest = services.storage.latest_checkpoint()
    if latest is None:
        raise not_found("no checkpoint has been signed yet")
    return PlainTextResponse(latest.note, headers={"Cache-Control": CHECKPOINT_CACHE})


@router.get(
    "/v1/checkpoint/cosigned",
    summary="The published checkpoint with its witness cosignatures and the policy it met",
)
def cosigned_checkpoint(services: ServicesDep) -> JSONResponse:
    """Size, root, the cosigned note, who cosigned it when, the quorum and every witness."""
    if not services.settings.witnesses:
        raise not_found("this log has no witnesses configured: see GET /v1/checkpoint")
    stored, verified = _published(services)
    store = cosigned_store(services)
    sizes = store.witness_sizes() if store is not None else {}
    return document(
        {
            "origin": services.origin,
            "size": verified.checkpoint.size,
            "root_hash": verified.checkpoint.root_hash.hex(),
            "time_ms": stored.time_ms,
            "note": stored.note,
            "vkey": format_vkey(services.log_verifier),
            "quorum": services.settings.quorum,
            "cosignatures": [
                {"key_name": name, "timestamp": verified.timestamps[name]}
                for name in verified.cosigners
            ],
            "witnesses": _witnesses_json(services, sizes),
        }
    )


def _published(services: Services) -> tuple[CosignedNote, CosignedCheckpoint]:
    found = published_checkpoint(services)
    if found is None:
        quorum, count = services.settings.quorum, len(services.settings.witnesses)
        raise ProblemError(
            "unavailable",
            f"no checkpoint has been cosigned by {quorum} of the log's {count} witnesses yet",
        )
    return found


def _witnesses_json(services: Services, sizes: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "name": witness.name,
            "url": witness.url,
            "vkey": format_vkey(witness.verifier),
            "cosigned_size": sizes.get(witness.name),
        }
        for witness in configured_witnesses(services.settings)
    ]


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
