"""GOST R 34.10-2012 signatures with 256-bit keys over Streebog-256 (GOST R 34.11-2012).

Key type ``gost3410-2012-256``, on the curve ``id-tc26-gost-3410-2012-256-paramSetB``
(R 1323565.1.024-2019, RFC 7836): the curve of ``id-GostR3410-2001-CryptoPro-A-ParamSet``
(RFC 4357), a prime-order curve that certified Russian CSPs support. Its figures are the
published ones; the curve arithmetic is the ``gostcrypto`` package's, imported when a GOST key
is first used (most commands never meet one). This module fixes the byte forms
(docs/spec/transaction.md):

- a private key is the scalar d, 32 bytes big-endian, 1 ≤ d < q;
- a public key is x ‖ y of the point Q = d·P, each 32 bytes big-endian;
- the signed digest is Streebog-256 of the message in its usual byte order; the standard's
  number α is that digest read little-endian, e = α mod q (1 if that is 0);
- a signature is r ‖ s, each 32 bytes big-endian: the standard's ζ = (r̄ ‖ s̄).

Signing needs a fresh random k: gostcrypto draws it from ``os.urandom`` inside its ``sign``.
Verification is deterministic.
"""

import functools
from dataclasses import dataclass
from typing import Any

from krai.crypto.key_errors import KeyFormatError

GOST3410_2012_256 = "gost3410-2012-256"
PARAM_SET = "id-tc26-gost-3410-2012-256-paramSetB"
SCALAR_BYTES = 32


@dataclass(frozen=True)
class GostCurve:
    """y² = x³ + a·x + b over GF(p), base point (x, y) of prime order q, cofactor 1."""

    name: str
    p: int
    a: int
    b: int
    q: int
    x: int
    y: int

    def contains(self, x: int, y: int) -> bool:
        """Whether (x, y) is a point of the curve (so of the group of order q)."""
        in_field = 0 <= x < self.p and 0 <= y < self.p
        return in_field and (y * y - x * x * x - self.a * x - self.b) % self.p == 0


PARAM_SET_B = GostCurve(
    PARAM_SET,
    p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97,
    a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94,
    b=0xA6,
    q=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893,
    x=0x1,
    y=0x8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14,
)
"""paramSetB as R 1323565.1.024-2019 publishes it (a test checks gostcrypto's figures agree)."""


@functools.cache
def _engine(curve: GostCurve) -> Any:
    """gostcrypto's signer for ``curve`` (it holds only the curve; built once)."""
    from gostcrypto import gostsignature  # type: ignore[import-untyped]  # noqa: PLC0415

    figures = {"p": curve.p, "a": curve.a, "b": curve.b, "m": curve.q, "q": curve.q}
    return gostsignature.new(gostsignature.MODE_256, {**figures, "x": curve.x, "y": curve.y})


def streebog256(message: bytes) -> bytes:
    """Streebog-256 of ``message``.

    GOST R 34.11-2012 prints a digest as a number, most significant digit first: these bytes
    in reverse order.
    """
    from gostcrypto import gosthash  # noqa: PLC0415

    return bytes(gosthash.new("streebog256", data=bytes(message)).digest())


def valid_secret(secret: bytes, curve: GostCurve = PARAM_SET_B) -> bool:
    """Whether ``secret`` is a private key d of ``curve``: 32 bytes, 1 ≤ d < q big-endian."""
    return len(secret) == SCALAR_BYTES and 0 < int.from_bytes(secret, "big") < curve.q


def public_point(curve: GostCurve, secret: bytes) -> bytes:
    """x ‖ y of Q = d·P for the private key ``secret`` (big-endian d)."""
    _check_secret(curve, secret)
    return bytes(_engine(curve).public_key_generate(bytearray(secret)))


def sign_digest(
    curve: GostCurve, secret: bytes, digest: bytes, nonce: bytes | None = None
) -> bytes:
    """r ‖ s over a Streebog-256 ``digest``, with a fresh random k.

    ``nonce`` fixes k (32 bytes big-endian) for known-answer tests only: a k used twice, or
    guessable, gives the private key away.
    """
    _check_secret(curve, secret)
    if len(digest) != SCALAR_BYTES:
        raise KeyFormatError("a Streebog-256 digest has 32 bytes")
    alpha = bytearray(digest[::-1])
    engine = _engine(curve)
    if nonce is None:
        return bytes(engine.sign(bytearray(secret), alpha))
    return bytes(engine.sign(bytearray(secret), alpha, bytearray(nonce)))


def verify_digest(curve: GostCurve, public: bytes, digest: bytes, signature: bytes) -> bool:
    """Whether r ‖ s ``signature`` is valid for ``digest`` under the public key x ‖ y."""
    if len(signature) != 2 * SCALAR_BYTES or len(digest) != SCALAR_BYTES:
        return False
    if len(public) != 2 * SCALAR_BYTES:
        return False
    engine = _engine(curve)
    from gostcrypto.gostsignature import GOSTSignatureError  # type: ignore[import-untyped]  # noqa: PLC0415

    try:
        return bool(engine.verify(bytearray(public), bytearray(digest[::-1]), bytearray(signature)))
    except GOSTSignatureError:
        return False


def _check_secret(curve: GostCurve, secret: bytes) -> None:
    if len(secret) != SCALAR_BYTES:
        raise KeyFormatError("a GOST R 34.10-2012 256-bit private key has 32 bytes")
    if not valid_secret(secret, curve):
        raise KeyFormatError(f"a private key must lie in 1 … q−1 of {curve.name}")


@dataclass(frozen=True)
class GostPublicKey:
    """A GOST R 34.10-2012 256-bit public key on paramSetB: x ‖ y, 64 bytes."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 2 * SCALAR_BYTES:
            raise KeyFormatError("a GOST R 34.10-2012 256-bit public key has 64 bytes (x ‖ y)")
        x = int.from_bytes(self.raw[:SCALAR_BYTES], "big")
        y = int.from_bytes(self.raw[SCALAR_BYTES:], "big")
        if not PARAM_SET_B.contains(x, y):
            raise KeyFormatError(f"the public key is not a point of {PARAM_SET}")

    @property
    def key_type(self) -> str:
        return GOST3410_2012_256

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (r ‖ s) is valid for the Streebog-256 digest of ``message``."""
        return verify_digest(PARAM_SET_B, self.raw, streebog256(message), signature)


class GostPrivateKey:
    """A GOST R 34.10-2012 256-bit private key on paramSetB, made from a 32-byte secret.

    The secret is d itself, big-endian; it is called ``seed`` like an Ed25519 key's so that
    the keystore stores either the same way.
    """

    def __init__(self, seed: bytes) -> None:
        _check_secret(PARAM_SET_B, seed)
        self.seed = seed

    @functools.cached_property
    def public_key(self) -> GostPublicKey:
        return GostPublicKey(public_point(PARAM_SET_B, self.seed))

    def sign(self, message: bytes) -> bytes:
        """The 64-byte signature r ‖ s of ``message``, with a fresh random k."""
        return sign_digest(PARAM_SET_B, self.seed, streebog256(message))
