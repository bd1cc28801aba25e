"""Each group's help drawn by ``help_text`` is the one Typer's help module draws, byte for
byte, in colour and plain (ADR 0051): drawing it ourselves spares ``--help`` the import of
Rich's Markdown and tracebacks, and this holds it to Typer as both change."""

import pytest
from typer import rich_utils
from typer._click import Context, HelpFormatter
from typer.core import TyperGroup, TyperOption
from typer.main import get_command

from krai.entrypoints.cli import help_text
from krai.entrypoints.cli.lazy import ROOT, ListingGroup
from krai.entrypoints.cli.listing import LISTINGS
from krai.entrypoints.cli.main import app


def group_at(path: str) -> tuple[ListingGroup, Context]:
    """The group ``path`` names, as a user's ``--help`` reaches it, and its context."""
    group = get_command(app)
    context = Context(group, info_name=ROOT)
    for word in path.split()[1:]:
        assert isinstance(group, TyperGroup)
        found = group.get_command(context, word)
        assert found is not None
        group, context = found, Context(found, info_name=word, parent=context)
    assert isinstance(group, ListingGroup)
    return group, context


@pytest.mark.parametrize("colour", [True, False], ids=["colour", "plain"])
@pytest.mark.parametrize("path", LISTINGS)
def test_a_groups_help_is_drawn_as_typer_draws_it(
    path: str, colour: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TERMINAL_WIDTH", "90")
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", 90)
    monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", colour)
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
    else:
        monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    group, context = group_at(path)
    group.format_help(context, HelpFormatter())
    ours = capsys.readouterr().out
    group.listing = True  # Typer's drawing, given the same listing
    try:
        rich_utils.rich_format_help(obj=group, ctx=context, markup_mode="rich")
    finally:
        group.listing = False
    theirs = capsys.readouterr().out
    assert ("\x1b[" in ours) == colour
    assert ours == theirs


def test_a_group_with_an_option_of_its_own_is_left_to_typer() -> None:
    plain = TyperGroup(name="plain")
    assert help_text.drawable(plain, Context(plain), [])
    verbose = TyperGroup(name="verbose", params=[TyperOption(param_decls=["--verbose"])])
    assert not help_text.drawable(verbose, Context(verbose), [])
