"""The two checks every module's records are held to (ADR 0022)."""

from typing import Any

import pytest

from krai.state.records import Record, RecordFormError, decode_record, encode_record
from krai.state.store import encode_value


def assert_stored_as_its_plain_bytes(cls: type[Record], stored: dict[str, Any]) -> None:
    """The record reads the bytes its plain JSON object had and writes exactly them back."""
    raw = encode_value(stored)
    record = decode_record(raw, cls)
    assert encode_record(record) == raw
    assert decode_record(encode_record(record), cls) == record


def assert_missing_and_unknown_fields_refused(
    cls: type[Record], stored: dict[str, Any], required: str, key: str
) -> None:
    """Without ``required``, or with a field it does not have, the record is refused by name."""
    missing = {name: value for name, value in stored.items() if name != required}
    with pytest.raises(RecordFormError, match=f"missing required field `{required}`"):
        decode_record(encode_value(missing), cls, key)
    with pytest.raises(RecordFormError, match=rf"{key} is not a .*unknown field `extra`"):
        decode_record(encode_value({**stored, "extra": 1}), cls, key)
