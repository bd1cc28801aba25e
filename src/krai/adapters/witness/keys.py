"""The witness's cosigning key: ``<dir>/witness-key.json``, created 0600, never overwritten.

The file holds the key name and the 32-byte Ed25519 seed (base64) from the operating
system's CSPRNG; the key cosigns checkpoints as C2SP tlog-cosignature/v1 (type 0x04).
"""

import base64
import json
import os
import secrets
from pathlib import Path

from krai.app.ports import WitnessKeyError
from krai.log.note import CosignatureSigner, check_key_name

KEY_FILE = "witness-key.json"
KEY_TYPE = "ed25519 tlog-cosignature/v1"


def create_witness_key(directory: Path, name: str) -> CosignatureSigner:
    """Create the witness's key under ``name``; refuse if a key file exists."""
    check_key_name(name)
    directory.mkdir(parents=True, exist_ok=True)
    seed = secrets.token_bytes(32)
    document = {"name": name, "type": KEY_TYPE, "seed": base64.b64encode(seed).decode()}
    try:
        descriptor = os.open(directory / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WitnessKeyError(f"{directory / KEY_FILE} already exists") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    return CosignatureSigner(name, seed)


def load_witness_key(directory: Path) -> CosignatureSigner:
    """The witness's cosigning key."""
    path = directory / KEY_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("type") != KEY_TYPE:
            raise WitnessKeyError(f"{path} is not a {KEY_TYPE} key")
        return CosignatureSigner(document["name"], base64.b64decode(document["seed"]))
    except FileNotFoundError:
        raise WitnessKeyError(f"{directory} holds no witness; run `krai witness init`") from None
    except (ValueError, KeyError, TypeError) as error:
        raise WitnessKeyError(f"{path} is malformed: {error}") from None
