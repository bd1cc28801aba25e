"""A directory of named private keys: ``<home>/keys/<name>.json``, readable by the owner only.

Each file holds the key type, the 32-byte seed in base64, the public key, its key id and the
organisation (INN) that signs with it. Seeds come from the operating system's CSPRNG.
"""

import base64
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from krai.crypto.keys import ED25519, Ed25519PrivateKey, encode_public_key, key_id

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class KeystoreError(Exception):
    """A key name is invalid, taken or unknown."""


@dataclass(frozen=True)
class StoredKey:
    """A named private key and the organisation it signs for."""

    name: str
    organisation: str | None
    private_key: Ed25519PrivateKey

    @property
    def public_key_text(self) -> str:
        """``ed25519:<base64>``."""
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

    def generate(self, name: str, organisation: str | None = None) -> StoredKey:
        """Create and store a new Ed25519 key under ``name``."""
        return self.store(name, organisation, secrets.token_bytes(32))

    def store(self, name: str, organisation: str | None, seed: bytes) -> StoredKey:
        """Store a key made from ``seed`` under a new ``name``."""
        path = self._path(name)
        if path.exists():
            raise KeystoreError(f"a key named {name!r} exists already")
        key = StoredKey(name, organisation, Ed25519PrivateKey(seed))
        self.directory.mkdir(parents=True, exist_ok=True)
        document = {**key.describe(), "type": ED25519, "seed": base64.b64encode(seed).decode()}
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
        return StoredKey(document["name"], document.get("organisation"), Ed25519PrivateKey(seed))

    def names(self) -> list[str]:
        """Every stored key name, sorted."""
        if not self.directory.exists():
            return []
        return sorted(path.stem for path in self.directory.glob("*.json"))

    def _path(self, name: str) -> Path:
        if not NAME_PATTERN.fullmatch(name):
            raise KeystoreError(f"key name {name!r} must match {NAME_PATTERN.pattern}")
        return self.directory / f"{name}.json"
