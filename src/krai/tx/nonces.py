"""Nonces that edges derive from what a transaction is about, always of the allowed form.

A nonce is 1–64 characters of ``[A-Za-z0-9._:-]`` (docs/spec/transaction.md). A command that
makes its nonce from an identifier (``statement:<id>:<part>``) keeps it readable when it fits
and falls back to a digest when it does not, so no identifier a user may choose yields a
nonce the ledger refuses — and the same identifier always yields the same nonce, so a
command run twice is refused as a replay.
"""

from krai.crypto.hashing import sha256_hex
from krai.tx.envelope import NONCE_PATTERN

DIGEST_HEX_CHARS = 40
"""Hex digits of SHA-256 kept in a digest nonce: 160 bits."""


def derived_nonce(purpose: str, *keys: str | int) -> str:
    """``purpose:key1:key2…`` if that is a valid nonce, else ``purpose:<SHA-256 of it>``.

    ``purpose`` is a short constant of the caller (``statement``), at most 23 characters of
    the nonce alphabet.
    """
    if not NONCE_PATTERN.fullmatch(purpose) or len(purpose) > 64 - DIGEST_HEX_CHARS - 1:
        raise ValueError(f"nonce purpose {purpose!r} is not a short nonce-safe word")
    readable = ":".join([purpose, *map(str, keys)])
    if NONCE_PATTERN.fullmatch(readable):
        return readable
    digest = sha256_hex(readable.encode("utf-8"))[:DIGEST_HEX_CHARS]
    return f"{purpose}:{digest}"
