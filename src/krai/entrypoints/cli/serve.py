"""``krai serve``: the HTTP API and the dashboard on uvicorn, in one or several processes.

The CLI never imports the API (ADR 0020): uvicorn starts the application from its import
string, ``APP_FACTORY``, in this process (one worker) or in several; the application opens
the home named in ``KRAI_HOME``. This process gathers the witnesses' cosignatures meanwhile.
With several workers, this process is also the one sequencer: the workers admit (decode,
check keys, verify signatures) and send it what they admitted (ADR 0028).
"""

import os
import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from krai.app.admission import CHANNEL_ENV, AdmissionServer
from krai.app.publication import cosigning
from krai.app.sequencer import Sequencer
from krai.entrypoints.cli.common import HomeOption, console, services_for

APP_FACTORY = "krai.entrypoints.api.worker:create_worker_app"

HostOption = Annotated[str, typer.Option(help="Interface to listen on.")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]


WorkersOption = Annotated[
    int,
    typer.Option(
        min=1,
        help="Worker processes; each admits and reads, and this process sequences what they "
        "admitted (one: that process does everything).",
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
    serve_home(home, host, port, workers)


def serve_home(home: Path | None, host: str, port: int, workers: int = 1) -> None:
    """Serve the ledger of ``home`` until interrupted, in ``workers`` processes (one: this
    process); with witnesses configured, gather their cosignatures in the background."""
    from krai.bootstrap import mirroring  # noqa: PLC0415 - only when serving

    with services_for(home) as services:
        if services.ensure_operator_token():
            token_file = services.settings.operator_token_file
            console.print(f"The operator's token for /v1/vault is in {token_file}", highlight=False)
        log = services.publication
        with (
            cosigning(log, services.witness_client, services.clock) as witnessed,
            mirroring(services) as mirrored,
        ):
            os.environ["KRAI_HOME"] = str(services.settings.home)  # read by the application
            _announce(services.origin, host, port, workers)
            if witnessed:
                console.print(
                    f"/checkpoint: cosigned by {log.quorum} of {len(log.witnesses)} witnesses"
                )
            if mirrored:
                names = ", ".join(mirror.name for mirror in services.settings.mirrors)
                console.print(f"pushing each published checkpoint to the mirrors {names}")
            if workers == 1:
                os.environ.pop(CHANNEL_ENV, None)  # this process admits and sequences
                _run(host, port, workers)
            else:
                _run_sequencing(services.sequencer, host, port, workers)


def _run_sequencing(sequencer: Sequencer, host: str, port: int, workers: int) -> None:
    """Serve in ``workers`` processes that admit, while this process sequences."""
    server = AdmissionServer(sequencer)
    try:
        os.environ.update(server.environment())  # read by every worker
        _run(host, port, workers)
    finally:
        os.environ.pop(CHANNEL_ENV, None)
        server.close()


def _announce(origin: str, host: str, port: int, workers: int) -> None:
    processes = f" with {workers} workers" if workers > 1 else ""
    console.print(f"krai serves {origin} at http://{host}:{port}/{processes}", highlight=False)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _run(host: str, port: int, workers: int) -> None:
    # Uvicorn shuts down gracefully on SIGTERM, then raises the signal again under the handler
    # it found: with this one the process unwinds (services closed, a demo's witnesses and
    # follower stopped) instead of dying where it stands.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        log_level="warning",
    )
