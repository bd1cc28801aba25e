import base64

import pytest
from gostcrypto import gostsignature  # type: ignore[import-untyped]  # ships no types

from krai.crypto.gost import (
    GOST3410_2012_256,
    PARAM_SET_B,
    GostCurve,
    GostPrivateKey,
    GostPublicKey,
    public_point,
    sign_digest,
    streebog256,
    verify_digest,
)
from krai.crypto.keys import (
    Ed25519PrivateKey,
    KeyFormatError,
    decode_public_key,
    encode_public_key,
    key_id,
)

# GOST R 34.11-2012, Appendix A (also RFC 6986 §10): the standard prints messages and hash
# codes as numbers, most significant digit first, so their bytes are these figures reversed.
M1 = (
    "323130393837363534333231303938373635343332313039383736353433323130"
    "393837363534333231303938373635343332313039383736353433323130"
)
H256_M1 = "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d"
M2 = (
    "fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fe"
    "e5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1"
)
H256_M2 = "508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d"

# GOST R 34.10-2012, Appendix A, example 1 (also RFC 7091 §7.1): the 256-bit test curve
# (id-GostR3410-2001-TestParamSet), private key d, public key Q, the digest's number α, k, r, s.
TEST_CURVE = GostCurve(
    name="GOST R 34.10-2012 Appendix A.1",
    p=0x8000000000000000000000000000000000000000000000000000000000000431,
    a=0x7,
    b=0x5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E,
    q=0x8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3,
    x=0x2,
    y=0x08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8,
)
D = 0x7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28
XQ = 0x7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B
YQ = 0x26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA
ALPHA = 0x2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5
K = 0x77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3
R = 0x41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493
S = 0x01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40

# RFC 4357 §11.4 id-GostR3410-2001-CryptoPro-A-ParamSet, the same curve as RFC 7836's
# id-tc26-gost-3410-2012-256-paramSetB: the curve of key type gost3410-2012-256.
CRYPTOPRO_A = GostCurve(
    name="id-tc26-gost-3410-2012-256-paramSetB",
    p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97,
    a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94,
    b=0xA6,
    q=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893,
    x=0x1,
    y=0x8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14,
)


def be32(number: int) -> bytes:
    return number.to_bytes(32, "big")


# The digest whose number (read little-endian, as the standard reads a hash code) is α.
DIGEST = ALPHA.to_bytes(32, "little")
SECRET = bytes.fromhex("3b" * 32)


@pytest.mark.parametrize(("message", "code"), [(M1, H256_M1), (M2, H256_M2)])
def test_streebog_256_gives_the_standards_hash_codes(message: str, code: str) -> None:
    assert streebog256(bytes.fromhex(message)[::-1]) == bytes.fromhex(code)[::-1]


def test_the_standards_messages_are_the_texts_they_stand_for() -> None:
    assert bytes.fromhex(M1)[::-1] == b"0123456789" * 6 + b"012"
    text = "Се ветри, Стрибожи внуци, веютъ с моря стрелами на храбрыя плъкы Игоревы"
    assert bytes.fromhex(M2)[::-1] == text.encode("cp1251")


def test_the_published_public_key_follows_from_the_private_key() -> None:
    assert public_point(TEST_CURVE, be32(D)) == be32(XQ) + be32(YQ)


def test_the_published_signature_verifies_and_a_flipped_bit_fails() -> None:
    public, signature = be32(XQ) + be32(YQ), be32(R) + be32(S)
    assert verify_digest(TEST_CURVE, public, DIGEST, signature)
    for position in (0, 31, 32, 63):
        flipped = bytearray(signature)
        flipped[position] ^= 0x01
        assert not verify_digest(TEST_CURVE, public, DIGEST, bytes(flipped))
    other = bytearray(DIGEST)
    other[0] ^= 0x01
    assert not verify_digest(TEST_CURVE, public, bytes(other), signature)


def test_signing_with_the_published_k_gives_the_published_r_and_s() -> None:
    assert sign_digest(TEST_CURVE, be32(D), DIGEST, nonce=be32(K)) == be32(R) + be32(S)


def test_the_key_types_curve_is_the_published_paramset_b() -> None:
    assert PARAM_SET_B == CRYPTOPRO_A


def test_the_library_computes_on_the_same_curve() -> None:
    figures = gostsignature.CURVES_R_1323565_1_024_2019[PARAM_SET_B.name]
    assert figures["m"] == figures["q"]  # cofactor 1
    assert [figures[name] for name in "pabqxy"] == [
        PARAM_SET_B.p,
        PARAM_SET_B.a,
        PARAM_SET_B.b,
        PARAM_SET_B.q,
        PARAM_SET_B.x,
        PARAM_SET_B.y,
    ]


def test_a_signature_verifies_and_fails_on_another_message_or_a_flipped_bit() -> None:
    private = GostPrivateKey(SECRET)
    signature = private.sign(b"message")
    assert len(signature) == 64
    assert private.public_key.verify(b"message", signature)
    assert not private.public_key.verify(b"messagE", signature)
    flipped = signature[:-1] + bytes([signature[-1] ^ 1])
    assert not private.public_key.verify(b"message", flipped)
    assert not private.public_key.verify(b"message", signature[:-1])
    assert not private.public_key.verify(b"message", bytes(64))


def test_each_signature_draws_a_fresh_k() -> None:
    private = GostPrivateKey(SECRET)
    first, second = private.sign(b"message"), private.sign(b"message")
    assert first != second
    assert private.public_key.verify(b"message", first)
    assert private.public_key.verify(b"message", second)


def test_public_key_text_round_trips_and_key_id_is_stable() -> None:
    public = GostPrivateKey(SECRET).public_key
    text = encode_public_key(public)
    assert text.startswith("gost3410-2012-256:")
    assert public.key_type == GOST3410_2012_256
    decoded = decode_public_key(text)
    assert decoded == public and isinstance(decoded, GostPublicKey)
    assert key_id(decoded) == key_id(public) and len(key_id(public)) == 16
    assert key_id(public) != key_id(Ed25519PrivateKey(SECRET).public_key)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        bytes(63),
        bytes(65),
        bytes(64),  # (0, 0) is not on the curve
        be32(1) + be32(2),  # nor is (1, 2)
        be32(CRYPTOPRO_A.p + 1) + be32(CRYPTOPRO_A.y),  # x beyond the field
    ],
)
def test_malformed_public_keys_are_refused(raw: bytes) -> None:
    with pytest.raises(KeyFormatError):
        decode_public_key(f"{GOST3410_2012_256}:{base64.b64encode(raw).decode()}")
    with pytest.raises(KeyFormatError):
        GostPublicKey(raw)


@pytest.mark.parametrize(
    "secret", [b"short", bytes(31), bytes(33), bytes(32), be32(CRYPTOPRO_A.q), bytes([255]) * 32]
)
def test_a_secret_must_be_32_bytes_and_a_scalar_below_q(secret: bytes) -> None:
    with pytest.raises(KeyFormatError):
        GostPrivateKey(secret)


def test_a_digest_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(KeyFormatError):
        sign_digest(TEST_CURVE, be32(D), DIGEST[:-1])
    public, signature = be32(XQ) + be32(YQ), be32(R) + be32(S)
    assert not verify_digest(TEST_CURVE, public, DIGEST[:-1], signature)
