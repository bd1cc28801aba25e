import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.crypto.test_canonical import json_values

from krai.crypto.canonical import canonical_bytes
from krai.crypto.hashing import sha256_hex
from krai.crypto.keys import Ed25519PrivateKey, key_id
from krai.tx.codec import decode_transaction, transaction_from_json
from krai.tx.envelope import MAX_TRANSACTION_BYTES, Transaction, sign
from krai.tx.errors import Code, RejectedError

KEY = Ed25519PrivateKey(bytes(32))


def signed(**changes: Any) -> Transaction:
    fields: dict[str, Any] = {
        "network": "krai.example/test",
        "type": "notary.anchor",
        "version": 1,
        "signer": "7734250208",
        "key_id": key_id(KEY.public_key),
        "nonce": "n-1",
        "body": {"sha256": "00" * 32, "title": "Соглашение"},
    }
    fields.update(changes)
    return sign(Transaction(**fields), KEY)


def encoded(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def refusal(data: bytes) -> Code:
    with pytest.raises(RejectedError) as caught:
        decode_transaction(data)
    return caught.value.code


def test_round_trip_keeps_id_and_signature() -> None:
    tx = signed()
    decoded = decode_transaction(encoded(tx.to_json()))
    assert decoded.tx_id == tx.tx_id
    assert decoded.verify_signature(KEY.public_key)


def test_tampered_body_breaks_the_signature() -> None:
    document = signed().to_json()
    document["body"]["title"] = "Другое"
    assert not decode_transaction(encoded(document)).verify_signature(KEY.public_key)


def test_whitespace_does_not_change_the_id() -> None:
    tx = signed()
    pretty = json.dumps(tx.to_json(), indent=4).encode()
    assert decode_transaction(pretty).tx_id == tx.tx_id


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d["body"].update(amount=10.5), Code.FLOAT_NOT_ALLOWED),
        (lambda d: d["body"].update(amount=1e3), Code.FLOAT_NOT_ALLOWED),
        (lambda d: d.pop("nonce"), Code.MALFORMED),
        (lambda d: d.update(extra=1), Code.MALFORMED),
        (lambda d: d.update(version="1"), Code.MALFORMED),
        (lambda d: d.update(v=2), Code.MALFORMED),
        (lambda d: d.update(key_id="XYZ"), Code.MALFORMED),
        (lambda d: d.update(type="NoDot"), Code.MALFORMED),
        (lambda d: d.update(body=[1]), Code.MALFORMED),
        (lambda d: d.update(sig="!!"), Code.BAD_SIGNATURE),
        (lambda d: d.update(sig="AAAA"), Code.BAD_SIGNATURE),
        (lambda d: d["body"].update(big=2**60), Code.MALFORMED),
    ],
)
def test_malformed_envelopes_are_refused_with_their_code(mutate: Any, code: Code) -> None:
    document = signed().to_json()
    mutate(document)
    assert refusal(encoded(document)) == code


def test_nan_and_non_json_and_duplicates_are_refused() -> None:
    assert refusal(b'{"v": NaN}') == Code.FLOAT_NOT_ALLOWED
    assert refusal(b"not json") == Code.MALFORMED
    assert refusal(b"\xff\xfe") == Code.MALFORMED
    assert refusal(b'{"v": 1, "v": 1}') == Code.MALFORMED
    assert refusal(b"[]") == Code.MALFORMED


def test_oversize_is_refused_before_parsing() -> None:
    assert refusal(b" " * (MAX_TRANSACTION_BYTES + 1)) == Code.OVERSIZE


def test_a_lone_surrogate_that_has_no_canonical_form_is_malformed() -> None:
    document = signed().to_json()
    text = json.dumps(document).replace('"title"', '"note": "\\ud800", "title"')
    assert refusal(text.encode()) == Code.MALFORMED


@pytest.mark.parametrize("depth", [900, 30_000])
def test_json_nested_too_deeply_is_malformed(depth: int) -> None:
    document = signed().to_json()
    text = json.dumps(document).replace(
        '"title"', '"deep": ' + "[" * depth + "]" * depth + ', "title"'
    )
    assert refusal(text.encode()) == Code.MALFORMED


def test_a_changed_copy_does_not_keep_the_original_s_bytes_id_or_signed_message() -> None:
    original = signed()
    assert original.tx_id == sha256_hex(canonical_bytes(original.to_json()))
    changed = dataclasses.replace(original, nonce="other")
    assert changed.canonical() == canonical_bytes(changed.to_json())
    assert changed.tx_id == sha256_hex(changed.canonical()) != original.tx_id
    assert changed.signing_message() != original.signing_message()


@settings(max_examples=200)
@given(
    body=st.dictionaries(
        st.sampled_from(["signer", 'a","signer":', "ключ", "sig", "z"]) | st.text(max_size=8),
        json_values,
        max_size=5,
    ),
    signer=st.text(min_size=1, max_size=30),
    network=st.text(min_size=1, max_size=30),
)
def test_the_bytes_composed_once_are_the_canonical_bytes_of_the_whole_transaction(
    body: dict[str, Any], signer: str, network: str
) -> None:
    tx = signed(body=body, signer=signer, network=network)
    decoded = transaction_from_json(json.loads(json.dumps(tx.to_json())))
    for one in (tx, decoded):
        assert one.canonical() == canonical_bytes(one.to_json())
        assert one.signing_message() == b"krai/tx/v1\n" + canonical_bytes(one.unsigned_fields())
        assert one.tx_id == sha256_hex(canonical_bytes(one.to_json()))
        assert one.verify_signature(KEY.public_key)
