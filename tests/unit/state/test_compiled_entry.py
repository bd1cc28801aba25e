"""The compiled entry decoder gives the strict decoder's result or steps aside (ADR 0038)."""

import base64
import json
from typing import Any

import msgspec
import orjson
from hypothesis import example, given, settings
from hypothesis import strategies as st

from krai.crypto.canonical import canonical_bytes
from krai.state.compiled_entry import MATCHES_KEPT, compiled_entry
from krai.state.entry import Entry, decode_entry, strict_entry
from krai.tx.errors import Code, RejectedError

SIGNATURE = base64.b64encode(bytes(range(64))).decode()
ENVELOPE: dict[str, Any] = {
    "v": 1,
    "network": "krai.example/test",
    "type": "notary.anchor",
    "version": 1,
    "signer": "7734250208",
    "key_id": "0123456789abcdef",
    "nonce": "n-1",
    "sig": SIGNATURE,
}

keys = st.one_of(
    st.sampled_from(["title", "sha256", "kind", "a", "sig", "\ue000", "\U0001f600", "Дата"]),
    st.text(max_size=4),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) - 2, 2**53 + 2),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["Соглашение", "\u2028", "\x7f", "\x00", '"', "\\", "a,b"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)
envelope_values = st.fixed_dictionaries(
    {},
    optional={
        "v": st.sampled_from([1, 2, True, 1.0, "1"]),
        "version": st.sampled_from([0, 1, -1, 2**53 - 1, 2**53, 2**60, False]),
        "nonce": st.sampled_from(["", "n 1", "x" * 65, "ok.1"]),
        "key_id": st.sampled_from(["0123456789ABCDEF", "0123"]),
        "sig": st.sampled_from(["", "AAAA", SIGNATURE[:-2] + "x=", SIGNATURE.rstrip("=")]),
        "signer": st.sampled_from(["", "x" * 201, "Минфин"]),
        "type": st.sampled_from(["notary", "Notary.anchor"]),
        "extra": st.integers(0, 1),
    },
)


def entry_document(body: Any, changes: dict[str, Any], index: int, time_ms: int) -> Any:
    tx = {**ENVELOPE, "body": body, **changes}
    return {"v": 1, "index": index, "time_ms": time_ms, "tx": tx}


