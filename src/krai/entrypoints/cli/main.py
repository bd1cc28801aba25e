"""``krai``: found a network, manage keys, build and submit transactions, prove and verify.

Every command but ``init`` lives in its own module, imported only when it runs (``lazy``).
"""

from pathlib import Path
from typing import Annotated

import typer

from krai.entrypoints.cli.common import EXIT_USAGE, HomeOption, console, fail
from krai.entrypoints.cli.lazy import lazy_group
from krai.modules.release import MODULES

CLI = "krai.entrypoints.cli"
COMMANDS = {
    "keys": f"{CLI}.keys:app",
    "tx": f"{CLI}.tx:app",
    "log": f"{CLI}.log:app",
    **{group: path for module in MODULES for group, path in module.commands},
    "receipt": f"{CLI}.receipt:app",
    "witness": f"{CLI}.witness:app",
    "verify": f"{CLI}.verify:verify",
    "export": f"{CLI}.verify:export",
    "rebuild-state": f"{CLI}.verify:rebuild_state_command",
    "demo": f"{CLI}.demo:demo",
    "serve": f"{CLI}.serve:serve",
    "follow": f"{CLI}.follow:follow",
}
"""Each command's name and the import path of its Typer group or function."""

app = typer.Typer(name="krai", no_args_is_help=True, add_completion=False, cls=lazy_group(COMMANDS))


@app.callback()
def krai() -> None:
    """krai: a verifiable ledger for regional development programmes."""


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
    from krai.bootstrap import Founder, found_network  # noqa: PLC0415 - only when founding
    from krai.config.settings import load_settings  # noqa: PLC0415
    from krai.tx.errors import RejectedError  # noqa: PLC0415

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
