"""What every command shares: the home option, opening services, printing and errors."""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from krai.bootstrap import Services, build
from krai.config.settings import Settings, load_settings
from krai.state.calendar import CalendarDayError, calendar_day, calendar_month

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", envvar="KRAI_HOME", help="The ledger's home directory.", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error is one line, however long

EXIT_REJECTED = 1
EXIT_USAGE = 2


def settings_for(home: Path | None) -> Settings:
    """Settings of an existing home, or exit with a clear message."""
    settings = load_settings(home)
    if not settings.genesis_file.exists():
        fail(
            f"{settings.home} holds no network; run `krai init --home {settings.home}` first",
            EXIT_USAGE,
        )
    return settings


@contextmanager
def services_for(home: Path | None) -> Iterator[Services]:
    """Open the ledger of ``home`` for the duration of a command."""
    services = build(settings_for(home))
    try:
        yield services
    finally:
        services.close()


def print_json(document: Any) -> None:
    """One JSON document on one line of standard output."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")


def fail(message: str, code: int = EXIT_REJECTED) -> NoReturn:
    """Print ``error: message`` to standard error and exit with ``code``."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def checked_day(value: str | None) -> str | None:
    """A Typer callback: a date option or argument must be a calendar date ``YYYY-MM-DD``
    (else one error line and exit 2), by the rule every surface applies."""
    if value is None:
        return None
    try:
        return calendar_day(value, "the date")
    except CalendarDayError as error:
        fail(str(error), EXIT_USAGE)


def checked_month(value: str) -> str:
    """A Typer callback: a month argument must be ``YYYY-MM`` (exit 2 otherwise)."""
    try:
        return calendar_month(value, "the month")
    except CalendarDayError as error:
        fail(str(error), EXIT_USAGE)
