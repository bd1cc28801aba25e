"""SHA-256 helpers, the only hash of the ledger's formats."""

import hashlib

DIGEST_SIZE = 32


def sha256(data: bytes) -> bytes:
    """Return the SHA-256 digest of ``data``."""
    return hashlib.sha256(data).digest()


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 digest of ``data`` as lower-case hex."""
    return hashlib.sha256(data).hexdigest()
