"""RFC 9162 §2.1.1 hashing with SHA-256 and its domain-separation prefixes."""

from krai.crypto.hashing import sha256

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = sha256(b"")
HASH_SIZE = 32


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ d)."""
    return sha256(LEAF_PREFIX + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return sha256(NODE_PREFIX + left + right)


def largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n > 1): RFC 9162's split point k."""
    if n < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)