def sorted_bytes(document: Any) -> bytes:
    """Sorted-key compact JSON: canonical when the document has a canonical form."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def mutations(
    data: bytes,
    inserted: tuple[bytes, ...] = (b" ", b",", b"1", b"\\"),
    repeated: tuple[tuple[bytes, bytes], ...] = (
        (b'"nonce":', b'"nonce":"x","nonce":'),
        (b'"index":', b'"index":0,"index":'),
    ),
) -> st.SearchStrategy[bytes]:
    """Bytes near ``data``: a byte changed, removed or one of ``inserted`` put in, or a
    member repeated (each ``repeated`` pair: what to find, what to put in its place)."""
    positions = st.integers(0, max(len(data) - 1, 0))
    return st.one_of(
        st.just(data),
        st.builds(
            lambda i, b: data[:i] + bytes([b]) + data[i + 1 :], positions, st.integers(0, 255)
        ),
        st.builds(
            lambda i, b: data[:i] + b + data[i:],
            positions,
            st.sampled_from(inserted),
        ),
        st.builds(lambda i: data[:i] + data[i + 1 :], positions),
        *(st.just(data.replace(found, put, 1)) for found, put in repeated),
    )


def outcome(decode: Any, data: bytes) -> Any:
    try:
        entry = decode(data)
    except RejectedError as error:
        return ("refused", error.code, str(error))
    return ("accepted", entry, *_derived(entry))


def _derived(entry: Entry) -> tuple[Any, ...]:
    if entry.tx is None:
        return ()
    return (entry.tx.canonical(), entry.tx.signing_message(), entry.tx.tx_id)


def assert_same_as_strict(data: bytes) -> None:
    assert outcome(decode_entry, data) == outcome(strict_entry, data)
    compiled = compiled_entry(data)
    if compiled is not None:
        strict = strict_entry(data)
        assert (strict.index, strict.time_ms, strict.tx) == compiled
        assert strict.tx is not None
        assert _derived(strict) == _derived(Entry(*compiled[:2], tx=compiled[2]))


@settings(max_examples=400)
@given(
    json_values,
    envelope_values,
    st.integers(-1, 2**54),
    st.integers(0, 2**45),
    st.data(),
)
def test_compiled_and_strict_agree_on_entries_and_their_mutations(
    body: Any, changes: dict[str, Any], index: int, time_ms: int, data: st.DataObject
) -> None:
    document = entry_document(body, changes, index, time_ms)
    try:
        near = canonical_bytes(document)
    except ValueError:
        near = sorted_bytes(document)
    assert_same_as_strict(data.draw(mutations(near)))


@settings(max_examples=200)
@given(st.dictionaries(keys, json_values, max_size=4))
def test_well_formed_entries_take_the_compiled_path_and_agree(body: dict[str, Any]) -> None:
    document = entry_document(body, {}, 7, 1_700_000_000_000)
    try:
        canonical = canonical_bytes(document)
    except ValueError:
        canonical = sorted_bytes(document)
    assert_same_as_strict(canonical)
    assert_same_as_strict(sorted_bytes(document))  # keys in code point order, not UTF-16's


@given(st.binary(max_size=300))
@example(b'{"index":1,"time_ms":2,"tx":{},"v":1}')
@example(b'{"index":1,"time_ms":2,"tx":null,"v":1}')
def test_arbitrary_bytes_are_refused_alike(data: bytes) -> None:
    assert_same_as_strict(data)


def test_an_ascii_entry_is_decoded_by_the_compiled_path() -> None:
    data = canonical_bytes(entry_document({"title": "Document 1"}, {}, 3, 5))
    compiled = compiled_entry(data)
    assert compiled is not None
    assert Entry(*compiled[:2], tx=compiled[2]) == strict_entry(data)


def test_what_the_compiled_path_cannot_be_sure_of_steps_aside() -> None:
    long_integer = canonical_bytes(entry_document({"n": 2**53 - 1}, {}, 3, 5))
    astral_key = canonical_bytes(entry_document({"\U0001f600": 1, "\ue000": 2}, {}, 3, 5))
    repeated = long_integer.replace(b'{"n":', b'{"n":1,"n":', 1)
    floating = sorted_bytes(entry_document({"n": 1.5}, {}, 3, 5))
    beyond = long_integer.replace(b"%d" % (2**53 - 1), b"%d" % 2**53, 1)
    for data in (astral_key, repeated, floating, beyond):
        assert compiled_entry(data) is None
    assert strict_entry(astral_key).index == 3
    assert outcome(decode_entry, repeated)[:2] == ("refused", Code.MALFORMED)
    assert outcome(decode_entry, floating)[:2] == ("refused", Code.FLOAT_NOT_ALLOWED)
    assert outcome(decode_entry, beyond)[0] == "refused"


def test_the_largest_safe_integer_takes_the_compiled_path() -> None:
    """The body's integers are judged by value, not by their digits: 2^53 − 1 is decoded
    here, and as the strict path decodes it."""
    long_integer = canonical_bytes(entry_document({"n": 2**53 - 1, "m": -(2**53 - 1)}, {}, 3, 5))
    compiled = compiled_entry(long_integer)
    assert compiled is not None
    assert Entry(*compiled[:2], tx=compiled[2]) == strict_entry(long_integer)
    assert compiled[2].signing_message() == strict_entry(long_integer).tx.signing_message()


def test_refusals_that_canonical_bytes_alone_would_not_see_are_the_strict_ones() -> None:
    unsigned = canonical_bytes(entry_document({"title": "x"}, {"sig": ""}, 3, 5))
    code_point_order = sorted_bytes(entry_document({"\ue000": 1, "\U0001f600": 2}, {}, 3, 5))
    for data in (unsigned, code_point_order):
        assert compiled_entry(data) is None
        assert outcome(decode_entry, data) == outcome(strict_entry, data)
        assert outcome(decode_entry, data)[0] == "refused"


BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


SIGNATURE_ENDS = st.sampled_from(["==", "=", "", "===", "A=", "=A", "\n"])


@settings(max_examples=300)
@given(
    st.one_of(
        st.binary(min_size=63, max_size=65).map(lambda raw: base64.b64encode(raw).decode()),
        st.text(alphabet=BASE64, min_size=86, max_size=90),
        st.builds(
            lambda head, last, end: head + last + end,
            st.sampled_from([SIGNATURE[:85], SIGNATURE[:84], SIGNATURE[:86]]),
            st.sampled_from(BASE64),
            SIGNATURE_ENDS,
        ),
    )
)
def test_signatures_near_the_canonical_form_are_judged_alike(sig: str) -> None:
    """The struct's pattern for ``sig`` accepts exactly the canonical base64 of 64 bytes."""
    assert_same_as_strict(canonical_bytes(entry_document({"n": 1}, {"sig": sig}, 3, 5)))


