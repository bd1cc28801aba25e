"""The application ``krai serve`` starts in each of its worker processes (one or several):
the application for the home named in the environment, its services opened when the worker
starts and closed when it stops.

uvicorn starts each worker from an import string (ADR 0020: the CLI never imports the API),
so the home travels in ``KRAI_HOME`` (and a database URL, if given, in ``KRAI_DATABASE_URL``,
as everywhere). Every worker admits, reads and sequences; the storage's sequencing lock lets
one at a time append.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from krai.bootstrap import build
from krai.config.settings import load_settings
from krai.entrypoints.api.app import create_app


def create_worker_app() -> FastAPI:
    """The application of one worker (uvicorn's factory)."""
    services = build(load_settings())
    app = create_app(services)
    serving = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[None]:
        try:
            async with serving(served):
                yield
        finally:
            services.close()

    app.router.lifespan_context = lifespan
    return app
