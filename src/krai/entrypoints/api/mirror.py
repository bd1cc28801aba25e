"""A mirror's C2SP tlog-mirror endpoints (ADR 0037): the push API under the submission
prefix ``/mirror`` (``add-checkpoint``, ``add-entries``), and the mirrored log's tlog-tiles
under the monitoring prefix ``/mirror/<origin hash>`` (the lower-case hex SHA-256 of the
log's origin): ``checkpoint`` (with the mirror's cosignature) and ``tile/…``.

They answer on a follower whose home holds a mirror key (``krai follow --mirror-name``);
elsewhere they are 404.
"""

import gzip
import hashlib
import zlib

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from krai.app.mirror_inbox import MirrorInbox
from krai.bootstrap import Services
from krai.entrypoints.api import c2sp
from krai.entrypoints.api.context import ServicesDep
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError, malformed, not_found
from krai.log.witness import Verdict
from krai.tx.errors import Code

router = APIRouter(tags=["c2sp"], responses=PROBLEM_RESPONSES)

PREFIX = "/mirror"
PUSH_PATHS = frozenset({f"{PREFIX}/add-checkpoint", f"{PREFIX}/add-entries"})
MAX_ENTRIES_BODY = 64 * 1024 * 1024
"""An add-entries body as it arrives (gzip or not), and once inflated."""
LARGER_BODIES = {f"{PREFIX}/add-entries": MAX_ENTRIES_BODY}


@router.post(
    f"{PREFIX}/add-checkpoint",
    summary="Update the mirror's pending checkpoint (C2SP tlog-mirror)",
    response_class=Response,
)
async def add_checkpoint(request: Request, services: ServicesDep) -> Response:
    """A witness's ``add-checkpoint`` without the cosignature: 200 (empty) records the
    checkpoint as pending; 400, 403, 404, 409 (our size, ``text/x.tlog.size``), 422."""
    inbox = _inbox(services)
    body = await request.body()
    return _answer(await run_in_threadpool(inbox.add_checkpoint, body))


@router.post(
    f"{PREFIX}/add-entries",
    summary="Upload entries up to a pending checkpoint (C2SP tlog-mirror)",
    response_class=Response,
)
async def add_entries(request: Request, services: ServicesDep) -> Response:
    """Entry packages with subtree consistency proofs (``gzip`` accepted): 200 with the
    mirror's cosignature once the checkpoint is stored and verified, 202 or 409 with
    ``text/x.tlog.mirror-info``, 400, 404, 422."""
    inbox = _inbox(services)
    body = await request.body()
    if request.headers.get("content-encoding", "").lower() == "gzip":
        body = _inflated(body)
    return _answer(await run_in_threadpool(inbox.add_entries, body))


@router.get(
    PREFIX + "/{origin_hash}/checkpoint",
    summary="The mirrored log's checkpoint, with the mirror's cosignature",
    response_class=Response,
)
def mirrored_checkpoint(origin_hash: str, services: ServicesDep) -> Response:
    """The note ``/checkpoint`` serves, under the mirror's monitoring prefix."""
    _check_origin(services, origin_hash)
    return c2sp.checkpoint(services)


@router.get(
    PREFIX + "/{origin_hash}/tile/{path:path}",
    summary="A tile or entry bundle of the mirrored log (C2SP tlog-tiles)",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def mirrored_tile(origin_hash: str, path: str, services: ServicesDep) -> Response:
    """``tile/…`` of the mirrored log, as ``/tile/…`` serves it."""
    _check_origin(services, origin_hash)
    return c2sp.tile(path, services.storage)


def origin_hash(origin: str) -> str:
    """The monitoring prefix's path segment for a log: SHA-256 of its origin, hex."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()


def _inbox(services: Services) -> MirrorInbox:
    inbox = services.mirror_inbox
    if inbox is None:
        raise not_found("this server is not a mirror (krai follow --mirror-name)")
    return inbox


def _check_origin(services: Services, given: str) -> None:
    inbox = _inbox(services)
    if given != origin_hash(inbox.origin):
        raise not_found(f"this mirror keeps {inbox.origin}, whose prefix is another")


def _answer(verdict: Verdict) -> Response:
    return Response(
        verdict.body,
        verdict.status,
        media_type=verdict.content_type,
        headers={"Accept-Encoding": "gzip"},
    )


def _inflated(body: bytes) -> bytes:
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = decoder.decompress(body, MAX_ENTRIES_BODY + 1)
    except (zlib.error, gzip.BadGzipFile) as error:
        raise malformed(f"the gzip body: {error}") from None
    if len(data) > MAX_ENTRIES_BODY:
        raise ProblemError(
            Code.OVERSIZE.value, f"the inflated body is over {MAX_ENTRIES_BODY} bytes"
        )
    return data
