"""The ASGI application: one ``Services`` for the process, the API routes and the dashboard."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from krai.app.submission import Submissions, Submitter
from krai.bootstrap import Services
from krai.entrypoints import web
from krai.entrypoints.api import docs, mirror, routes
from krai.entrypoints.api.limits import MAX_BODY_BYTES, BodyLimitMiddleware
from krai.entrypoints.api.problems import install_problem_handlers
from krai.entrypoints.api.read_only import ReadOnlyMiddleware

DESCRIPTION = """\
krai's HTTP interface: `/v1/…` JSON (submit signed transactions, read entries, proofs,
checkpoints and every module's queries), the C2SP endpoints `/checkpoint` and `/tile/…`,
and errors as RFC 9457 problem details (`application/problem+json`) whose `code` is stable.
"""


def create_app(services: Services, submissions: Callable[[], Submissions] | None = None) -> FastAPI:
    """The application serving ``services``: ``/v1/…``, ``/checkpoint``, ``/tile/…`` and the
    dashboard. The caller owns ``services`` and closes it after the server stops; the
    application's submitter runs while it is served (its lifespan): one made by
    ``submissions``, by default one on the services' own sequencer."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services.settings.follows is not None:
            yield  # a follower's ledger is written by `krai follow` alone
            return
        app.state.submitter = (
            submissions() if submissions else Submitter(services.sequencer, services.storage)
        )
        try:
            yield
        finally:
            submitter, app.state.submitter = app.state.submitter, None
            submitter.close()

    app = FastAPIOffline(
        docs_url=None,
        redoc_url=None,
        static_url=docs.ASSETS,
        title="krai",
        summary="A verifiable ledger for regional development programmes",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.submitter = None
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES, larger=mirror.LARGER_BODIES)
    if services.settings.follows is not None:
        writable = mirror.PUSH_PATHS if services.mirror_inbox is not None else frozenset()
        app.add_middleware(ReadOnlyMiddleware, primary=services.settings.follows, writable=writable)
    install_problem_handlers(app)
    app.include_router(routes.router)
    app.include_router(docs.router)
    web.mount(app)
    return app
