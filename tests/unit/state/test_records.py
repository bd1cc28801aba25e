"""A typed state record encodes to exactly the canonical bytes of its JSON object, and stored
bytes that are not a record of the expected type are refused, naming the key and the field."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.state.records import (
    Record,
    RecordFormError,
    SafeInt,
    decode_record,
    encode_record,
    read_record,
    record_json,
    scan_records,
    write_record,
)
from krai.state.store import MemoryState, Overlay, encode_value


class Signature(Record, frozen=True):
    by: str
    index: SafeInt


class Sample(Record, frozen=True):
    title: str
    amount: SafeInt
    flag: bool
    tags: tuple[str, ...]
    signatures: tuple[Signature, ...]
    note: str | None = None


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
safe_ints = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
samples = st.builds(
    Sample,
    title=texts,
    amount=safe_ints,
    flag=st.booleans(),
    tags=st.lists(texts, max_size=3).map(tuple),
    signatures=st.lists(st.builds(Signature, by=texts, index=safe_ints), max_size=3).map(tuple),
    note=st.none() | texts,
)


@given(samples)
def test_a_record_is_the_canonical_bytes_of_its_json_object(sample: Sample) -> None:
    raw = encode_record(sample)
    assert raw == encode_value(record_json(sample))
    assert decode_record(raw, Sample) == sample


def test_an_absent_optional_field_is_left_out() -> None:
    sample = Sample(title="t", amount=1, flag=False, tags=(), signatures=())
    assert (
        encode_record(sample) == b'{"amount":1,"flag":false,"signatures":[],"tags":[],"title":"t"}'
    )


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (b'{"amount":1,"flag":true,"signatures":[],"tags":[]}', "missing required field `title`"),
        (
            b'{"amount":1,"flag":true,"signatures":[],"tags":[],"title":"t","x":1}',
            "unknown field `x`",
        ),
        (b'{"amount":1.5,"flag":true,"signatures":[],"tags":[],"title":"t"}', "$.amount"),
        (
            b'{"amount":9007199254740992,"flag":true,"signatures":[],"tags":[],"title":"t"}',
            "$.amount",
        ),
        (b'{"amount":1,"flag":true,"signatures":[{"by":"a"}],"tags":[],"title":"t"}', "`index`"),
        (b"[]", "Expected `object`"),
    ],
)
def test_bytes_that_are_not_the_record_are_refused(raw: bytes, named: str) -> None:
    with pytest.raises(RecordFormError, match=r"^k/1 is not a Sample: ") as refused:
        decode_record(raw, Sample, "k/1")
    assert named in str(refused.value)


def test_records_are_read_scanned_and_written_under_their_keys() -> None:
    state = MemoryState()
    overlay = Overlay(state)
    first = Sample(title="a", amount=1, flag=True, tags=("x",), signatures=())
    second = Sample(title="b", amount=-2, flag=False, tags=(), signatures=(), note="n")
    write_record(overlay, "s/1", first)
    write_record(overlay, "s/2", second)
    state.apply_writes(overlay.writes)
    assert state.get_bytes("s/1") == encode_value(record_json(first))
    assert read_record(state, "s/2", Sample) == second
    assert read_record(state, "s/3", Sample) is None
    assert list(scan_records(state, "s/", Sample)) == [("s/1", first), ("s/2", second)]
