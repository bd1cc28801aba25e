"""``krai log mirrors``: the C2SP tlog-mirrors this log pushes its published checkpoints and
entries to, and whose cosignatures it adds to them (ADR 0037)."""

from dataclasses import asdict
from typing import Annotated

import typer

from krai.bootstrap import configured_mirrors
from krai.config.settings import WitnessSettings, write_mirrors
from krai.entrypoints.cli.common import (
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    settings_for,
)
from krai.log.note import NoteError, check_key_name, parse_cosignature_vkey

app = typer.Typer(
    help="The mirrors `krai serve` pushes each published checkpoint and its entries to.",
    no_args_is_help=True,
)


@app.command()
def add(
    name: Annotated[str, typer.Argument(help="A name for the mirror in this home.")],
    url: Annotated[
        str, typer.Argument(help="Its submission prefix (http…/mirror on `krai follow`).")
    ],
    vkey: Annotated[str, typer.Argument(help="Its cosignature verifier key (type 0x04).")],
    home: HomeOption = None,
) -> None:
    """Push to this mirror from now on (`krai serve` gathers its cosignatures)."""
    settings = settings_for(home)
    try:
        check_key_name(name)
        verifier = parse_cosignature_vkey(vkey)
    except NoteError as error:
        fail(str(error), EXIT_USAGE)
    if not url.startswith(("http://", "https://")):
        fail("the URL starts with http:// or https://", EXIT_USAGE)
    for known in configured_mirrors(settings):
        if name == known.name or verifier.name == known.verifier.name:
            fail(f"a mirror named {name} or with key name {verifier.name} is there", EXIT_USAGE)
    updated = write_mirrors(settings.home, (*settings.mirrors, WitnessSettings(name, url, vkey)))
    _print(updated.mirrors, False)


@app.command()
def remove(
    name: Annotated[str, typer.Argument(help="The mirror's name.")], home: HomeOption = None
) -> None:
    """Stop pushing to this mirror."""
    settings = settings_for(home)
    kept = tuple(m for m in settings.mirrors if m.name != name)
    if len(kept) == len(settings.mirrors):
        fail(f"no mirror named {name}", EXIT_USAGE)
    _print(write_mirrors(settings.home, kept).mirrors, False)


@app.command("list")
def list_mirrors(home: HomeOption = None, json_output: JsonOption = False) -> None:
    """The mirrors this log pushes to."""
    _print(settings_for(home).mirrors, json_output)


def _print(mirrors: tuple[WitnessSettings, ...], json_output: bool) -> None:
    if json_output:
        print_json({"mirrors": [asdict(m) for m in mirrors]})
        return
    for mirror in mirrors:
        console.print(f"{mirror.name}  {mirror.url}  {mirror.vkey}", highlight=False)
    if not mirrors:
        console.print("no mirrors", highlight=False)
