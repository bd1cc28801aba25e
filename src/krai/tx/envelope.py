"""The transaction envelope and its signature.

``{v, network, type, version, signer, key_id, nonce, body, sig}``. The signature covers
``SIGNING_PREFIX`` followed by the RFC 8785 bytes of every field but ``sig``. The transaction
id is the SHA-256 of the canonical bytes of the whole signed transaction.
"""

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from krai.crypto.canonical import (
    CanonicalFormError,
    JSONValue,
    canonical_bytes,
    canonical_bytes_of_checked,
)
from krai.crypto.hashing import sha256_hex
from krai.crypto.keys import PrivateKey, PublicKey
from krai.tx.errors import Code, RejectedError

ENVELOPE_VERSION = 1
SIGNING_PREFIX = b"krai/tx/v1\n"
MAX_TRANSACTION_BYTES = 65_280
"""64 KiB less room for the entry framing: an entry fits a C2SP entry bundle (uint16 length)."""
MAX_TEXT_CHARS = 200
"""The longest ``network`` or ``signer`` (an organisation identifier, an INN or
``<scheme>:<value>``, whose form and check digits the identity module checks: a signer that is
no member is refused at acceptance as ``unknown_signer``; ADR 0026)."""
NONCE_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
KEY_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
TYPE_PATTERN = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


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

    def __post_init__(self) -> None:
        """Refuse any field docs/spec/transaction.md does not allow, whoever builds it.

        ``sig`` may be empty (not signed yet); the sequencer refuses it then as a bad
        signature.
        """
        _check_integer("v", self.v)
        if self.v != ENVELOPE_VERSION:
            _refuse(Code.MALFORMED, f"envelope version {self.v} is not {ENVELOPE_VERSION}")
        _check_text("network", self.network)
        _check_matching("type", self.type, TYPE_PATTERN)
        _check_integer("version", self.version)
        _check_text("signer", self.signer)
        _check_matching("key_id", self.key_id, KEY_ID_PATTERN)
        _check_matching("nonce", self.nonce, NONCE_PATTERN)
        if not isinstance(self.body, dict):
            _refuse(Code.MALFORMED, "body must be a JSON object")
        if self.sig:
            _check_signature_text(self.sig)

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
        return self._signing_message or SIGNING_PREFIX + _canonical(self.unsigned_fields())

    def canonical(self) -> bytes:
        """The canonical bytes of the signed transaction."""
        return self._canonical or _canonical(self.to_json())

    def check_size(self) -> None:
        """Refuse as ``oversize`` canonical bytes over ``MAX_TRANSACTION_BYTES``."""
        _check_size(self.canonical())

    @property
    def tx_id(self) -> str:
        """SHA-256 (hex) of the canonical signed transaction."""
        return self._tx_id or sha256_hex(self.canonical())

    @property
    def signature(self) -> bytes:
        """The signature bytes (``sig`` is base64; ``base64.b64decode`` without its wrapper)."""
        return binascii.a2b_base64(self.sig)

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


def with_canonical(transaction: Transaction, ascii_keys: bool | None = None) -> Transaction:
    """Return ``transaction`` carrying its canonical bytes, signed message and id, computed once.

    Admission computes them when it decodes a transaction, before the sequencer sees it, so
    the one writer does not (ADR 0009). The fields but ``sig`` are encoded once; the signed
    transaction's bytes are those with the signature's member put in its place (ADR 0039).
    A body with no canonical form (a float, an integer beyond 2^53−1) is refused as
    ``malformed``, and canonical bytes over ``MAX_TRANSACTION_BYTES`` as ``oversize``.
    ``ascii_keys``: what ``ensure_integers_only`` answered for the transaction's JSON, when
    the caller has checked it already.
    """
    unsigned = _canonical(transaction.unsigned_fields(), ascii_keys)
    canonical = _with_signature(unsigned, transaction.sig)
    _check_size(canonical)
    object.__setattr__(transaction, "_canonical", canonical)
    object.__setattr__(transaction, "_signing_message", SIGNING_PREFIX + unsigned)
    object.__setattr__(transaction, "_tx_id", sha256_hex(canonical))
    return transaction


SIGNER_MEMBER = b',"signer":'


def _with_signature(unsigned: bytes, sig: str) -> bytes:
    """The canonical bytes of the signed transaction from those of its other fields.

    RFC 8785 orders the envelope's members body, key_id, network, nonce, sig, signer, type, v,
    version, so ``sig`` goes just before the envelope's own ``signer``: the last
    ``,"signer":`` in the bytes, as the members after it (type, v, version) cannot hold it and
    no JSON string holds an unescaped quote. ``sig`` is base64, which JSON writes as it is.
    """
    if not _is_base64_text(sig):
        _refuse(Code.BAD_SIGNATURE, "sig must be base64")
    at = unsigned.rindex(SIGNER_MEMBER)
    return b'%s,"sig":"%s"%s' % (unsigned[:at], sig.encode("ascii"), unsigned[at:])


def _is_base64_text(text: str) -> bool:
    return text.isascii() and not text.strip(BASE64_ALPHABET)


def _canonical(document: Mapping[str, Any], ascii_keys: bool | None = None) -> bytes:
    try:
        if ascii_keys is None:
            return canonical_bytes(document)
        return canonical_bytes_of_checked(document, ascii_keys=ascii_keys)
    except CanonicalFormError as error:
        _refuse(Code.MALFORMED, str(error))


def _check_size(canonical: bytes) -> None:
    if len(canonical) > MAX_TRANSACTION_BYTES:
        _refuse(
            Code.OVERSIZE,
            f"the transaction is {len(canonical)} bytes in canonical form, "
            f"the limit is {MAX_TRANSACTION_BYTES}",
        )


def _check_integer(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        _refuse(Code.MALFORMED, f"{name} must be a non-negative integer")


def _check_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT_CHARS:
        _refuse(
            Code.MALFORMED,
            f"{name} must be a non-empty string of at most {MAX_TEXT_CHARS} characters",
        )


def _check_matching(name: str, value: object, pattern: re.Pattern[str]) -> None:
    _check_text(name, value)
    assert isinstance(value, str)
    if not pattern.fullmatch(value):
        _refuse(Code.MALFORMED, f"{name} {value!r} does not match {pattern.pattern}")


def _check_signature_text(value: object) -> None:
    _check_text("sig", value)
    assert isinstance(value, str)
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        _refuse(Code.BAD_SIGNATURE, "sig is not base64")
    if len(raw) != 64 or base64.b64encode(raw).decode() != value:
        _refuse(Code.BAD_SIGNATURE, "sig must be the canonical base64 of 64 bytes")


def _refuse(code: Code, message: str) -> NoReturn:
    raise RejectedError(code, message)
