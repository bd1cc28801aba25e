"""``krai log``: checkpoints, the verifier key, proofs and raw entries."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from krai.app.proofs import prove_consistency, prove_inclusion
from krai.app.publication import latest_checkpoint, published_checkpoint, published_note
from krai.app.receipts import NotYetPublishedError
from krai.app.tiles_mirror import NothingToExportError, export_tiles
from krai.bootstrap import tile_sink
from krai.entrypoints.cli.common import (
    EXIT_NOT_FOUND,
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    refusals,
    services_for,
    show,
)
from krai.entrypoints.cli.lazy import lazy_group
from krai.log.note import format_vkey

app = typer.Typer(
    help="The Merkle log: checkpoints, proofs, entries.",
    no_args_is_help=True,
    cls=lazy_group(
        {
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


@app.command("prove-inclusion")
def prove_inclusion_command(
    index: Annotated[int, typer.Option(help="Index of the entry.")],
    size: Annotated[int | None, typer.Option(help="Tree size; default: the whole log.")] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """An RFC 9162 inclusion proof of one entry."""
    with services_for(home) as services, refusals():
        proof = prove_inclusion(services.storage, index, size)
    show(proof.to_json(), json_output)


@app.command("prove-consistency")
def prove_consistency_command(
    first: Annotated[int, typer.Option(help="The earlier tree size.")],
    second: Annotated[
        int | None, typer.Option(help="The later tree size; default: the whole log.")
    ] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """An RFC 9162 consistency proof between two tree sizes."""
    with services_for(home) as services, refusals():
        proof = prove_consistency(services.storage, first, second)
    show(proof.to_json(), json_output)


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


@app.command("export-tiles")
def export_tiles_command(
    directory: Annotated[Path, typer.Argument(help="Where to write (created if missing).")],
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Write the C2SP tlog-tiles tree as static files any web server can publish.

    The tree is that of the checkpoint `/checkpoint` publishes (with witnesses, the newest
    one their quorum cosigned). Incremental: full tiles already there are kept; partial
    ones are written for the new size, and the checkpoint last.
    """
    with services_for(home) as services:
        try:
            note = published_note(services.publication)
            report = export_tiles(services.storage, tile_sink(directory), note)
        except (NothingToExportError, NotYetPublishedError) as error:
            fail(str(error))
    if json_output:
        print_json({"directory": str(directory), **report.to_json()})
        return
    console.print(
        f"Exported the tiles of {report.size} entries to {directory}: "
        f"{report.written} written, {report.kept} kept, {report.removed} partial removed",
        highlight=False,
    )
