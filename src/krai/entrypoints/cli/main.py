"""``krai``: found a network, manage keys, build and submit transactions, prove and verify."""

from pathlib import Path
from typing import Annotated

import typer

from krai.bootstrap import Founder, found_network
from krai.config.settings import load_settings
from krai.entrypoints.cli import (
    demo,
    keys,
    log,
    log_witnesses,
    receipt,
    serve,
    tx,
    verify,
    witness,
)
from krai.entrypoints.cli.common import EXIT_USAGE, HomeOption, console, fail
from krai.entrypoints.edges import load_edge
from krai.modules.release import MODULES
from krai.tx.errors import RejectedError

app = typer.Typer(
    name="krai",
    help="krai: a verifiable ledger for regional development programmes.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(keys.app, name="keys")
app.add_typer(tx.app, name="tx")
app.add_typer(log.app, name="log")
for module in MODULES:
    for group, path in module.commands:
        app.add_typer(load_edge(path, typer.Typer), name=group)
app.add_typer(receipt.app, name="receipt")
app.add_typer(witness.app, name="witness")
log.app.add_typer(log_witnesses.app, name="witnesses")
log.app.command("cosign")(log_witnesses.cosign)
log.app.command("check-cosigned")(log_witnesses.check_cosigned)
app.command("verify")(verify.verify)
app.command("export")(verify.export)
app.command("rebuild-state")(verify.rebuild_state_command)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)

DEFAULT_ORIGIN = "krai.example/ledger"


@app.command()
def init(
    home: HomeOption = None,
    origin: Annotated[
        str, typer.Option(help="The log's origin line (C2SP), e.g. a URL without scheme.")
    ] = DEFAULT_ORIGIN,
    inn: Annotated[str, typer.Option(help="INN of the governing organisation.")] = "7734250208",
    ogrn: Annotated[
        str, typer.Option(help="OGRN of the governing organisation.")
    ] = "1027734003461",
    name: Annotated[
        str, typer.Option(help="Name of the governing organisation.")
    ] = "Network operator",
    database: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL; default: SQLite in the home.")
    ] = None,
) -> None:
    """Create a new network: its log key, the operator's key and the genesis entry."""
    settings = load_settings(home, database)
    settings = type(settings)(settings.home, settings.database_url, origin)
    try:
        services = found_network(settings, Founder(inn=inn, ogrn=ogrn, name=name))
    except FileExistsError as error:
        fail(str(error), EXIT_USAGE)
    except RejectedError as error:
        fail(f"genesis refused: {error}", EXIT_USAGE)
    services.close()
    console.print(f"Founded [bold]{origin}[/] in {Path(settings.home)} — operator key: operator")


def main() -> None:
    """Run the command line."""
    app()
