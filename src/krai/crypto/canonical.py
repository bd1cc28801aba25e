"""Canonical bytes: RFC 8785 (JCS) JSON with integers only.

Bodies never carry floats: quantities are integers in named units. ``canonical_bytes``
refuses floats (and NaN, infinities, non-string keys) anywhere in the value, so that what is
signed and hashed has exactly one byte form.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import rfc8785

JSONValue = Any
"""A JSON value as Python builds it: dict, list, str, int, bool or None."""

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer every JSON implementation reads exactly (RFC 8785 §3.2.2.3, I-JSON)."""


class CanonicalFormError(ValueError):
    """A value has no canonical JSON form (a float, a huge integer, a non-string key...)."""


def canonical_bytes(value: JSONValue) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of ``value``, which must hold no floats.

    With integers only and ASCII object keys, RFC 8785 is exactly orjson's compact,
    sorted-key output (the same string escapes, the same integer form; a property test
    holds the two to each other); that fast path is taken, and any other value goes through
    the ``rfc8785`` library.
    """
    return canonical_bytes_of_checked(value, ascii_keys=ensure_integers_only(value))


def canonical_bytes_of_checked(value: JSONValue, *, ascii_keys: bool) -> bytes:
    """``canonical_bytes`` of a value ``ensure_integers_only`` has passed, saying whether
    every object key is ASCII: for a caller that checked it already (no second walk)."""
    if ascii_keys:
        try:
            encoded = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError as error:
            raise CanonicalFormError(f"no canonical form: {error}") from error
        # orjson's bytes keep its whole output buffer (4 KiB and more for a 400-byte value);
        # state caches and replays hold millions of these, so keep a right-sized copy.
        return bytes(memoryview(encoded))
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise CanonicalFormError(str(error)) from error


def ensure_integers_only(value: JSONValue, path: str = "$") -> bool:
    """Raise ``CanonicalFormError`` naming the first float or out-of-range integer in ``value``.

    Return whether every object key in ``value`` is ASCII. The common case runs a fast check
    without building paths; the path of the offending member is found only on failure.
    """
    try:
        return _fast_check(value)
    except _NotCanonicalError:
        return _careful_check(value, path)


class _NotCanonicalError(Exception):
    pass


def _fast_check(value: JSONValue) -> bool:
    kind = type(value)
    if kind is dict:
        return _fast_object(value)
    if kind is list or kind is tuple:
        # Every item is checked, not only those up to the first non-ASCII key.
        return all([_fast_check(item) for item in value])  # noqa: C419
    if kind is str or kind is bool or value is None:
        return True
    if kind is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return True
    raise _NotCanonicalError


def _fast_object(value: dict[Any, JSONValue]) -> bool:
    """The check of one object, with its scalar members checked in line (the common case)."""
    ascii_keys = True
    for key, item in value.items():
        if type(key) is not str:
            raise _NotCanonicalError
        if not key.isascii():
            ascii_keys = False
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                continue
            raise _NotCanonicalError
        if not _fast_check(item):
            ascii_keys = False
    return ascii_keys


def _careful_check(value: JSONValue, path: str) -> bool:
    """The same check for any Mapping, Sequence or str/int subclass, naming the bad member."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalFormError(f"{path}: integer {value} exceeds 2^53-1")
        return True
    if isinstance(value, float):
        raise CanonicalFormError(f"{path}: floats are not allowed, use an integer in named units")
    if isinstance(value, Mapping):
        return _careful_object(value, path)
    if isinstance(value, Sequence):
        return all([_careful_check(item, f"{path}[{i}]") for i, item in enumerate(value)])  # noqa: C419 - as above
    raise CanonicalFormError(f"{path}: {type(value).__name__} is not a JSON value")


def _careful_object(value: Mapping[Any, JSONValue], path: str) -> bool:
    ascii_keys = True
    for key, item in value.items():
        if not isinstance(key, str):
            raise CanonicalFormError(f"{path}: object keys must be strings")
        ascii_keys = _careful_check(item, f"{path}.{key}") and ascii_keys and key.isascii()
    return ascii_keys
