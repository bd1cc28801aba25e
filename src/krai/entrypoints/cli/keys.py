"""``krai keys``: generate and list the home's signing keys."""

from typing import Annotated

import typer

from krai.app.ports import KeystoreError
from krai.bootstrap import KEY_TYPES, open_keystore
from krai.config.settings import load_settings
from krai.crypto.keys import ED25519
from krai.entrypoints.cli.common import (
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    fail,
    new_table,
    print_json,
)

app = typer.Typer(help="Signing keys kept in the home's keystore.", no_args_is_help=True)


@app.command()
def generate(
    name: Annotated[str, typer.Argument(help="A name for the key.")],
    org: Annotated[
        str | None,
        typer.Option("--org", help="The organisation that signs with it: INN or <scheme>:<value>."),
    ] = None,
    key_type: Annotated[
        str, typer.Option("--type", help=f"Key type: {' or '.join(KEY_TYPES)}.")
    ] = ED25519,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Generate a key (Ed25519 unless --type says otherwise) and print its public key."""
    keystore = open_keystore(load_settings(home))
    try:
        key = keystore.generate(name, org, key_type)
    except KeystoreError as error:
        fail(str(error), EXIT_USAGE)
    if json_output:
        print_json(key.describe())
    else:
        console.print(f"{key.name}: {key.public_key_text} (key id {key.key_id})", highlight=False)


@app.command("list")
def list_keys(home: HomeOption = None, json_output: JsonOption = False) -> None:
    """List the keys in the keystore."""
    keystore = open_keystore(load_settings(home))
    described = [keystore.load(name).describe() for name in keystore.names()]
    if json_output:
        print_json(described)
        return
    table = new_table("name", "organisation", "key id", "public key")
    for key in described:
        table.add_row(key["name"], key["organisation"] or "—", key["key_id"], key["public_key"])
    console.print(table)
