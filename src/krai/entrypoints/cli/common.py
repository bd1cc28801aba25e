"""What every command shares: the home option, opening services, printing and errors."""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from krai.entrypoints.cli import exits
from krai.state.calendar import CalendarDayError, calendar_day, calendar_month
from krai.tx.errors import Code, RejectedError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from krai.bootstrap import Services
    from krai.config.settings import Settings

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", envvar="KRAI_HOME", help="The ledger's home directory.", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class LazyConsole:
    """A Rich console made when something is first printed through it, so that a command
    printing JSON never imports Rich (ADR 0031). Attributes are the console's."""

    def __init__(self, **options: Any) -> None:
        self._options = options

    @cached_property
    def rich(self) -> "Console":
        """The console itself, for Rich objects that take one (a progress display)."""
        from rich.console import Console  # noqa: PLC0415 - on first print

        return Console(**self._options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich, name)


console = LazyConsole()
errors = LazyConsole(stderr=True, soft_wrap=True)  # an error is one line, however long

EXIT_REJECTED = exits.EXIT_REJECTED
EXIT_USAGE = exits.EXIT_USAGE
EXIT_NOT_FOUND = exits.EXIT_NOT_FOUND


def settings_for(home: Path | None) -> "Settings":
    """Settings of an existing home, or exit with a clear message."""
    # Imported by a command that opens a home, not by one that reads a file (energy clear).
    from krai.config.settings import load_settings  # noqa: PLC0415

    settings = load_settings(home)
    if not settings.genesis_file.exists():
        fail(
            f"{settings.home} holds no network; run `krai init --home {settings.home}` first",
            EXIT_USAGE,
        )
    return settings


@contextmanager
def services_for(home: Path | None) -> Iterator["Services"]:
    """Open the ledger of ``home`` for the duration of a command."""
    services = opened(settings_for(home))
    try:
        yield services
    finally:
        services.close()


def opened(settings: "Settings") -> "Services":
    """The ledger of ``settings`` opened, or one error line and exit 1 when a newer krai
    wrote its database."""
    from krai.app.ports import SchemaTooNewError  # noqa: PLC0415 - as build
    from krai.bootstrap import build  # noqa: PLC0415 - only a command that opens a home

    try:
        return build(settings)
    except SchemaTooNewError as error:
        fail(str(error))


def print_json(document: Any) -> None:
    """One JSON document on one line of standard output."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a refusal raised by a read into one error line and its exit code: ``not_found``
    exits 3, a bad request 2, anything else 1."""
    try:
        yield
    except RejectedError as error:
        code = {Code.NOT_FOUND: EXIT_NOT_FOUND, Code.INVALID_BODY: EXIT_USAGE}.get(
            error.code, EXIT_REJECTED
        )
        fail(error.message, code)


def show(document: Any, json_output: bool) -> None:
    """A read's document: JSON with ``--json``, else readable (fields, then tables)."""
    if json_output:
        print_json(document)
        return
    for renderable in readable(document):
        console.print(renderable, highlight=False)


def readable(document: Any, title: str = "") -> Iterator[Any]:
    """A JSON document as text lines and tables: scalars as ``name: value``, lists of objects as
    tables (their scalar columns), nested objects under their name."""
    if isinstance(document, list):
        yield _table(document, title)
        return
    if not isinstance(document, dict):
        yield f"{title}: {document}" if title else str(document)
        return
    for key, value in document.items():
        name = f"{title}.{key}" if title else str(key)
        if isinstance(value, dict | list) and value:
            yield from readable(value, name)
        else:
            yield f"{name}: {'—' if value is None else value}"


def new_table(*headers: str, simple: bool = False, **options: Any) -> "Table":
    """A Rich table (Rich is imported only by a command that prints one); ``simple``: rules
    under the header only."""
    from rich import box  # noqa: PLC0415 - only for readable output
    from rich.table import Table  # noqa: PLC0415

    if simple:
        options["box"] = box.SIMPLE_HEAD
    return Table(*headers, **options)


def _table(rows: list[Any], title: str) -> Any:
    if not all(isinstance(row, dict) for row in rows):
        return f"{title}: {', '.join(map(str, rows))}"
    columns = [key for key, value in rows[0].items() if not isinstance(value, dict | list)]
    table = new_table(*columns, title=title or None, title_justify="left")
    for row in rows:
        table.add_row(*("—" if row.get(c) is None else str(row.get(c)) for c in columns))
    return table


def fail(message: str, code: int = EXIT_REJECTED) -> NoReturn:
    """Print ``error: message`` to standard error and exit with ``code``."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def read_bounded(source: Path, limit: int) -> bytes:
    """A file's bytes, refused unread (exit 2) when larger than ``limit`` or unreadable."""
    try:
        with source.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        fail(f"cannot read {source}: {error.strerror or error}", EXIT_USAGE)
    if len(data) > limit:
        fail(f"{source}: larger than {limit} bytes", EXIT_USAGE)
    return data


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
