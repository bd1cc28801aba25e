"""``krai verify`` and ``krai export``: check a whole ledger, or write it out to check elsewhere."""

from pathlib import Path
from typing import Annotated

import typer

from krai.app.bundle import BundleError, read_bundle, write_bundle
from krai.app.verify import VerificationError, verify_ledger
from krai.bootstrap import new_engine
from krai.entrypoints.cli.common import (
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    services_for,
)
from krai.log.note import NoteError, format_vkey, parse_vkey

BundleOption = Annotated[
    Path | None, typer.Option("--bundle", help="A bundle written by `krai export`.")
]


def verify(
    home: HomeOption = None,
    bundle: BundleOption = None,
    vkey: Annotated[
        str | None,
        typer.Option(help="Pin the log's verifier key (default: the home's or the bundle's)."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Re-check every signature, leaf and checkpoint and replay all state; exit 0 when sound."""
    try:
        report = _verify_bundle(bundle, vkey) if bundle else _verify_home(home, vkey)
    except (VerificationError, BundleError, NoteError) as error:
        fail(f"ledger NOT sound: {error}")
    if json_output:
        print_json(report)
    else:
        console.print(
            f"[bold green]sound[/]: {report['entries']} entries, "
            f"{report['checkpoints']} checkpoints, root {report['root_hash']}",
            highlight=False,
        )


def export(
    bundle: Annotated[Path, typer.Option("--bundle", help="The file to write.")],
    home: HomeOption = None,
) -> None:
    """Write a portable bundle that `krai verify --bundle` checks with no database."""
    with services_for(home) as services, bundle.open("w", encoding="utf-8") as sink:
        size = write_bundle(
            services.storage, services.origin, format_vkey(services.log_verifier), sink
        )
    console.print(f"Wrote {size} entries to {bundle}", highlight=False)


def _verify_home(home: Path | None, vkey: str | None) -> dict[str, object]:
    with services_for(home) as services:
        storage = services.storage
        verifier = parse_vkey(vkey) if vkey else services.log_verifier
        size = storage.log_size()
        checkpoints = {c.size: c.note for c in storage.checkpoints(limit=size + 1)}
        report = verify_ledger(
            (e.data for e in storage.entries(0, size)),
            checkpoints,
            origin=services.origin,
            verifier=verifier,
            new_engine=new_engine,
            expected_state=storage.scan_bytes(""),
        )
    return report.to_json()


def _verify_bundle(path: Path, vkey: str | None) -> dict[str, object]:
    if not path.exists():
        fail(f"no bundle at {path}", EXIT_USAGE)
    with path.open(encoding="utf-8") as source:
        contents = read_bundle(source)
    verifier = parse_vkey(vkey or contents.vkey)
    report = verify_ledger(
        contents.entries,
        contents.checkpoints,
        origin=contents.origin,
        verifier=verifier,
        new_engine=new_engine,
    )
    return report.to_json()
