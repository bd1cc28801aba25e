"""``krai log``: checkpoints, the verifier key and raw entries; the tree's proofs and tiles
(``log_tree``), witnesses and mirrors are imported only when one of them runs."""

import sys
from typing import Annotated, Any

import typer

from krai.app.publication import NotYetPublishedError, latest_checkpoint, published_checkpoint
from krai.entrypoints.cli.common import (
    EXIT_NOT_FOUND,
    HomeOption,
    JsonOption,
    fail,
    print_json,
    services_for,
)
from krai.entrypoints.cli.lazy import lazy_group
from krai.log.note import format_vkey

app = typer.Typer(
    help="The Merkle log: checkpoints, proofs, entries.",
    no_args_is_help=True,
    cls=lazy_group(
        {
            "prove-inclusion": "krai.entrypoints.cli.log_tree:prove_inclusion_command",
            "prove-consistency": "krai.entrypoints.cli.log_tree:prove_consistency_command",
            "export-tiles": "krai.entrypoints.cli.log_tree:export_tiles_command",
            "witnesses": "krai.entrypoints.cli.log_witnesses:app",
            "mirrors": "krai.entrypoints.cli.log_mirrors:app",
            "cosign": "krai.entrypoints.cli.log_witnesses:cosign",
            "check-cosigned": "krai.entrypoints.cli.log_witnesses:check_cosigned",
        }
    ),
)


@app.command()
def checkpoint(home: HomeOption = None, json_output: JsonOption = False) -> None:
    """The latest signed checkpoint (JSON: as GET /v1/checkpoint)."""
    with services_for(home) as services:
        _print_checkpoint(latest_checkpoint(services.publication), json_output)


@app.command()
def published(home: HomeOption = None, json_output: JsonOption = False) -> None:
    """The checkpoint /checkpoint publishes: with witnesses, the newest one their quorum
    cosigned (JSON: as GET /v1/checkpoint/published)."""
    with services_for(home) as services:
        try:
            document = published_checkpoint(services.publication)
        except NotYetPublishedError as error:
            fail(str(error))
    _print_checkpoint(document, json_output)


def _print_checkpoint(document: dict[str, Any] | None, json_output: bool) -> None:
    if document is None:
        fail("no checkpoint has been signed yet")
    if json_output:
        print_json(document)
    else:
        sys.stdout.write(document["note"])


@app.command()
def vkey(home: HomeOption = None) -> None:
    """The log's C2SP verifier key: name+hexid+base64."""
    with services_for(home) as services:
        sys.stdout.write(format_vkey(services.log_verifier) + "\n")


@app.command()
def entry(
    index: Annotated[int, typer.Option(help="Index of the entry.")],
    home: HomeOption = None,
) -> None:
    """Write the entry's exact bytes to standard output (SHA-256(0x00 ‖ bytes) = leaf hash)."""
    with services_for(home) as services:
        stored = services.storage.entry(index)
    if stored is None:
        fail(f"no entry {index}", EXIT_NOT_FOUND)
    sys.stdout.buffer.write(stored.data)
    sys.stdout.buffer.flush()
