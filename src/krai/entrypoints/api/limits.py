"""Bounds on what a request may ask: body size, batch length, numbers, pages.

The body limit is enforced as the body arrives — from ``Content-Length`` before any byte is
read, and by counting when the body is chunked — so an oversized request is answered 413
without being buffered.
"""

from collections.abc import Mapping
from typing import Annotated

from fastapi import Path, Query
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from krai.entrypoints.api.problems import problem_response
from krai.tx.errors import Code

MAX_BODY_BYTES = 1024 * 1024
MAX_BATCH_TRANSACTIONS = 1_000
MAX_INDEX = 2**63 - 1
"""Entry indices and tree sizes are 64-bit, as in storage and the C2SP formats."""
SUBMIT_TIMEOUT_S = 60.0
CHECKPOINT_TIMEOUT_S = 10.0

IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9:._@-]{0,199}$"
"""Ids in paths: parks, markets, programmes, accounts, payments (never a slash)."""
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONTH = r"^[0-9]{4}-[0-9]{2}$"
HEX_SHA256 = r"^[0-9a-f]{64}$"

EntryIndex = Annotated[int, Query(ge=0, le=MAX_INDEX, description="An entry's index.")]
TreeSize = Annotated[int, Query(ge=0, le=MAX_INDEX, description="A tree size.")]
Identifier = Annotated[str, Path(pattern=IDENTIFIER, max_length=200)]
Sha256 = Annotated[str, Path(pattern=HEX_SHA256, description="SHA-256 in lower-case hex.")]


class BodyTooLargeError(Exception):
    """The request's body passed the limit while it was read."""


class BodyLimitMiddleware:
    """Answer 413 (a problem) to a request whose body is larger than ``max_bytes``."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, larger: Mapping[str, int] = {}
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger)
        """Paths allowed a larger body than ``max_bytes`` (a mirror's ``add-entries``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await problem_response(Code.OVERSIZE.value, self._detail(limit))(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
            await problem_response(Code.OVERSIZE.value, self._detail(limit))(scope, receive, send)

    def _detail(self, limit: int) -> str:
        return f"the request body is larger than {limit} bytes"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return None
