import pytest

from krai.crypto.keys import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
    KeyFormatError,
    decode_public_key,
    encode_public_key,
    key_id,
)

SEED = bytes(range(32))


def test_signature_verifies_and_fails_on_other_message() -> None:
    private = Ed25519PrivateKey(SEED)
    signature = private.sign(b"message")
    assert private.public_key.verify(b"message", signature)
    assert not private.public_key.verify(b"messagE", signature)
    assert not private.public_key.verify(b"message", signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not private.public_key.verify(b"message", b"short")
    assert not private.public_key.verify(b"message", signature + b"\0")


@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(range(32)) + b"\0"])
def test_a_key_of_another_length_verifies_nothing(raw: bytes) -> None:
    private = Ed25519PrivateKey(SEED)
    signature = private.sign(b"message")
    assert not Ed25519PublicKey(raw).verify(b"message", signature)
    assert not Ed25519PublicKey(private.public_key.raw[:31]).verify(b"message", signature)


def test_another_key_does_not_verify() -> None:
    signature = Ed25519PrivateKey(SEED).sign(b"message")
    assert not Ed25519PrivateKey(bytes(32)).public_key.verify(b"message", signature)


def test_public_key_text_round_trips_and_key_id_is_stable() -> None:
    public = Ed25519PrivateKey(SEED).public_key
    text = encode_public_key(public)
    assert text.startswith("ed25519:")
    assert decode_public_key(text) == public
    assert key_id(public) == key_id(decode_public_key(text))
    assert len(key_id(public)) == 16


@pytest.mark.parametrize("text", ["rsa:AAAA", "ed25519:not base64!", "ed25519:AAAA", "nocolon"])
def test_malformed_public_keys_are_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        decode_public_key(text)


def test_seed_must_have_32_bytes() -> None:
    with pytest.raises(KeyFormatError):
        Ed25519PrivateKey(b"short")