def one_field(name: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: values})


@settings(max_examples=300)
@given(
    st.one_of(
        one_field("nonce", st.from_regex(r"[A-Za-z0-9._:\-\n ]{0,66}", fullmatch=True)),
        one_field("key_id", st.from_regex(r"[0-9a-fA-F\n]{15,17}", fullmatch=True)),
        one_field("type", st.from_regex(r"[a-z0-9_.A\n]{1,12}", fullmatch=True)),
        one_field("signer", st.text(max_size=3) | st.text(min_size=199, max_size=201)),
        one_field("network", st.text(max_size=3) | st.text(min_size=199, max_size=201)),
        one_field("version", st.integers(-2, 2) | st.booleans()),
        one_field("v", st.integers(-1, 3) | st.booleans()),
    )
)
def test_envelope_fields_near_their_bounds_are_judged_alike(changes: dict[str, Any]) -> None:
    """The struct's bounds are ``Transaction.__post_init__``'s checks, field by field."""
    assert_same_as_strict(canonical_bytes(entry_document({"n": 1}, changes, 3, 5)))


def test_what_msgspec_or_orjson_raise_steps_aside_to_the_strict_refusal() -> None:
    """An integer orjson cannot write, hidden from the digit scan by a space, and nesting
    deeper than msgspec decodes, are refused in the strict words, not raised as they are."""
    plain = canonical_bytes(entry_document({"n": 1}, {}, 3, 5))
    huge = plain.replace(b'{"n":1}', b'{"n": 123456789012345678901234567890}')
    deep = plain.replace(b'{"n":1}', b'{"n":' + b"[" * 5000 + b"]" * 5000 + b"}")
    for data in (huge, deep):
        assert compiled_entry(data) is None
        assert outcome(decode_entry, data) == outcome(strict_entry, data)
        assert outcome(decode_entry, data)[:2] == ("refused", Code.MALFORMED)


def test_the_sorted_encoder_writes_every_code_point_as_orjson_and_rfc_8785_do() -> None:
    """``compiled_entry`` compares the bytes with msgspec's sorted form (ADR 0048): for every
    code point but the surrogates, in a key and in a value, it is orjson's, and with ASCII
    keys it is RFC 8785's."""
    encoder = msgspec.json.Encoder(order="sorted")
    for start in range(0, 0x110000, 0x800):
        text = "".join(chr(c) for c in range(start, start + 0x800) if not 0xD800 <= c < 0xE000)
        value = {"b": text, "a": [text, 1, None, True, {"z": -(2**53 - 1), "y": False}]}
        assert encoder.encode(value) == canonical_bytes(value)
        keyed = {**value, text[:1]: 0, text[-1:]: 1}
        assert encoder.encode(keyed) == orjson.dumps(keyed, option=orjson.OPT_SORT_KEYS)


def test_key_ids_and_types_matched_before_are_remembered_and_others_still_judged() -> None:
    """The key ids and types found to match are kept (ADR 0048), past ``MATCHES_KEPT`` too:
    a well-formed one is decoded as strictly, an ill-formed one always steps aside."""
    for number in range(MATCHES_KEPT + 3):
        for changes in (
            {"key_id": f"{number:016x}"},
            {"type": f"notary.t{number}"},
            {"key_id": f"{number:016X}x"},
            {"type": f"Notary.t{number}"},
        ):
            data = canonical_bytes(entry_document({"title": "T"}, changes, 3, 5))
            for _ in range(2):
                compiled = compiled_entry(data)
                if "x" in changes.get("key_id", "") or "N" in changes.get("type", ""):
                    assert compiled is None
                else:
                    assert compiled is not None
                    assert Entry(*compiled[:2], tx=compiled[2]) == strict_entry(data)
