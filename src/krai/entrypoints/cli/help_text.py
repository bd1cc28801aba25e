"""A command group's ``--help`` drawn as Typer draws it, without importing Typer's help module:
``typer.rich_utils`` loads Rich's Markdown (markdown-it) and tracebacks (Pygments) at import,
0.1–0.2 s of a listing that needs neither (ADR 0051).

Only the groups krai has are drawn here: Rich markup, no option but ``--help``, no deprecated
command, no help panels of their own (``drawable`` says so; another group is left to Typer).
tests/unit/cli/test_help_text.py holds every group's help to Typer's own, in colour and plain.
"""

import inspect
import os
from collections.abc import Iterator, Sequence

from rich.align import Align
from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme
from typer._click import Command, Context  # the click Typer ships within (pinned)
from typer.core import TyperGroup

THEME = {
    "option": "bold cyan",
    "switch": "bold green",
    "negative_option": "bold magenta",
    "negative_switch": "bold red",
    "types": "bold yellow",
    "types_sep": "dim",
    "usage": "yellow",
}
"""Typer's styles for the help's highlighted parts (``typer.rich_utils``, Typer 0.28)."""


class OptionHighlighter(RegexHighlighter):
    """Options, switches, types and ``Usage:`` as Typer highlights them."""

    highlights = [  # noqa: RUF012 - Rich's highlighters are declared so
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ]


class NegativeOptionHighlighter(RegexHighlighter):
    """A flag's ``--no-…`` form."""

    highlights = [  # noqa: RUF012 - Rich's highlighters are declared so
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ]


class TypesHighlighter(RegexHighlighter):
    """The brackets and bars of a type."""

    highlights = [  # noqa: RUF012 - Rich's highlighters are declared so
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


HIGHLIGHT = OptionHighlighter()


def drawable(group: TyperGroup, ctx: Context, commands: Sequence[Command]) -> bool:
    """Whether this module draws the group's help as Typer would."""
    params = group.get_params(ctx)
    return (
        group.rich_markup_mode == "rich"
        and not group.deprecated
        and [param.name for param in params] == ["help"]
        and not any(command.deprecated for command in commands)
        and not any(getattr(command, "rich_help_panel", None) for command in commands)
        and not any(getattr(param, "rich_help_panel", None) for param in params)
    )


def print_group_help(group: TyperGroup, ctx: Context, commands: Sequence[Command]) -> None:
    """The usage line, the group's help, its ``--help`` option and its commands."""
    console = typer_console()
    console.print(Padding(HIGHLIGHT(group.get_usage(ctx)), 1), style="bold")
    if group.help:
        console.print(Padding(Align(Group(*help_paragraphs(group.help)), pad=False), (0, 1, 1, 1)))
    [help_option] = group.get_params(ctx)
    console.print(panel("Options", [help_row(help_option.opts, getattr(help_option, "help", ""))]))
    listed = [command for command in commands if not command.hidden]
    if listed:
        width = max(len(command.name or "") for command in listed)
        console.print(panel("Commands", [command_row(c) for c in listed], width))


def typer_console() -> Console:
    """A console set up as Typer's (``_get_rich_console``), the same environment read."""
    force = bool(os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS"))
    width = os.getenv("TERMINAL_WIDTH")
    return Console(
        theme=Theme(THEME),
        highlighter=HIGHLIGHT,
        color_system="auto",
        force_terminal=False if os.getenv("_TYPER_FORCE_DISABLE_TERMINAL") else force or None,
        width=int(width) if width else None,
    )


def marked_up(text: str, style: str = "") -> Text:
    """Help text in Rich markup, dedented and highlighted."""
    return HIGHLIGHT(Text.from_markup(inspect.cleandoc(text), style=style))


def help_paragraphs(help_text: str) -> Iterator[Text]:
    """The first paragraph on one line, then the others dimmed."""
    first, *others = inspect.cleandoc(help_text).partition("\f")[0].split("\n\n")
    if not first.startswith("\b"):
        first = first.replace("\n", " ")
    yield marked_up(first.strip())
    if others:
        yield Text("")
        yield marked_up("\n\n".join(others), "dim")


def help_row(opts: Sequence[str], help_text: str | None) -> list[RenderableType]:
    """The ``--help`` option's row: its names, no type, its help."""
    long_names = ",".join(name for name in opts if "--" in name)
    short_names = ",".join(name for name in opts if "--" not in name)
    negative = NegativeOptionHighlighter()
    described = [marked_up(help_text.replace("\n", " ").strip())] if help_text else []
    return [
        HIGHLIGHT(long_names),
        HIGHLIGHT(short_names),
        negative(""),
        negative(""),
        TypesHighlighter()(Text(style="bold yellow", overflow="fold")),
        Columns(described),
    ]


def command_row(command: Command) -> list[RenderableType]:
    """A command's name and the first paragraph of its help."""
    paragraph = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
    if paragraph.startswith("\b"):
        paragraph = paragraph.replace("\b\n", "")
    return [Text(command.name or ""), marked_up(paragraph.strip())]


def panel(title: str, rows: list[list[RenderableType]], name_width: int = 0) -> Panel:
    """A titled box holding a borderless table of ``rows``; commands' names in bold cyan."""
    table = Table(
        highlight=not name_width,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )
    if name_width:
        table.add_column(style="bold cyan", no_wrap=True, width=name_width)
        table.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for row in rows:
        table.add_row(*row)
    return Panel(table, border_style="dim", title=title, title_align="left")
