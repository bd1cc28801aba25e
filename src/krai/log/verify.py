"""RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification.

Rules at the edges (docs/spec/proofs.md): every hash must have 32 bytes; an index must lie
inside the tree; ``first == second`` needs an empty proof and equal roots; ``first == 0`` is
consistent with any tree only with an empty proof and the empty root as ``first_root``
(as C2SP tlog-witness accepts an old size of 0).
"""

from collections.abc import Sequence

from krai.log.hashing import EMPTY_ROOT, HASH_SIZE, node_hash


class ProofError(ValueError):
    """A proof does not prove what it claims."""


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless ``proof`` shows ``leaf`` at ``index`` in the tree ``root``."""
    _check_sizes(leaf, root, *proof)
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of {size} entries")
    computed = _root_from_inclusion(index, size, leaf, proof)
    if computed != root:
        raise ProofError("the inclusion proof leads to a different root")


def _root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    position, last, result = index, size - 1, leaf
    for sibling in proof:
        if last == 0:
            raise ProofError("the inclusion proof is too long")
        if position & 1 or position == last:
            result = node_hash(sibling, result)
            while not position & 1 and position != 0:
                position, last = position >> 1, last >> 1
        else:
            result = node_hash(result, sibling)
        position, last = position >> 1, last >> 1
    if last != 0:
        raise ProofError("the inclusion proof is too short")
    return result


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless ``proof`` shows tree ``first`` is a prefix of tree ``second``."""
    _check_sizes(first_root, second_root, *proof)
    if not 0 <= first <= second:
        raise ProofError(f"need 0 <= first ({first}) <= second ({second})")
    if first in {0, second}:
        _check_trivial(first, first_root, second_root, proof)
        return
    if not proof:
        raise ProofError("a consistency proof between different sizes cannot be empty")
    computed_first, computed_second = _roots_from_consistency(first, second, first_root, proof)
    if computed_first != first_root or computed_second != second_root:
        raise ProofError("the consistency proof leads to different roots")


def _check_trivial(
    first: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    if proof:
        raise ProofError("a proof for equal sizes or from size 0 must be empty")
    if first == 0 and first_root != EMPTY_ROOT:
        raise ProofError("the root of the empty tree is SHA-256 of nothing")
    if first != 0 and first_root != second_root:
        raise ProofError("trees of equal size with different roots")


def _roots_from_consistency(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    position, last = first - 1, second - 1
    while position & 1:
        position, last = position >> 1, last >> 1
    old = new = path[0]
    for node in path[1:]:
        if last == 0:
            raise ProofError("the consistency proof is too long")
        if position & 1 or position == last:
            old, new = node_hash(node, old), node_hash(node, new)
            while not position & 1 and position != 0:
                position, last = position >> 1, last >> 1
        else:
            new = node_hash(new, node)
        position, last = position >> 1, last >> 1
    if last != 0:
        raise ProofError("the consistency proof is too short")
    return old, new


def _check_sizes(*hashes: bytes) -> None:
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise ProofError(f"a hash has {len(value)} bytes, not {HASH_SIZE}")
