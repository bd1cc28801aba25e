"""``krai serve``: the HTTP API and the dashboard on uvicorn, in one or several processes."""

import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from krai.entrypoints.api.app import create_app
from krai.entrypoints.api.witnessing import cosigning
from krai.entrypoints.cli.common import HomeOption, console, services_for

HostOption = Annotated[str, typer.Option(help="Interface to listen on.")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]


WorkersOption = Annotated[
    int,
    typer.Option(
        min=1,
        help="Worker processes; each admits, reads and sequences, one batch at a time "
        "across them (use PostgreSQL for several).",
    ),
]


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        help="SQLAlchemy URL of the ledger's database (default: the home's), e.g. "
        "postgresql+psycopg://user@host/db.",
        envvar="KRAI_DATABASE_URL",
    ),
]


def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    database: DatabaseOption = None,
    home: HomeOption = None,
) -> None:
    """Serve the ledger's API and dashboard until interrupted."""
    if database:
        os.environ["KRAI_DATABASE_URL"] = database  # read by this process and every worker
    if workers > 1:
        serve_workers(home, host, port, workers)
    else:
        serve_home(home, host, port)


def serve_workers(home: Path | None, host: str, port: int, workers: int) -> None:
    """Several worker processes on one port; this process gathers witness cosignatures."""
    with services_for(home) as services, cosigning(services) as witnessed:
        os.environ["KRAI_HOME"] = str(services.settings.home)
        console.print(
            f"krai serves {services.origin} at http://{host}:{port}/ with {workers} workers",
            highlight=False,
        )
        if witnessed:
            count, quorum = len(services.settings.witnesses), services.settings.quorum
            console.print(f"/checkpoint: cosigned by {quorum} of {count} witnesses")
        uvicorn.run(
            "krai.entrypoints.api.worker:create_worker_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )


def serve_home(home: Path | None, host: str, port: int) -> None:
    """Open the ledger of ``home``, print its address and serve it until interrupted; with
    witnesses configured, gather their cosignatures in the background meanwhile."""
    with services_for(home) as services, cosigning(services) as witnessed:
        console.print(f"krai serves {services.origin} at http://{host}:{port}/", highlight=False)
        if witnessed:
            count, quorum = len(services.settings.witnesses), services.settings.quorum
            console.print(f"/checkpoint: cosigned by {quorum} of {count} witnesses")
        uvicorn.run(create_app(services), host=host, port=port, log_level="warning")
