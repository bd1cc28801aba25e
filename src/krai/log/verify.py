"""RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification, with transparency-dev/merkle's edges.

Both verifiers raise ``ProofError`` (a ``ValueError``) with the reason, and return None on
success. They use the decomposition form of the RFC algorithms: a proof splits where the
paths to leaf ``index`` (or ``first - 1``) and to leaf ``size - 1`` part; its length is
checked exactly before anything is hashed.

Rules at the edges:

* Sizes and indices are non-negative; an index must lie inside its tree; first <= second.
* Hashes that enter a computation (leaf hash, proof hashes, the roots a proof is checked
  against) must have 32 bytes.
* ``first == second`` (both > 0): the proof must be empty and the two roots byte-equal,
  as in transparency-dev/merkle, which compares them without checking their length.
* ``first == 0`` (krai's rule, diverging from transparency-dev/merkle, which refuses any
  consistency check from size 0 as "meaningless"): the empty tree is a prefix of every
  tree, as C2SP tlog-witness accepts an old size of 0. The proof must be empty,
  ``first_root`` must be the empty root SHA-256(""), ``second_root`` must be a 32-byte
  hash, and the empty root too if ``second == 0``. The generator agrees:
  ``consistency_proof(reader, 0, n)`` is ``[]``.
"""

from collections.abc import Sequence

from krai.log.hashing import EMPTY_ROOT, HASH_SIZE, node_hash


class ProofError(ValueError):
    """A proof does not prove what it claims, or its inputs are malformed."""


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ``ProofError`` unless ``proof`` shows ``leaf_hash`` at ``index`` in ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of {size} entries")
    _check_hash("leaf hash", leaf_hash)
    _check_hash("root", root)
    _check_proof_hashes(proof)
    inner, border = _decompose(index, size)
    _check_length(proof, inner + border)
    computed = _chain_border(_chain_inner(leaf_hash, proof[:inner], index), proof[inner:])
    if computed != root:
        raise ProofError("the inclusion proof leads to a different root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ``ProofError`` unless ``proof`` shows tree ``first`` is a prefix of ``second``."""
    if not 0 <= first <= second:
        raise ProofError(f"a consistency proof needs 0 <= first ({first}) <= second ({second})")
    if first == 0:
        _check_from_empty(second, first_root, second_root, proof)
    elif first == second:
        _check_equal(first_root, second_root, proof)
    else:
        _check_proper(first, second, first_root, second_root, proof)


def _check_from_empty(
    second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    if proof:
        raise ProofError("a consistency proof from the empty tree must be empty")
    if first_root != EMPTY_ROOT:
        raise ProofError("the root of the empty tree must be SHA-256 of nothing")
    _check_hash("second root", second_root)
    if second == 0 and second_root != EMPTY_ROOT:
        raise ProofError("two empty trees with different roots")


def _check_equal(first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> None:
    if proof:
        raise ProofError("a consistency proof between equal sizes must be empty")
    if first_root != second_root:
        raise ProofError("two trees of the same size with different roots")


def _check_proper(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    _check_hash("first root", first_root)
    _check_hash("second root", second_root)
    _check_proof_hashes(proof)
    if not proof:
        raise ProofError("a consistency proof between different sizes cannot be empty")
    computed_first, computed_second = _roots_from_consistency(first, second, first_root, proof)
    if computed_first != first_root:
        raise ProofError("the consistency proof does not lead to the first root")
    if computed_second != second_root:
        raise ProofError("the consistency proof does not lead to the second root")


def _roots_from_consistency(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """The (first, second) roots a proof for 0 < first < second leads to.

    The proof is the inclusion path of node ``first - 1`` from level ``shift`` (the height
    of the rightmost perfect subtree of tree ``first``), seeded by that subtree's hash:
    ``first_root`` itself when tree ``first`` is perfect, else the proof's first hash.
    """
    inner, border = _decompose(first - 1, second)
    shift = (first & -first).bit_length() - 1
    inner -= shift
    perfect = first == 1 << shift
    seed, path = (first_root, proof) if perfect else (proof[0], proof[1:])
    _check_length(proof, inner + border + (0 if perfect else 1))
    mask = (first - 1) >> shift
    old = _chain_border(_chain_inner_left_only(seed, path[:inner], mask), path[inner:])
    new = _chain_border(_chain_inner(seed, path[:inner], mask), path[inner:])
    return old, new


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Lengths of the inner part (below the paths' fork) and the border part of a path."""
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


def _chain_inner(seed: bytes, path: Sequence[bytes], index: int) -> bytes:
    for level, sibling in enumerate(path):
        seed = node_hash(sibling, seed) if index >> level & 1 else node_hash(seed, sibling)
    return seed


def _chain_inner_left_only(seed: bytes, path: Sequence[bytes], index: int) -> bytes:
    """Like ``_chain_inner`` with left siblings only: the same subtree in the older tree."""
    for level, sibling in enumerate(path):
        if index >> level & 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border(seed: bytes, path: Sequence[bytes]) -> bytes:
    for sibling in path:
        seed = node_hash(sibling, seed)
    return seed


def _check_length(proof: Sequence[bytes], expected: int) -> None:
    if len(proof) != expected:
        raise ProofError(f"the proof has {len(proof)} hashes where {expected} are needed")


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for position, value in enumerate(proof):
        _check_hash(f"proof hash {position}", value)


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"the {what} has {len(value)} bytes, not {HASH_SIZE}")
