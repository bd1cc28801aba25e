"""State records as typed classes whose JSON is exactly the canonical bytes state stores.

A module declares each record it stores as a subclass of ``Record`` (a frozen ``msgspec``
struct): fields are encoded in sorted order, an optional field (default ``None``) is left out
when it is None, and decoding refuses an unknown field, a missing one or a wrong type. With
ASCII field names, strings, integers within ±(2^53 − 1), booleans, lists and nested records,
msgspec's compact sorted output is byte for byte RFC 8785, as ``encode_value`` writes it
(``tests/unit/state/test_records.py`` holds every record type to it). ADR 0022.

msgspec checks an integer's bound when it decodes, not when it encodes: a rule writes only
integers it has validated (amounts, balances) or that the engine gives (index, time).
"""

from collections.abc import Iterable, Iterator
from typing import Annotated, Any, TypeVar

import msgspec

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.state.store import Overlay, StateView

SafeInt = Annotated[int, msgspec.Meta(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
"""An integer JSON keeps exact: what canonical bytes allow."""


class Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """A value stored in state: its fields are its stored JSON object's members."""


R = TypeVar("R", bound=Record)


class RecordFormError(ValueError):
    """Stored bytes are not a record of the expected type (a missing or unknown field...)."""


_ENCODER = msgspec.json.Encoder(order="sorted")
_DECODERS: dict[type[Any], msgspec.json.Decoder[Any]] = {}


def encode_record(record: Record) -> bytes:
    """The canonical bytes of ``record``: what ``encode_value`` makes of its JSON object."""
    return _ENCODER.encode(record)


def decode_record(raw: bytes, cls: type[R], key: str = "") -> R:
    """The record of type ``cls`` stored as ``raw`` (under ``key``), or RecordFormError."""
    decoder = _DECODERS.get(cls)
    if decoder is None:
        decoder = _DECODERS[cls] = msgspec.json.Decoder(cls)
    try:
        record: R = decoder.decode(raw)
    except msgspec.DecodeError as error:
        raise RecordFormError(f"{key or 'value'} is not a {cls.__name__}: {error}") from error
    return record


def read_record(view: StateView, key: str, cls: type[R]) -> R | None:
    """The record under ``key``, or None."""
    raw = view.get_bytes(key)
    return None if raw is None else decode_record(raw, cls, key)


def scan_records(view: StateView, prefix: str, cls: type[R]) -> Iterator[tuple[str, R]]:
    """Every (key, record) under ``prefix``, in key order."""
    for key, raw in view.scan_bytes(prefix):
        yield key, decode_record(raw, cls, key)


def write_record(state: Overlay, key: str, record: Record) -> None:
    """Store ``record`` under ``key``."""
    state.put_bytes(key, encode_record(record))


def record_json(record: Record) -> dict[str, Any]:
    """The JSON object of ``record`` as it is stored (members in sorted order, optional
    fields left out when None, lists as lists), for the edges."""
    found: dict[str, Any] = msgspec.json.decode(_ENCODER.encode(record))
    return found


def records_json(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The JSON objects of several records."""
    return [record_json(record) for record in records]
