"""``krai tx``: build, sign and submit transactions; list the transaction types."""

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from krai.app.ports import KeystoreError
from krai.app.sequencer import Receipt
from krai.bootstrap import new_engine, open_keystore
from krai.entrypoints.cli.common import (
    EXIT_REJECTED,
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    errors,
    fail,
    print_json,
    services_for,
    settings_for,
)
from krai.tx.codec import decode_transaction
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError
from krai.tx.strict_json import parse_strict_json

app = typer.Typer(help="Build, sign and submit transactions.", no_args_is_help=True)
SUBMIT_BATCH = 1_000


@app.command()
def build(
    type_name: Annotated[
        str, typer.Argument(metavar="TYPE", help="Transaction type, e.g. notary.anchor.")
    ],
    signer: Annotated[str, typer.Option(help="Name of the signing key in the keystore.")],
    body: Annotated[str, typer.Option(help="The body as a JSON object.")],
    version: Annotated[int, typer.Option(help="Version of the transaction type.")] = 1,
    nonce: Annotated[str | None, typer.Option(help="Unique per signer; random by default.")] = None,
    home: HomeOption = None,
) -> None:
    """Print one signed transaction as one JSON line."""
    settings = settings_for(home)
    try:
        key = open_keystore(settings).load(signer)
        parsed = parse_strict_json(body.encode())
    except (KeystoreError, RejectedError) as error:
        fail(str(error), EXIT_USAGE)
    if key.organisation is None or not isinstance(parsed, dict):
        fail("the key names no organisation, or the body is not a JSON object", EXIT_USAGE)
    try:
        unsigned = Transaction(
            network=settings.origin,
            type=type_name,
            version=version,
            signer=key.organisation,
            key_id=key.key_id,
            nonce=nonce or secrets.token_hex(16),
            body=parsed,
        )
        signed = sign(unsigned, key.private_key)
    except RejectedError as error:  # what the ledger would refuse is never printed signed
        fail(str(error), EXIT_USAGE)
    print_json(signed.to_json())


@app.command()
def submit(
    source: Annotated[
        str, typer.Argument(help="A file of JSON lines, or - for standard input.")
    ] = "-",
    home: HomeOption = None,
) -> None:
    """Submit signed transactions; print one receipt or error line per transaction."""
    refused = 0
    with services_for(home) as services:
        for chunk in _chunks(_read_lines(source)):
            decoded = [_decode(line) for line in chunk]
            valid = [tx for tx in decoded if isinstance(tx, Transaction)]
            outcomes = iter(services.sequencer.submit(valid))
            for item in decoded:
                outcome = next(outcomes) if isinstance(item, Transaction) else item
                refused += _report(outcome)
            sys.stdout.flush()  # receipts of a durable batch are released at once
    if refused:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def types(json_output: JsonOption = False) -> None:
    """List every transaction type with its version, allowed roles and body schema."""
    described = new_engine().describe()
    if json_output:
        print_json(described)
        return
    for item in described:
        console.print(
            f"[bold]{item['type']}[/] v{item['version']}  roles: {', '.join(item['roles'])}"
        )
        console.print(f"    {item['summary']}", highlight=False)


def _read_lines(source: str) -> Iterator[str]:
    handle = sys.stdin if source == "-" else Path(source).open(encoding="utf-8")  # noqa: SIM115
    with handle:
        for line in handle:
            if line.strip():
                yield line


def _chunks(lines: Iterator[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == SUBMIT_BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _decode(line: str) -> Transaction | RejectedError:
    try:
        return decode_transaction(line.strip().encode())
    except RejectedError as error:
        return error


def _report(outcome: Receipt | RejectedError) -> int:
    if isinstance(outcome, Receipt):
        print_json(outcome.to_json())
        return 0
    print_json({"error": outcome.code.value, "message": outcome.message})
    errors.print(f"[bold red]refused:[/] {outcome}", highlight=False)
    return 1
