"""``krai demo``: build the demo world in a home of its own."""

import shutil
from pathlib import Path
from typing import Annotated

import typer

from krai.config.settings import Settings, default_database_url
from krai.demo.world import build_world
from krai.entrypoints.cli.common import EXIT_USAGE, console, fail
from krai.entrypoints.cli.verify import verify

MARKER = ".krai-demo"
DEMO_ORIGIN = "demo.krai.example/krasnoyarsk"


def demo(
    home: Annotated[
        Path, typer.Option("--home", help="Where to build it; rebuilt if made by the demo.")
    ] = Path("var/demo"),
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards.")
    ] = True,
) -> None:
    """Build the demo world (synthetic identifiers and amounts) and verify it."""
    _clear(home)
    home.mkdir(parents=True)
    (home / MARKER).write_text("built by krai demo; removed and rebuilt on the next run\n", "utf-8")
    settings = Settings(home, default_database_url(home), DEMO_ORIGIN)
    for line in build_world(settings):
        console.print(f"• {line}", highlight=False)
    verify(home=home)
    if serve:
        console.print(
            "The dashboard arrives with `krai serve`; until then explore with the CLI:",
            highlight=False,
        )
    console.print(f"  krai log checkpoint --home {home}", highlight=False)


def _clear(home: Path) -> None:
    if not home.exists():
        return
    if not (home / MARKER).exists():
        fail(f"{home} exists and was not made by `krai demo`; choose another --home", EXIT_USAGE)
    shutil.rmtree(home)
