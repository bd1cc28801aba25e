"""A directory of named private keys: ``<home>/keys/<name>.json``, readable by the owner only.

Each file holds the key type, the 32-byte seed in base64, the public key, its key id and the
organisation (INN) that signs with it. Seeds come from the operating system's CSPRNG. The type
is ``ed25519`` (the default, and what a file without one holds) or ``gost3410-2012-256``, whose
seed is the private scalar d, big-endian (krai.crypto.gost).
"""

import base64
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from krai.app.ports import KeystoreError
from krai.crypto.gost import GOST3410_2012_256, GostPrivateKey, valid_secret
from krai.crypto.keys import ED25519, Ed25519PrivateKey, encode_public_key, key_id

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
KEY_TYPES = (ED25519, GOST3410_2012_256)

SigningKey = Ed25519PrivateKey | GostPrivateKey


@dataclass(frozen=True)
class StoredKey:
    """A named private key and the organisation it signs for."""

    name: str
    organisation: str | None
    private_key: SigningKey

    @property
    def public_key_text(self) -> str:
        """``<type>:<base64>``."""
        return encode_public_key(self.private_key.public_key)

    @property
    def key_id(self) -> str:
        """The key id used in transaction envelopes."""
        return key_id(self.private_key.public_key)

    def describe(self) -> dict[str, str | None]:
        """Name, organisation, key id and public key (never the seed)."""
        return {
            "name": self.name,
            "organisation": self.organisation,
            "key_id": self.key_id,
            "public_key": self.public_key_text,
        }


class Keystore:
    """Named keys in a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def generate(
        self, name: str, organisation: str | None = None, key_type: str = ED25519
    ) -> StoredKey:
        """Create and store a new key of ``key_type`` under ``name``."""
        seed = secrets.token_bytes(32)
        while key_type == GOST3410_2012_256 and not valid_secret(seed):
            seed = secrets.token_bytes(32)  # d = 0 or d ≥ q: about one draw in 2^128
        return self.store(name, organisation, seed, key_type)

    def store(
        self, name: str, organisation: str | None, seed: bytes, key_type: str = ED25519
    ) -> StoredKey:
        """Store a key of ``key_type`` made from ``seed`` under a new ``name``."""
        path = self._path(name)
        if path.exists():
            raise KeystoreError(f"a key named {name!r} exists already")
        key = StoredKey(name, organisation, private_key(key_type, seed))
        self.directory.mkdir(parents=True, exist_ok=True)
        document = {**key.describe(), "type": key_type, "seed": base64.b64encode(seed).decode()}
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
        return key

    def load(self, name: str) -> StoredKey:
        """The key stored under ``name``."""
        path = self._path(name)
        if not path.exists():
            raise KeystoreError(f"no key named {name!r} in {self.directory}")
        document = json.loads(path.read_text(encoding="utf-8"))
        seed = base64.b64decode(document["seed"])
        key = private_key(document.get("type", ED25519), seed)
        return StoredKey(document["name"], document.get("organisation"), key)

    def names(self) -> list[str]:
        """Every stored key name, sorted."""
        if not self.directory.exists():
            return []
        return sorted(path.stem for path in self.directory.glob("*.json"))

    def _path(self, name: str) -> Path:
        if not NAME_PATTERN.fullmatch(name):
            raise KeystoreError(f"key name {name!r} must match {NAME_PATTERN.pattern}")
        return self.directory / f"{name}.json"


def private_key(key_type: str, seed: bytes) -> SigningKey:
    """The private key of ``key_type`` made from a 32-byte ``seed``."""
    if key_type == ED25519:
        return Ed25519PrivateKey(seed)
    if key_type == GOST3410_2012_256:
        return GostPrivateKey(seed)
    raise KeystoreError(f"unknown key type {key_type!r}; known: {', '.join(KEY_TYPES)}")
