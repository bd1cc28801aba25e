"""The application ``krai serve`` starts in each of its worker processes (one or several):
the application for the home named in the environment, its services opened when the worker
starts and closed when it stops.

uvicorn starts each worker from an import string (ADR 0020: the CLI never imports the API),
so the home travels in ``KRAI_HOME`` (and a database URL, if given, in ``KRAI_DATABASE_URL``,
as everywhere). When ``krai serve`` sequences in its own process (several workers), the
channel's directory is in ``KRAI_SEQUENCER_CHANNEL``: the worker then admits submissions and
sends them there (ADR 0028); otherwise it sequences them itself.
"""

import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from krai.app.admission import CHANNEL_ENV, AdmittingSubmitter
from krai.app.submission import Submissions
from krai.bootstrap import Services, build
from krai.config.settings import load_settings
from krai.entrypoints.api.app import create_app


def create_worker_app() -> FastAPI:
    """The application of one worker (uvicorn's factory)."""
    services = build(load_settings())
    channel = os.environ.get(CHANNEL_ENV)
    app = create_app(services, _admitting(services, Path(channel)) if channel else None)
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


def _admitting(services: Services, channel: Path) -> Callable[[], Submissions]:
    """A factory of the submitter that admits here and sends to the sequencer at ``channel``;
    if the sequencer goes away, this worker stops (its supervisor, if alive, starts another)."""

    def stop() -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    return lambda: AdmittingSubmitter(services.engine, services.storage, channel, lost=stop)
