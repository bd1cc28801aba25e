"""A follower's API reads only: every write is answered 405, naming the primary (ADR 0036).

A follower's ledger is written by `krai follow` alone, from the primary's log — or, on a
mirror, by the log pushing to its ``add-checkpoint`` and ``add-entries``; a client that
sends it a transaction (or any other write) is told where the primary is.
"""

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from krai.entrypoints.api.problems import PROBLEM_MEDIA_TYPE, problem_document

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyMiddleware:
    """Answer 405 (a problem with ``primary``) to any request but GET, HEAD and OPTIONS."""

    def __init__(self, app: ASGIApp, primary: str, writable: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.primary = primary
        self.writable = writable
        """Paths that take a POST all the same: a mirror's push API (ADR 0037)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READS or scope["path"] in self.writable:
            await self.app(scope, receive, send)
            return
        detail = (
            f"this server is a read-only follower of {self.primary}; send "
            f"{scope['method']} {scope['path']} to the primary"
        )
        document = {**problem_document("method_not_allowed", detail), "primary": self.primary}
        response = JSONResponse(
            document, 405, {"Allow": ", ".join(sorted(READS))}, media_type=PROBLEM_MEDIA_TYPE
        )
        await response(scope, receive, send)
