"""Signature key types behind one small interface: Ed25519 and GOST R 34.10-2012 (``gost``).

A key type is named by a short string (``"ed25519"``, ``"gost3410-2012-256"``); a public key
travels as ``"<type>:<base64>"``. The key id of a public key is the first 8 bytes, in hex, of
SHA-256(``"krai/key-id\\n" ‖ type ‖ "\\n" ‖ public key bytes``).
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Protocol

import nacl.bindings
import nacl.exceptions
import nacl.signing

from krai.crypto.gost import GOST3410_2012_256, GostPublicKey
from krai.crypto.hashing import sha256
from krai.crypto.key_errors import KeyFormatError

__all__ = [
    "ED25519",
    "KEY_ID_PREFIX",
    "Ed25519PrivateKey",
    "Ed25519PublicKey",
    "KeyFormatError",
    "PrivateKey",
    "PublicKey",
    "decode_public_key",
    "encode_public_key",
    "key_id",
]

ED25519 = "ed25519"
KEY_ID_PREFIX = b"krai/key-id\n"


class PublicKey(Protocol):
    """A key that verifies signatures."""

    @property
    def key_type(self) -> str: ...

    @property
    def raw(self) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is valid for ``message``."""
        ...


class PrivateKey(Protocol):
    """A key that signs."""

    @property
    def public_key(self) -> PublicKey: ...

    def sign(self, message: bytes) -> bytes:
        """Return the signature of ``message``."""
        ...


@dataclass(frozen=True)
class Ed25519PublicKey:
    """An Ed25519 (RFC 8032) public key, verified through libsodium."""

    raw: bytes

    @property
    def key_type(self) -> str:
        return ED25519

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is a valid Ed25519 signature of ``message``.

        libsodium's ``crypto_sign_open`` directly, as ``VerifyKey.verify`` calls it, without
        making a ``VerifyKey`` for every signature (a few per cent of a verification, ADR 0053);
        the key's length is checked here, as the binding does not.
        """
        if len(signature) != 64 or len(self.raw) != 32:
            return False
        try:
            nacl.bindings.crypto_sign_open(signature + message, self.raw)
        except nacl.exceptions.BadSignatureError:
            return False
        return True


class Ed25519PrivateKey:
    """An Ed25519 private key made from a 32-byte seed."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise KeyFormatError("an Ed25519 seed has 32 bytes")
        self._signing_key = nacl.signing.SigningKey(seed)
        self.seed = seed

    @property
    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey(bytes(self._signing_key.verify_key))

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``message``."""
        return self._signing_key.sign(message).signature


def key_id(public_key: PublicKey) -> str:
    """Return the 16-hex-digit key id of ``public_key``."""
    material = KEY_ID_PREFIX + public_key.key_type.encode() + b"\n" + public_key.raw
    return sha256(material)[:8].hex()


def encode_public_key(public_key: PublicKey) -> str:
    """Return ``"<type>:<base64>"`` for ``public_key``."""
    return f"{public_key.key_type}:{base64.b64encode(public_key.raw).decode()}"


def decode_public_key(text: str) -> PublicKey:
    """Parse ``"<type>:<base64>"`` into a public key of a known type."""
    key_type, _, encoded = text.partition(":")
    raw = _strict_b64decode(encoded)
    if key_type == ED25519:
        if len(raw) != 32:
            raise KeyFormatError("an Ed25519 public key has 32 bytes")
        return Ed25519PublicKey(raw)
    if key_type == GOST3410_2012_256:
        return GostPublicKey(raw)  # checks the length and that it is a point of the curve
    raise KeyFormatError(f"unknown key type {key_type!r}")


def _strict_b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeyFormatError("key material is not valid base64") from error
