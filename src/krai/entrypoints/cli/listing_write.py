"""Write ``listing.py`` from the commands themselves: imports every command, so it is run by
hand when a command or its help changes (and by the test that holds the two together).

Run: ``python -m krai.entrypoints.cli.listing_write > src/krai/entrypoints/cli/listing.py``,
then ``ruff format`` it.
"""

import inspect
import sys
from pathlib import Path

from typer._click import Command, Context
from typer.core import TyperGroup
from typer.main import get_command

from krai.entrypoints.cli.lazy import ROOT, ListingGroup
from krai.entrypoints.cli.listing import Listing
from krai.entrypoints.cli.main import app


def written_listings() -> dict[str, Listing]:
    """Every group's listing, read from the imported commands."""
    root = get_command(app)
    found: dict[str, Listing] = {}
    if isinstance(root, TyperGroup):
        _walk(root, Context(root, info_name=ROOT), ROOT, found)
    return found


def first_paragraph(command: Command) -> str:
    """What a group's listing shows of a command's help (as Typer's help does)."""
    text = inspect.cleandoc(command.short_help or command.help or "")
    return text.split("\n\n")[0].replace("\b\n", "").strip()


def _walk(group: TyperGroup, ctx: Context, path: str, found: dict[str, Listing]) -> None:
    commands = {name: _real(group, ctx, name) for name in group.list_commands(ctx)}
    found[path] = Listing(
        group.help or "",
        group.no_args_is_help,
        tuple((name, first_paragraph(command)) for name, command in commands.items()),
    )
    for name, command in commands.items():
        if isinstance(command, TyperGroup):
            _walk(command, Context(command, info_name=name, parent=ctx), f"{path} {name}", found)


def _real(group: TyperGroup, ctx: Context, name: str) -> Command:
    command = (
        group.real_command(ctx, name)
        if isinstance(group, ListingGroup)
        else group.get_command(ctx, name)
    )
    if command is None:
        raise LookupError(f"{name} is listed but not found")
    return command


def module_text(listings: dict[str, Listing]) -> str:
    """``listing.py`` holding ``listings`` (to be formatted by ruff)."""
    source = Path(__file__).with_name("listing.py").read_text(encoding="utf-8")
    head, _, _ = source.partition("LISTINGS: dict[str, Listing] = ")
    tail = '"""Each group\'s listing by its words from ``krai`` on (``"krai log witnesses"``)."""\n'
    return f"{head}LISTINGS: dict[str, Listing] = {listings!r}\n{tail}"


if __name__ == "__main__":
    sys.stdout.write(module_text(written_listings()))
