"""RFC 9162 §2.1.1 Merkle tree hashing with SHA-256 and its domain-separation prefixes.

MTH({}) = SHA-256(""); a leaf hashes as SHA-256(0x00 ‖ d); an inner node as
SHA-256(0x01 ‖ left ‖ right). The prefixes keep a leaf from passing as a node.
"""

from krai.crypto.hashing import DIGEST_SIZE, sha256

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = DIGEST_SIZE
EMPTY_ROOT = sha256(b"")
"""MTH of the empty tree: SHA-256 of no bytes (e3b0c442…b855)."""


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ d)."""
    return sha256(LEAF_PREFIX + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): the hash of an inner node."""
    return sha256(NODE_PREFIX + left + right)


def largest_power_of_two_below(n: int) -> int:
    """RFC 9162's split point k: the largest power of two strictly less than ``n`` (n > 1)."""
    if n < 2:
        raise ValueError(f"a split needs at least two leaves, not {n}")
    return 1 << ((n - 1).bit_length() - 1)
