"""The witness's HTTP interface (C2SP tlog-witness), on FastAPI.

``POST /add-checkpoint`` answers as ``krai.log.witness`` decides (200 cosignature lines,
400, 403, 404, 409 with ``text/x.tlog.size``, 422). ``GET /<sha256(origin) hex>/checkpoint``
is the monitoring read: the checkpoint last cosigned for that log, with the log signatures
the witness verified and its own cosignature. ``GET /`` names the witness and its key.
"""

import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from krai.bootstrap import WitnessHome
from krai.log.note import format_vkey
from krai.log.witness import TEXT_MEDIA_TYPE, Verdict, refusal

MAX_BODY_BYTES = 64 * 1024
_ORIGIN_HASH = re.compile(r"[0-9a-f]{64}")


def create_witness_app(witness: WitnessHome) -> FastAPI:
    """The HTTP application of an opened witness."""
    app = FastAPI(title="krai witness", summary="C2SP tlog-witness", openapi_url=None)
    service = witness.service

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        body = await _body(request)
        if body is None:
            return _text(refusal(413, f"a request body holds at most {MAX_BODY_BYTES} bytes"))
        verdict = await run_in_threadpool(service.add_checkpoint, body)
        return Response(
            verdict.body, verdict.status, headers={"Content-Type": verdict.content_type}
        )

    @app.get("/{origin_hash}/checkpoint")
    def checkpoint(origin_hash: str) -> Response:
        if _ORIGIN_HASH.fullmatch(origin_hash):
            for log in witness.store.logs():
                hashed = hashlib.sha256(log.origin.encode()).hexdigest()
                if hashed == origin_hash and log.recorded is not None:
                    return PlainTextResponse(log.recorded.note)
        return _text(refusal(404, "no checkpoint cosigned for that origin hash"))

    @app.get("/")
    def about() -> Response:
        vkey = format_vkey(service.cosigner.verifier)
        return PlainTextResponse(f"krai witness {service.cosigner.name}\n{vkey}\n")

    return app


async def _body(request: Request) -> bytes | None:
    """The request body, or None if it exceeds the limit."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _text(verdict: Verdict) -> Response:
    return Response(verdict.body, verdict.status, headers={"Content-Type": TEXT_MEDIA_TYPE})
