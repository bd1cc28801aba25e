"""Command groups whose subcommands are imported only when one of them runs.

A read such as ``krai log checkpoint`` then loads its own module and what it uses, not the
server, the demo or every other command's dependencies (ADR 0031). Listing a group's commands
(``--help``) imports none of them: the listing is read from ``listing.LISTINGS``, which a test
holds to the commands' own help, and drawn by ``help_text`` without Typer's help module
(ADR 0051). A group named there stands in for its module
(``ListedGroup``) until one of its commands runs or shows its own help.
"""

from collections.abc import Callable, Mapping
from difflib import get_close_matches
from typing import Any

import typer
from typer._click import Command, Context, HelpFormatter  # the click Typer ships within (pinned)
from typer._click.exceptions import UsageError
from typer.core import HAS_RICH, TyperCommand, TyperGroup
from typer.main import get_command, get_group

from krai.entrypoints.cli.listing import LISTINGS
from krai.entrypoints.edges import load_edge

ROOT = "krai"


class ListingGroup(TyperGroup):
    """A group that, while writing its help, lists its commands as ``LISTINGS`` stores them."""

    listing = False

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        from krai.entrypoints.cli import help_text  # noqa: PLC0415 - Rich only to show help

        self.listing = True
        try:
            listed = (self.get_command(ctx, name) for name in self.list_commands(ctx))
            commands = [command for command in listed if command is not None]
            if HAS_RICH and help_text.drawable(self, ctx, commands):
                help_text.print_group_help(self, ctx, commands)
            else:
                super().format_help(ctx, formatter)
        finally:
            self.listing = False

    def summary(self, ctx: Context, name: str) -> Command | None:
        """A stand-in showing ``name`` and its help's first paragraph, if it is listed."""
        listed = LISTINGS.get(command_path(ctx))
        found = dict(listed.commands) if listed else {}
        return TyperCommand(name=name, help=found[name]) if name in found else None

    def stand_in(self, ctx: Context, name: str, real: Callable[[], Command]) -> Command | None:
        """What ``name`` is without importing it: its summary while listing, a ``ListedGroup``
        for a listed group; ``None`` when it must be imported."""
        if self.listing:
            return self.summary(ctx, name)
        path = f"{command_path(ctx)} {name}"
        return ListedGroup(path, name, real) if path in LISTINGS else None

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:  # suggest among the commands not yet imported too
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches and "Did you mean" not in error.message:
                suggested = ", ".join(f"{match!r}" for match in matches)
                error.message = f"{error.message.rstrip('.')}. Did you mean {suggested}?"
            raise

    def real_command(self, ctx: Context, name: str) -> Command | None:
        """The command ``name`` itself, imported if need be."""
        return super().get_command(ctx, name)


class ListedGroup(ListingGroup):
    """A group standing in for one not yet imported: its help and commands as listed;
    ``real`` imports the group itself when one of its commands is asked for."""

    def __init__(self, path: str, name: str, real: Callable[[], Command]) -> None:
        listed = LISTINGS[path]
        super().__init__(name=name, help=listed.help, no_args_is_help=listed.no_args_is_help)
        self.names = [command for command, _ in listed.commands]
        self.load = real
        self.loaded: Command | None = None

    def real(self) -> Command:
        if self.loaded is None:
            self.loaded = self.load()
        return self.loaded

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.names)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        found = self.stand_in(ctx, cmd_name, lambda: self.required(ctx, cmd_name))
        return found or self.real_command(ctx, cmd_name)

    def required(self, ctx: Context, name: str) -> Command:
        """The listed command ``name`` itself, which the group imported must have."""
        found = self.real_command(ctx, name)
        if found is None:
            raise LookupError(f"{name} is listed in {command_path(ctx)} but not found there")
        return found

    def real_command(self, ctx: Context, name: str) -> Command | None:
        group = self.real()
        if isinstance(group, ListingGroup):
            return group.real_command(ctx, name)
        return group.get_command(ctx, name) if isinstance(group, TyperGroup) else None


def lazy_group(commands: Mapping[str, str]) -> type[TyperGroup]:
    """A Typer group class that adds ``commands`` — name → import path of a ``typer.Typer``
    or of a command function — after the commands defined on the group itself."""

    class LazyGroup(ListingGroup):
        def list_commands(self, ctx: Context) -> list[str]:
            defined = [name for name in super().list_commands(ctx) if name not in commands]
            return [*defined, *commands]  # a lazy command loaded keeps its place, listed once

        def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
            if cmd_name in commands and cmd_name not in self.commands:
                path = commands[cmd_name]
                found = self.stand_in(ctx, cmd_name, lambda: loaded(path, cmd_name))
                if found is not None:
                    return found
            return self.real_command(ctx, cmd_name)

        def real_command(self, ctx: Context, name: str) -> Command | None:
            if name in commands and name not in self.commands:
                self.add_command(loaded(commands[name], name), name)
            return super().real_command(ctx, name)

    return LazyGroup


def command_path(ctx: Context) -> str:
    """The command's words from ``krai`` on, whatever the program was called (``python -m``)."""
    words: list[str] = []
    while ctx.parent is not None:
        words.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join([ROOT, *reversed(words)])


def loaded(path: str, name: str) -> Command:
    """The command ``name`` at ``path``: a Typer application's group, or a function made a
    command."""
    target = load_edge(path, object)
    if isinstance(target, typer.Typer):
        group = get_group(target)
        group.name = name
        return group
    if not callable(target):
        raise TypeError(f"{path} is neither a Typer application nor a command function")
    function: Callable[..., Any] = target
    single = typer.Typer()
    single.command(name=name)(function)
    return get_command(single)
