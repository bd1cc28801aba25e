"""``krai witness``: run a C2SP tlog-witness that cosigns the checkpoints of logs it follows."""

import base64
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from krai.app.ports import WitnessKeyError
from krai.app.witness import ConflictRecord, LogState
from krai.bootstrap import create_witness, open_witness, witness_key
from krai.entrypoints.cli.common import EXIT_USAGE, JsonOption, console, fail, print_json
from krai.entrypoints.witness.app import create_witness_app
from krai.log.note import CosignatureSigner, NoteError, format_vkey, parse_vkey

app = typer.Typer(
    help="A witness: cosigns checkpoints that extend what it saw (C2SP tlog-witness).",
    no_args_is_help=True,
)

DirOption = Annotated[
    Path, typer.Option("--dir", help="The witness's directory (key and database).")
]


@app.command()
def init(
    directory: DirOption,
    name: Annotated[str, typer.Option(help="The witness's key name, e.g. witness.example/w1.")],
) -> None:
    """Create the witness: its cosigning key (mode 0600) and its database."""
    try:
        signer = create_witness(directory, name)
    except (WitnessKeyError, NoteError) as error:
        fail(str(error), EXIT_USAGE)
    console.print(f"Witness [bold]{name}[/] in {directory}", highlight=False)
    sys.stdout.write(format_vkey(signer.verifier) + "\n")


@app.command("add-log")
def add_log(
    directory: DirOption,
    origin: Annotated[str, typer.Option(help="The log's origin line.")],
    vkey: Annotated[str, typer.Option(help="The log's C2SP verifier key (type 0x01).")],
) -> None:
    """Follow a log: cosign its checkpoints when they verify with this key."""
    _witness_key(directory)
    try:
        parse_vkey(vkey)
    except NoteError as error:
        fail(f"not a log verifier key: {error}", EXIT_USAGE)
    with open_witness(directory) as witness:
        state = witness.store.add_log(origin, vkey)
    console.print(f"Following {origin} with {len(state.vkeys)} key(s)", highlight=False)


@app.command()
def vkey(directory: DirOption) -> None:
    """The witness's cosignature verifier key (C2SP vkey, type 0x04)."""
    sys.stdout.write(format_vkey(_witness_key(directory).verifier) + "\n")


@app.command()
def logs(directory: DirOption, json_output: JsonOption = False) -> None:
    """The logs followed and the size last cosigned for each."""
    _witness_key(directory)
    with open_witness(directory) as witness:
        documents = [_log_json(state) for state in witness.store.logs()]
    if json_output:
        print_json(documents)
        return
    for document in documents:
        console.print(f"{document['origin']}  size {document['size']}", highlight=False)


@app.command()
def conflicts(directory: DirOption, json_output: JsonOption = False) -> None:
    """Signed checkpoints refused as split views or inconsistent, with the recorded ones."""
    _witness_key(directory)
    with open_witness(directory) as witness:
        documents = [_conflict_json(found) for found in witness.store.conflicts()]
    if json_output:
        print_json(documents)
        return
    if not documents:
        console.print("No conflicts.")
    for document in documents:
        console.print(
            f"#{document['id']} {document['kind']} {document['origin']}: recorded size "
            f"{document['recorded']['size']}, presented size {document['presented']['size']} "
            f"— {document['reason']}",
            highlight=False,
        )


@app.command()
def serve(
    directory: DirOption,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8100,
) -> None:
    """Serve POST /add-checkpoint until interrupted."""
    _witness_key(directory)
    with open_witness(directory) as witness:
        name = witness.service.cosigner.name
        console.print(f"krai witness {name} at http://{host}:{port}/", highlight=False)
        uvicorn.run(create_witness_app(witness), host=host, port=port, log_level="warning")


def _witness_key(directory: Path) -> CosignatureSigner:
    try:
        return witness_key(directory)
    except WitnessKeyError as error:
        fail(str(error), EXIT_USAGE)


def _log_json(state: LogState) -> dict[str, Any]:
    recorded = state.recorded
    return {
        "origin": state.origin,
        "vkeys": list(state.vkeys),
        "size": recorded.size if recorded else None,
        "root_hash": recorded.root_hash.hex() if recorded else None,
        "note": recorded.note if recorded else None,
    }


def _conflict_json(found: ConflictRecord) -> dict[str, Any]:
    return {
        "id": found.id,
        "origin": found.origin,
        "kind": found.kind,
        "reason": found.reason,
        "detected_s": found.detected_s,
        "old_size": found.old_size,
        "proof": [base64.b64encode(node).decode() for node in found.proof],
        "recorded": {
            "size": found.recorded_size,
            "root_hash": found.recorded_root.hex(),
            "note": found.recorded_note,
        },
        "presented": {
            "size": found.presented_size,
            "root_hash": found.presented_root.hex(),
            "note": found.presented_note,
        },
    }
