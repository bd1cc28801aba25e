"""Strict decoding of a signed transaction from its JSON bytes.

Refused, each with its own code: more than 64 KiB; not UTF-8 JSON; duplicate keys; a float,
NaN or infinity anywhere (``strict_json``); a missing, extra or mistyped envelope field; a
signature that is not base64 of 64 bytes.
"""

from collections.abc import Mapping
from typing import Any, NoReturn

from krai.crypto.canonical import CanonicalFormError, ensure_integers_only
from krai.tx.envelope import MAX_TRANSACTION_BYTES, Transaction, with_canonical
from krai.tx.errors import Code, RejectedError
from krai.tx.strict_json import parse_strict_json

ENVELOPE_FIELDS = frozenset(
    {"v", "network", "type", "version", "signer", "key_id", "nonce", "body", "sig"}
)


def decode_transaction(data: bytes) -> Transaction:
    """Decode one signed transaction, refusing anything not exactly of the envelope's form."""
    if len(data) > MAX_TRANSACTION_BYTES:
        _refuse(Code.OVERSIZE, f"{len(data)} bytes, the limit is {MAX_TRANSACTION_BYTES}")
    document = parse_strict_json(data)
    return transaction_from_json(document)


def transaction_from_json(document: Any) -> Transaction:
    """Build a transaction from a parsed JSON object, checking every envelope field."""
    try:
        return _transaction_from_json(document)
    except RecursionError:
        _refuse(Code.MALFORMED, "JSON nested too deeply")


def _transaction_from_json(document: Any) -> Transaction:
    if not isinstance(document, dict):
        _refuse(Code.MALFORMED, "a transaction is a JSON object")
    _check_field_names(document)
    ascii_keys = _check_integers_only(document)
    if document["sig"] == "":
        _refuse(Code.MALFORMED, "sig must be a non-empty string")
    return with_canonical(Transaction(**document), ascii_keys)


def _check_field_names(document: Mapping[str, Any]) -> None:
    missing = sorted(ENVELOPE_FIELDS - document.keys())
    extra = sorted(document.keys() - ENVELOPE_FIELDS)
    if missing:
        _refuse(Code.MALFORMED, f"missing envelope field(s): {', '.join(missing)}")
    if extra:
        _refuse(Code.MALFORMED, f"unknown envelope field(s): {', '.join(extra)}")


def _check_integers_only(document: Mapping[str, Any]) -> bool:
    """Refuse a float or out-of-range integer; whether every object key is ASCII."""
    try:
        return ensure_integers_only(document)
    except CanonicalFormError as error:
        _refuse(Code.MALFORMED, str(error))


def _refuse(code: Code, message: str) -> NoReturn:
    raise RejectedError(code, message)
