"""krai.log.verify at its edges: sizes, hash lengths, equal sizes and the size-0 rule."""

import pytest

from krai.log.hashing import EMPTY_ROOT, leaf_hash
from krai.log.tree import CompactRange, MemoryNodeStore, consistency_proof, inclusion_proof
from krai.log.tree import root_hash as stored_root
from krai.log.verify import ProofError, verify_consistency, verify_inclusion

STORE = MemoryNodeStore()
TREE = CompactRange()
LEAVES = [leaf_hash(bytes([i])) for i in range(8)]
for _leaf in LEAVES:
    STORE.put_nodes(TREE.append(_leaf))
ROOT = {size: stored_root(STORE, size) for size in range(9)}
OTHER = leaf_hash(b"other")


def test_proof_error_is_a_value_error() -> None:
    assert issubclass(ProofError, ValueError)


@pytest.mark.parametrize(
    ("index", "size", "message"),
    [(8, 8, "outside"), (9, 8, "outside"), (-1, 8, "outside"), (0, 0, "outside")],
)
def test_inclusion_refuses_an_index_outside_the_tree(index: int, size: int, message: str) -> None:
    with pytest.raises(ProofError, match=message):
        verify_inclusion(index, size, LEAVES[0], inclusion_proof(STORE, 0, 8), ROOT[8])


@pytest.mark.parametrize(
    ("leaf", "proof", "root", "what"),
    [
        (LEAVES[5][:31], None, ROOT[8], "leaf hash has 31"),
        (LEAVES[5] + b"\0", None, ROOT[8], "leaf hash has 33"),
        (LEAVES[5], None, ROOT[8][:16], "root has 16"),
        (LEAVES[5], [b""], ROOT[8], "proof hash 0 has 0"),
    ],
)
def test_inclusion_refuses_hashes_that_are_not_32_bytes(
    leaf: bytes, proof: list[bytes] | None, root: bytes, what: str
) -> None:
    path = inclusion_proof(STORE, 5, 8)
    if proof is not None:
        path = [*proof, *path[1:]]
    with pytest.raises(ProofError, match=what):
        verify_inclusion(5, 8, leaf, path, root)


def test_inclusion_checks_the_proof_length_before_hashing() -> None:
    path = inclusion_proof(STORE, 5, 8)
    with pytest.raises(ProofError, match="has 2 hashes where 3 are needed"):
        verify_inclusion(5, 8, LEAVES[5], path[:2], ROOT[8])
    with pytest.raises(ProofError, match="has 4 hashes where 3 are needed"):
        verify_inclusion(5, 8, LEAVES[5], [*path, OTHER], ROOT[8])


def test_inclusion_of_a_single_leaf_needs_no_proof() -> None:
    verify_inclusion(0, 1, LEAVES[0], [], LEAVES[0])
    with pytest.raises(ProofError, match="different root"):
        verify_inclusion(0, 1, LEAVES[0], [], OTHER)


@pytest.mark.parametrize(("first", "second"), [(3, 2), (-1, 2), (1, 0)])
def test_consistency_refuses_sizes_out_of_order(first: int, second: int) -> None:
    with pytest.raises(ProofError, match="first"):
        verify_consistency(first, second, ROOT[1], ROOT[2], [])


def test_equal_sizes_need_an_empty_proof_and_equal_roots() -> None:
    verify_consistency(5, 5, ROOT[5], ROOT[5], [])
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(5, 5, ROOT[5], ROOT[5], [ROOT[5]])
    with pytest.raises(ProofError, match="different roots"):
        verify_consistency(5, 5, ROOT[5], ROOT[6], [])


def test_equal_sizes_compare_roots_without_a_length_check_as_go_does() -> None:
    """transparency-dev/merkle's probe 'sizes are equal (one) and proof is empty' passes two
    equal 12-byte roots: nothing is hashed, only the caller's two values are compared."""
    verify_consistency(1, 1, b"don't care 2", b"don't care 2", [])


def test_consistency_from_size_zero_is_trivial_but_checked() -> None:
    verify_consistency(0, 5, EMPTY_ROOT, ROOT[5], [])
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert consistency_proof(STORE, 0, 5) == []
    with pytest.raises(ProofError, match="from the empty tree must be empty"):
        verify_consistency(0, 5, EMPTY_ROOT, ROOT[5], [ROOT[5]])
    with pytest.raises(ProofError, match="root of the empty tree"):
        verify_consistency(0, 5, ROOT[1], ROOT[5], [])
    with pytest.raises(ProofError, match="second root has 12 bytes"):
        verify_consistency(0, 5, EMPTY_ROOT, b"don't care 2", [])
    with pytest.raises(ProofError, match="two empty trees"):
        verify_consistency(0, 0, EMPTY_ROOT, ROOT[5], [])


def test_consistency_refuses_an_empty_proof_between_different_sizes() -> None:
    with pytest.raises(ProofError, match="cannot be empty"):
        verify_consistency(4, 8, ROOT[4], ROOT[8], [])


@pytest.mark.parametrize(("first", "second"), [(1, 8), (4, 8), (3, 7), (6, 8), (2, 5)])
def test_consistency_names_the_root_that_differs(first: int, second: int) -> None:
    proof = consistency_proof(STORE, first, second)
    verify_consistency(first, second, ROOT[first], ROOT[second], proof)
    with pytest.raises(ProofError, match="second root"):
        verify_consistency(first, second, ROOT[first], OTHER, proof)
    if first & (first - 1):  # not a power of two: the proof itself rebuilds the first root
        with pytest.raises(ProofError, match="first root"):
            verify_consistency(first, second, OTHER, ROOT[second], proof)


@pytest.mark.parametrize(
    ("first_root", "second_root", "proof", "what"),
    [
        (ROOT[3][:31], ROOT[7], None, "first root has 31"),
        (ROOT[3], ROOT[7] + b"\0", None, "second root has 33"),
        (ROOT[3], ROOT[7], [b"\0" * 64], "proof hash 0 has 64"),
    ],
)
def test_consistency_refuses_hashes_that_are_not_32_bytes(
    first_root: bytes, second_root: bytes, proof: list[bytes] | None, what: str
) -> None:
    path = consistency_proof(STORE, 3, 7)
    if proof is not None:
        path = [*proof, *path[1:]]
    with pytest.raises(ProofError, match=what):
        verify_consistency(3, 7, first_root, second_root, path)


def test_consistency_checks_the_proof_length() -> None:
    path = consistency_proof(STORE, 3, 7)
    with pytest.raises(ProofError, match="where 4 are needed"):
        verify_consistency(3, 7, ROOT[3], ROOT[7], path[:3])
