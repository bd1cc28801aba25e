"""``krai notary``: show an anchored document with the proof that the ledger holds it."""

from typing import Annotated

import typer

from krai.app.proofs import prove_inclusion
from krai.entrypoints.cli.common import (
    EXIT_NOT_FOUND,
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    services_for,
)
from krai.modules.notary.queries import anchor
from krai.state.records import record_json

app = typer.Typer(help="Documents anchored by SHA-256.", no_args_is_help=True)


@app.command()
def show(
    sha256: Annotated[str, typer.Argument(help="The document's SHA-256 in hex.")],
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Who anchored the document and when, with its inclusion proof and the signed checkpoint."""
    with services_for(home) as services:
        found = anchor(services.storage, sha256.lower())
        if found is None:
            fail(f"document {sha256} is not anchored", EXIT_NOT_FOUND)
        proof = prove_inclusion(services.storage, found.index)
        checkpoint = services.storage.checkpoint_at(proof.size)
    document = {
        "anchor": record_json(found),
        "inclusion": proof.to_json(),
        "checkpoint": checkpoint.note if checkpoint else None,
    }
    if json_output:
        print_json(document)
        return
    console.print(
        f"{found.title} ({found.kind}) anchored by {found.by} at entry "
        f"{found.index}, countersigned by {len(found.countersignatures)}; "
        f"proof against root {proof.root_hash.hex()}",
        highlight=False,
    )
