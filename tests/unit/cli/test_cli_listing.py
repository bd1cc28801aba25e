"""The stored listing (``listing.py``) is what the commands themselves say: listing a group
without importing its commands shows the same names, order and help (ADR 0051)."""

import pytest
from typer._click import Context
from typer.core import TyperGroup
from typer.main import get_command

from krai.entrypoints.cli.lazy import ROOT, ListedGroup, ListingGroup
from krai.entrypoints.cli.listing import LISTINGS
from krai.entrypoints.cli.listing_write import module_text, written_listings
from krai.entrypoints.cli.main import COMMANDS, app

REWRITE = "python -m krai.entrypoints.cli.listing_write > src/krai/entrypoints/cli/listing.py"


def test_the_stored_listing_is_the_commands_own_help() -> None:
    assert written_listings() == LISTINGS, f"a command's help changed: run {REWRITE}"


def test_every_command_of_every_module_is_listed() -> None:
    assert [name for name, _ in LISTINGS[ROOT].commands] == ["init", *COMMANDS]
    assert {f"{ROOT} {name}" for name in ("parks", "energy", "payments", "vault", "notary")} < set(
        LISTINGS
    )


def test_the_writer_writes_a_module_that_reads_back_as_the_listing() -> None:
    namespace: dict[str, object] = {}
    exec(compile(module_text(LISTINGS), "listing.py", "exec"), namespace)
    assert namespace["LISTINGS"] == LISTINGS


@pytest.mark.parametrize("path", [path for path in LISTINGS if path != ROOT])
def test_a_listed_group_has_nothing_its_stand_in_would_lack(path: str) -> None:
    """A stand-in has only ``--help`` and no callback: so must the group it stands for."""
    root = get_command(app)
    assert isinstance(root, ListingGroup)
    context = Context(root, info_name=ROOT)
    group = root.real_command(context, path.split()[1])
    for word in path.split()[2:]:
        context = Context(group, info_name=group.name, parent=context)
        assert isinstance(group, TyperGroup)
        group = (
            group.real_command(context, word)
            if isinstance(group, ListingGroup)
            else group.get_command(context, word)
        )
    assert isinstance(group, TyperGroup)
    assert not isinstance(group, ListedGroup)
    assert group.callback is None
    assert [param.name for param in group.get_params(context)] == ["help"]
