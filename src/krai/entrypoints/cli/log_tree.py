"""``krai log prove-inclusion``, ``prove-consistency`` and ``export-tiles``: the Merkle tree's
proofs and its C2SP tiles (apart from ``log``, whose reads of the checkpoint load neither)."""

from pathlib import Path
from typing import Annotated

import typer

from krai.app.proofs import prove_consistency, prove_inclusion
from krai.app.publication import NotYetPublishedError, published_note
from krai.app.tiles_mirror import NothingToExportError, export_tiles
from krai.bootstrap import tile_sink
from krai.entrypoints.cli.common import (
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    refusals,
    services_for,
    show,
)


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
