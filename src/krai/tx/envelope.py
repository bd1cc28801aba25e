"""The transaction envelope and its signature.

``{v, network, type, version, signer, key_id, nonce, body, sig}``. The signature covers
``SIGNING_PREFIX`` followed by the RFC 8785 bytes of every field but ``sig``. The transaction
id is the SHA-256 of the canonical bytes of the whole signed transaction.
"""

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from krai.crypto.canonical import JSONValue, canonical_bytes
from krai.crypto.hashing import sha256_hex
from krai.crypto.keys import PrivateKey, PublicKey

ENVELOPE_VERSION = 1
SIGNING_PREFIX = b"krai/tx/v1\n"
MAX_TRANSACTION_BYTES = 65_280
"""64 KiB less room for the entry framing: an entry fits a C2SP entry bundle (uint16 length)."""


@dataclass(frozen=True)
class Transaction:
    """A signed request from an organisation to change the ledger's state."""

    network: str
    type: str
    version: int
    signer: str
    key_id: str
    nonce: str
    body: Mapping[str, JSONValue]
    sig: str = ""
    v: int = ENVELOPE_VERSION
    # Computed once by ``with_canonical``; never copied by ``dataclasses.replace``.
    _canonical: bytes = field(default=b"", init=False, compare=False, repr=False)
    _signing_message: bytes = field(default=b"", init=False, compare=False, repr=False)
    _tx_id: str = field(default="", init=False, compare=False, repr=False)

    def unsigned_fields(self) -> dict[str, Any]:
        """Every field but the signature, as a JSON object."""
        return {
            "v": self.v,
            "network": self.network,
            "type": self.type,
            "version": self.version,
            "signer": self.signer,
            "key_id": self.key_id,
            "nonce": self.nonce,
            "body": self.body,
        }

    def to_json(self) -> dict[str, Any]:
        """The whole signed transaction as a JSON object."""
        return {**self.unsigned_fields(), "sig": self.sig}

    def signing_message(self) -> bytes:
        """The exact bytes the signature covers."""
        return self._signing_message or SIGNING_PREFIX + canonical_bytes(self.unsigned_fields())

    def canonical(self) -> bytes:
        """The canonical bytes of the signed transaction."""
        return self._canonical or canonical_bytes(self.to_json())

    @property
    def tx_id(self) -> str:
        """SHA-256 (hex) of the canonical signed transaction."""
        return self._tx_id or sha256_hex(self.canonical())

    @property
    def signature(self) -> bytes:
        """The signature bytes (``sig`` is base64)."""
        return base64.b64decode(self.sig)

    def verify_signature(self, public_key: PublicKey) -> bool:
        """Return whether ``sig`` is a valid signature by ``public_key``."""
        return public_key.verify(self.signing_message(), self.signature)


def sign(unsigned: Transaction, private_key: PrivateKey) -> Transaction:
    """Return ``unsigned`` with its signature by ``private_key``."""
    message = unsigned.signing_message()
    signed = Transaction(
        network=unsigned.network,
        type=unsigned.type,
        version=unsigned.version,
        signer=unsigned.signer,
        key_id=unsigned.key_id,
        nonce=unsigned.nonce,
        body=unsigned.body,
        sig=base64.b64encode(private_key.sign(message)).decode(),
    )
    object.__setattr__(signed, "_signing_message", message)
    return with_canonical(signed)


def with_canonical(transaction: Transaction) -> Transaction:
    """Return ``transaction`` carrying its canonical bytes, signed message and id, computed once.

    Admission computes them when it decodes a transaction, before the sequencer sees it, so
    the one writer does not (ADR 0009).
    """
    canonical = canonical_bytes(transaction.to_json())
    object.__setattr__(transaction, "_canonical", canonical)
    object.__setattr__(transaction, "_signing_message", transaction.signing_message())
    object.__setattr__(transaction, "_tx_id", sha256_hex(canonical))
    return transaction
