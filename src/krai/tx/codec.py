"""Strict decoding of a signed transaction from its JSON bytes.

Refused, each with its own code: more than 64 KiB; not UTF-8 JSON; duplicate keys; a float,
NaN or infinity anywhere; a missing, extra or mistyped envelope field; a signature that is
not base64 of 64 bytes.
"""

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from krai.crypto.canonical import CanonicalFormError, ensure_integers_only
from krai.tx.envelope import ENVELOPE_VERSION, MAX_TRANSACTION_BYTES, Transaction, with_canonical
from krai.tx.errors import Code, RejectedError

ENVELOPE_FIELDS = frozenset(
    {"v", "network", "type", "version", "signer", "key_id", "nonce", "body", "sig"}
)
NONCE_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
KEY_ID_PATTERN = re.compile(r"[0-9a-f]{16}")
TYPE_PATTERN = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


class _FloatFoundError(ValueError):
    pass


def decode_transaction(data: bytes) -> Transaction:
    """Decode one signed transaction, refusing anything not exactly of the envelope's form."""
    if len(data) > MAX_TRANSACTION_BYTES:
        _refuse(Code.OVERSIZE, f"{len(data)} bytes, the limit is {MAX_TRANSACTION_BYTES}")
    document = parse_strict_json(data)
    return transaction_from_json(document)


def parse_strict_json(data: bytes) -> Any:
    """Parse JSON refusing duplicate keys, floats, NaN and infinities."""
    try:
        text = data.decode("utf-8")
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_float=_refuse_float,
            parse_constant=_refuse_float,
        )
    except _FloatFoundError as error:
        _refuse(Code.FLOAT_NOT_ALLOWED, f"{error}; use an integer in named units")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _refuse(Code.MALFORMED, f"not valid UTF-8 JSON: {error}")
    except RecursionError:
        _refuse(Code.MALFORMED, "JSON nested too deeply")
    except ValueError as error:
        _refuse(Code.MALFORMED, str(error))


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
    _check_integers_only(document)
    transaction = Transaction(
        v=_integer(document, "v"),
        network=_text(document, "network"),
        type=_matching(document, "type", TYPE_PATTERN),
        version=_integer(document, "version"),
        signer=_text(document, "signer"),
        key_id=_matching(document, "key_id", KEY_ID_PATTERN),
        nonce=_matching(document, "nonce", NONCE_PATTERN),
        body=_object(document, "body"),
        sig=_signature(document),
    )
    if transaction.v != ENVELOPE_VERSION:
        _refuse(Code.MALFORMED, f"envelope version {transaction.v} is not {ENVELOPE_VERSION}")
    try:
        return with_canonical(transaction)
    except CanonicalFormError as error:
        _refuse(Code.MALFORMED, str(error))


def _check_field_names(document: Mapping[str, Any]) -> None:
    missing = sorted(ENVELOPE_FIELDS - document.keys())
    extra = sorted(document.keys() - ENVELOPE_FIELDS)
    if missing:
        _refuse(Code.MALFORMED, f"missing envelope field(s): {', '.join(missing)}")
    if extra:
        _refuse(Code.MALFORMED, f"unknown envelope field(s): {', '.join(extra)}")


def _check_integers_only(document: Mapping[str, Any]) -> None:
    try:
        ensure_integers_only(document)
    except CanonicalFormError as error:
        _refuse(Code.MALFORMED, str(error))


def _integer(document: Mapping[str, Any], name: str) -> int:
    value = document[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        _refuse(Code.MALFORMED, f"{name} must be a non-negative integer")
    return value


def _text(document: Mapping[str, Any], name: str) -> str:
    value = document[name]
    if not isinstance(value, str) or not value or len(value) > 200:
        _refuse(Code.MALFORMED, f"{name} must be a non-empty string of at most 200 characters")
    return value


def _matching(document: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = _text(document, name)
    if not pattern.fullmatch(value):
        _refuse(Code.MALFORMED, f"{name} {value!r} does not match {pattern.pattern}")
    return value


def _object(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = document[name]
    if not isinstance(value, dict):
        _refuse(Code.MALFORMED, f"{name} must be a JSON object")
    return value


def _signature(document: Mapping[str, Any]) -> str:
    value = _text(document, "sig")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        _refuse(Code.BAD_SIGNATURE, "sig is not base64")
    if len(raw) != 64 or base64.b64encode(raw).decode() != value:
        _refuse(Code.BAD_SIGNATURE, "sig must be the canonical base64 of 64 bytes")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _refuse_float(text: str) -> NoReturn:
    raise _FloatFoundError(f"number {text} is not an integer")


def _refuse(code: Code, message: str) -> NoReturn:
    raise RejectedError(code, message)
