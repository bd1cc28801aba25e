"""The compiled decoder of an HTTP submission gives the strict decoder's result or steps
aside (ADR 0044): on accepted bodies the same transactions, every strict refusal refused in
the same words."""

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests.unit.state.test_compiled_entry import (
    ENVELOPE,
    SIGNATURE,
    envelope_values,
    json_values,
    keys,
)
from tests.unit.state.test_compiled_entry import mutations as entry_mutations

from krai.entrypoints.api.problems import ProblemError
from krai.entrypoints.api.transactions import decode_submission, strict_submission
from krai.state.compiled_entry import compiled_submission
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError


def compact(document: Any, *, sort_keys: bool = False) -> bytes:
    """The JSON httpx and ``JSON.stringify`` send: compact, members in the given order."""
    return json.dumps(
        document, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys
    ).encode()


def transaction(body: Any, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**ENVELOPE, "body": body, **(changes or {})}


def outcome(decode: Any, data: bytes) -> Any:
    """What a decoder makes of ``data``: the problem, or each item and its derived bytes."""
    try:
        items, batch = decode(data)
    except ProblemError as error:
        return ("problem", error.code, str(error))
    except RejectedError as error:
        return ("refused", error.code, str(error))
    return (batch, [_described(item) for item in items])


def _described(item: Transaction | RejectedError) -> Any:
    if isinstance(item, RejectedError):
        return ("refused", item.code, str(item))
    return (item, item.canonical(), item.signing_message(), item.tx_id)


def assert_same_as_strict(data: bytes) -> None:
    strict = outcome(strict_submission, data)
    assert outcome(decode_submission, data) == strict
    compiled = compiled_submission(data)
    if compiled is not None:
        assert strict[0] == compiled[1]
        assert strict[1] == [_described(item) for item in compiled[0]]


def mutations(data: bytes) -> st.SearchStrategy[bytes]:
    """Bytes near a submission: the entry test's mutations, with number spellings put in and
    a body's member or the batch itself repeated."""
    return entry_mutations(
        data,
        (b" ", b",", b"1", b"\\", b"-", b".5", b"e1"),
        (
            (b'"nonce":', b'"nonce":"x","nonce":'),
            (b'"body":{', b'"body":{"a":1,"a":1,'),
            (b'{"transactions":', b'{"transactions":[],"transactions":'),
        ),
    )


bodies = st.dictionaries(keys, json_values, max_size=4)


@settings(max_examples=400)
@given(st.lists(st.tuples(json_values, envelope_values), min_size=1, max_size=3), st.data())
def test_batches_and_their_mutations_are_judged_alike(
    items: list[tuple[Any, dict[str, Any]]], data: st.DataObject
) -> None:
    document = {"transactions": [transaction(body, changes) for body, changes in items]}
    assert_same_as_strict(data.draw(mutations(compact(document))))


@settings(max_examples=300)
@given(json_values, envelope_values, st.booleans(), st.data())
def test_single_transactions_and_their_mutations_are_judged_alike(
    body: Any, changes: dict[str, Any], sort_keys: bool, data: st.DataObject
) -> None:
    document = transaction(body, changes)
    assert_same_as_strict(data.draw(mutations(compact(document, sort_keys=sort_keys))))


@settings(max_examples=200)
@given(st.lists(bodies, min_size=1, max_size=4), st.booleans())
def test_well_formed_batches_take_the_compiled_path_unless_a_key_is_not_ascii(
    items: list[dict[str, Any]], sort_keys: bool
) -> None:
    document = {"transactions": [transaction(body) for body in items]}
    data = compact(document, sort_keys=sort_keys)
    assert_same_as_strict(data)
    integers_in_range = all(
        type(value) is int and abs(value) < 10**15 for value in _integers(items)
    )
    if data.isascii() and integers_in_range:
        assert compiled_submission(data) is not None


def _integers(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]  # a float too: the compiled path must step aside for it
    if isinstance(value, dict):
        return [n for item in value.values() for n in _integers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _integers(item)]
    return []


@given(st.binary(max_size=300))
@example(b'{"transactions":[]}')
@example(b'{"transactions":{}}')
@example(b'{"transactions":[1]}')
@example(b"[]")
@example(b"null")
def test_arbitrary_bytes_are_refused_alike(data: bytes) -> None:
    assert_same_as_strict(data)


def test_the_load_bench_s_body_takes_the_compiled_path() -> None:
    items = [
        transaction({"title": f"Doc {n}", "sha256": "ab" * 32}, {"nonce": f"c{n}"})
        for n in range(3)
    ]
    data = compact({"transactions": items})
    compiled = compiled_submission(data)
    assert compiled is not None
    assert compiled[1] is True
    assert [tx.nonce for tx in compiled[0]] == ["c0", "c1", "c2"]
    assert outcome(decode_submission, data) == outcome(strict_submission, data)


def test_what_it_cannot_be_sure_of_steps_aside_to_the_strict_refusal() -> None:
    plain = compact({"transactions": [transaction({"n": 1})]})
    spaced = json.dumps({"transactions": [transaction({"n": 1})]}).encode()
    repeated = plain.replace(b'{"n":1}', b'{"n":1,"n":1}')
    floating = plain.replace(b'{"n":1}', b'{"n":1.0}')
    huge = plain.replace(b'{"n":1}', b'{"n":123456789012345678901234567890}')
    long_integer = plain.replace(b'{"n":1}', b'{"n":9007199254740993}')
    unsigned = compact({"transactions": [transaction({"n": 1}, {"sig": ""})]})
    for data in (spaced, repeated, floating, huge, long_integer, unsigned):
        assert compiled_submission(data) is None
        assert outcome(decode_submission, data) == outcome(strict_submission, data)
    assert outcome(decode_submission, repeated)[:2] == ("refused", Code.MALFORMED)
    assert outcome(decode_submission, floating)[:2] == ("refused", Code.FLOAT_NOT_ALLOWED)
    assert outcome(decode_submission, unsigned)[1][0][:2] == ("refused", Code.MALFORMED)
    assert compiled_submission(spaced.replace(b" ", b"")) is not None


def test_a_batch_over_the_limit_is_refused_as_a_whole() -> None:
    data = compact({"transactions": [transaction({"n": 1}, {"sig": SIGNATURE})] * 1001})
    assert compiled_submission(data) is not None  # the limit is the API's
    assert outcome(decode_submission, data)[:2] == ("problem", Code.OVERSIZE.value)
