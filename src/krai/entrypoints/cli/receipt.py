"""``krai receipt``: offline receipts (C2SP tlog-proof) and their verification by a policy."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from krai.app.publication import NotYetPublishedError, published_note
from krai.app.receipts import check_receipt, issue_receipt
from krai.entrypoints.cli.common import (
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    fail,
    print_json,
    services_for,
)
from krai.log.policy import PolicyError
from krai.log.receipt import ReceiptError
from krai.tx.errors import RejectedError

app = typer.Typer(
    help="Offline receipts: C2SP tlog-proof, checked against a C2SP tlog-policy.",
    no_args_is_help=True,
)


@app.command()
def get(
    tx_id: Annotated[str, typer.Argument(help="The transaction's id (SHA-256, hex).")],
    home: HomeOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here (convention: *.tlog-proof).")
    ] = None,
) -> None:
    """Write the transaction's receipt: entry, inclusion proof and signed checkpoint."""
    with services_for(home) as services:
        try:
            text = issue_receipt(services.storage, tx_id, published_note(services.publication))
        except (RejectedError, NotYetPublishedError) as error:
            fail(str(error))
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"Wrote the receipt of {tx_id} to {out}", highlight=False)


@app.command()
def verify(
    receipt: Annotated[Path, typer.Argument(help="A receipt (C2SP tlog-proof).")],
    policy: Annotated[Path, typer.Option("--policy", help="The C2SP tlog-policy file to trust.")],
    tx_id: Annotated[
        str | None, typer.Option("--tx-id", help="Also require it to prove this transaction.")
    ] = None,
    entry: Annotated[
        Path | None,
        typer.Option("--entry", help="The entry's bytes, for a receipt without an extra line."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Check a receipt with no network: leaf, inclusion proof, log signature, cosignatures.

    The policy is a C2SP tlog-policy file; `krai log witnesses policy-file` prints the log's.
    """
    texts = _read(receipt, policy, entry)
    try:
        report = check_receipt(texts[0], texts[1], tx_id=tx_id, entry_bytes=texts[2])
    except (ReceiptError, PolicyError) as error:
        fail(f"receipt NOT valid: {error}")
    if json_output:
        print_json(report)
        return
    proven = report["entry"] or {}
    what = f"transaction {proven['tx_id']}" if "tx_id" in proven else f"entry {report['index']}"
    console.print(
        f"[bold green]valid[/]: {what} is entry {report['index']} of {report['origin']} "
        f"(size {report['size']}), {len(report['cosigners'])} witness cosignature(s)",
        highlight=False,
    )


def _read(receipt: Path, policy: Path, entry: Path | None) -> tuple[str, bytes, bytes | None]:
    for path in (receipt, policy, entry):
        if path is not None and not path.is_file():
            fail(f"no file at {path}", EXIT_USAGE)
    try:
        text = receipt.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        fail(f"receipt NOT valid: {receipt} is not UTF-8 text")
    return text, policy.read_bytes(), None if entry is None else entry.read_bytes()
