"""``krai demo``: build the demo world in a home of its own, verify it, have its two
witnesses cosign it, then serve it.

The build is deterministic: the same code gives the same entries and the same root hash.
A home made by an earlier ``krai demo`` (it holds the marker file) is removed and rebuilt
from scratch; any other existing directory is refused.
"""

import shutil
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from krai.config.settings import Settings, default_database_url
from krai.demo.build import PHASES, build_world
from krai.demo.world import Phase, Step
from krai.entrypoints.cli.common import EXIT_USAGE, console, fail, services_for
from krai.entrypoints.cli.demo_witnesses import cosign_latest, demo_witnesses
from krai.entrypoints.cli.serve import HostOption, PortOption, serve_home
from krai.entrypoints.cli.verify import verify
from krai.log.note import format_vkey

MARKER = ".krai-demo"
DEMO_ORIGIN = "demo.krai.example/krasnoyarsk"


def demo(
    home: Annotated[
        Path, typer.Option("--home", help="Where to build it; rebuilt if made by the demo.")
    ] = Path("var/demo"),
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards.")
    ] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    follower: Annotated[
        bool,
        typer.Option(
            "--follower",
            help="Also start a follower (krai follow) in <home>/follower: catch up once, "
            "and served, follow the demo and serve its own copy on --follower-port.",
        ),
    ] = False,
    follower_port: Annotated[
        int, typer.Option(min=1, max=65535, help="The follower's port.")
    ] = 8001,
) -> None:
    """Build the demo world (synthetic people, identifiers and figures), verify it, serve it."""
    _clear(home)
    home.mkdir(parents=True)
    (home / MARKER).write_text("built by krai demo; removed and rebuilt on the next run\n", "utf-8")
    settings = Settings(home, default_database_url(home), DEMO_ORIGIN, simulated_time=True)
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console.rich,
    ) as progress:
        tasks = {phase.title: progress.add_task(phase.title, total=phase.total) for phase in PHASES}
        built = build_world(settings, lambda phase, step: _report(progress, tasks, phase, step))
    seconds = time.perf_counter() - started
    figures = ", ".join(f"{number:,} {what}" for what, number in built.counts.items())
    console.print(f"Built in {seconds:.1f} s: {built.size:,} entries — {figures}", highlight=False)
    verify(home=home)
    console.print(f"  krai payments audit --home {home}", highlight=False)
    with demo_witnesses(home, DEMO_ORIGIN, _log_vkey(home)), ExitStack() as running:
        cosign_latest(home)
        if follower:
            from krai.entrypoints.cli import demo_follower  # noqa: PLC0415 - on demand

            copy = demo_follower.catch_up(home)
            if serve:
                primary = f"http://{host}:{port}"
                running.enter_context(demo_follower.following(copy, primary, host, follower_port))
        if serve:
            serve_home(home, host, port)


def _log_vkey(home: Path) -> str:
    with services_for(home) as services:
        return format_vkey(services.log_verifier)


def _report(progress: Progress, tasks: dict[str, TaskID], phase: Phase, step: Step) -> None:
    if step.note:
        progress.console.print(f"• {step.note}", highlight=False)
    progress.advance(tasks[phase.title], step.advance)


def _clear(home: Path) -> None:
    if not home.exists():
        return
    if not (home / MARKER).exists():
        fail(f"{home} exists and was not made by `krai demo`; choose another --home", EXIT_USAGE)
    shutil.rmtree(home)
