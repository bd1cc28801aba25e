"""The vault's master key file and the wrapping of every other key under it.

The master key is 32 random bytes, base64 on one line of ``<home>/keys/vault-master.key``,
created with mode 0600 and refused when the group or others may read it. It never enters the
vault's database. Each key stored in the database is a SecretBox (XSalsa20-Poly1305) under the
master key of ``"krai/vault/<purpose>/v1\\n" ‖ owner ‖ "\\n" ‖ key``, so a wrapped key copied
onto another owner or purpose does not open.
"""

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from krai.app.vault import VaultError

KEY_BYTES = SecretBox.KEY_SIZE
MASTER_KEY_FILE = "vault-master.key"


def create_master_key(path: Path) -> bytes:
    """Write a new master key to ``path`` (mode 0600; never over an existing file)."""
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode("ascii") + "\n")
    return key


def load_master_key(path: Path) -> bytes:
    """The master key in ``path``, or a ``VaultError`` saying what the operator must fix."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise VaultError(
            f"no vault master key at {path}: reading the vault needs the vault operator's key"
        ) from None
    except PermissionError:
        raise VaultError(f"the vault master key {path} is not readable by this user") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise VaultError(
            f"the vault master key {path} is open to other users (mode "
            f"{stat.S_IMODE(mode):04o}); run `chmod 600 {path}`"
        )
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise VaultError(f"the vault master key {path} is not {KEY_BYTES} bytes in base64")
    return key


def new_key() -> bytes:
    """A fresh random 32-byte key."""
    return secrets.token_bytes(KEY_BYTES)


def wrap(master_key: bytes, purpose: str, owner: str, key: bytes) -> bytes:
    """``key`` sealed under the master key, bound to its purpose and owner."""
    return bytes(SecretBox(master_key).encrypt(_label(purpose, owner) + key))


def unwrap(master_key: bytes, purpose: str, owner: str, wrapped: bytes) -> bytes:
    """The key sealed by ``wrap``; ``VaultError`` if it does not open or is someone else's."""
    try:
        opened = SecretBox(master_key).decrypt(wrapped)
    except CryptoError:
        raise VaultError("the vault master key does not open this vault's keys") from None
    label = _label(purpose, owner)
    if not opened.startswith(label) or len(opened) != len(label) + KEY_BYTES:
        raise VaultError(f"a wrapped {purpose} key belongs to another owner")
    return opened[len(label) :]


def _label(purpose: str, owner: str) -> bytes:
    return f"krai/vault/{purpose}/v1\n{owner}\n".encode()
