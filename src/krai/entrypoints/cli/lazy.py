"""Command groups whose subcommands are imported only when one of them runs.

A read such as ``krai log checkpoint`` then loads its own module and what it uses, not the
server, the demo or every other command's dependencies (ADR 0031). Listing the commands
(``--help``) still loads each of them, to show its help.
"""

from collections.abc import Callable, Mapping
from typing import Any

import typer
from typer._click import Command, Context  # the click Typer ships within (pinned)
from typer.core import TyperGroup
from typer.main import get_command, get_group

from krai.entrypoints.edges import load_edge


def lazy_group(commands: Mapping[str, str]) -> type[TyperGroup]:
    """A Typer group class that adds ``commands`` — name → import path of a ``typer.Typer``
    or of a command function — after the commands defined on the group itself."""

    class LazyGroup(TyperGroup):
        def list_commands(self, ctx: Context) -> list[str]:
            defined = [name for name in super().list_commands(ctx) if name not in commands]
            return [*defined, *commands]  # a lazy command loaded keeps its place, listed once

        def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
            if cmd_name in commands and cmd_name not in self.commands:
                self.add_command(loaded(commands[cmd_name], cmd_name), cmd_name)
            return super().get_command(ctx, cmd_name)

    return LazyGroup


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
