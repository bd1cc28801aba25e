"""Property tests of krai.log.tree and krai.log.verify against a naive RFC 9162 model.

The model below is the RFC's recursive definitions written out over a list of leaf hashes
(memoised per range, so checking every index of a 300-leaf tree stays cheap). Leaves are
distinct, so no two subtrees share a hash and a misplaced proof cannot verify by accident.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.log.hashing import EMPTY_ROOT, largest_power_of_two_below, leaf_hash, node_hash
from krai.log.tree import (
    CompactRange,
    MemoryNodeStore,
    consistency_proof,
    inclusion_proof,
    root_hash,
)
from krai.log.verify import ProofError, verify_consistency, verify_inclusion


class Model:
    """MTH, PATH and PROOF of RFC 9162 §2.1, computed recursively from the definitions."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.leaves = leaves
        self._memo: dict[tuple[int, int], bytes] = {}

    def mth(self, start: int, end: int) -> bytes:
        if (start, end) not in self._memo:
            self._memo[start, end] = self._mth(start, end)
        return self._memo[start, end]

    def _mth(self, start: int, end: int) -> bytes:
        if end == start:
            return EMPTY_ROOT
        if end - start == 1:
            return self.leaves[start]
        k = largest_power_of_two_below(end - start)
        return node_hash(self.mth(start, start + k), self.mth(start + k, end))

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        if end - start == 1:
            return []
        k = largest_power_of_two_below(end - start)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        return self.subproof(m, 0, n, True) if 0 < m < n else []

    def subproof(self, m: int, start: int, end: int, known: bool) -> list[bytes]:
        if m == end - start:
            return [] if known else [self.mth(start, end)]
        k = largest_power_of_two_below(end - start)
        if m <= k:
            return [*self.subproof(m, start, start + k, known), self.mth(start + k, end)]
        return [*self.subproof(m - k, start + k, end, False), self.mth(start, start + k)]


def build(size: int, salt: bytes = b"") -> tuple[MemoryNodeStore, Model, CompactRange]:
    store, tree = MemoryNodeStore(), CompactRange()
    leaves = [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(size)]
    for leaf in leaves:
        store.put_nodes(tree.append(leaf))
    return store, Model(leaves), tree


sizes = st.integers(min_value=1, max_value=300)
salts = st.binary(max_size=4)


def flip(proof: list[bytes], position: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


def inclusion_fails(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    try:
        verify_inclusion(index, size, leaf, proof, root)
    except ProofError:
        return True
    return False


def consistency_fails(first: int, second: int, old: bytes, new: bytes, proof: list[bytes]) -> bool:
    try:
        verify_consistency(first, second, old, new, proof)
    except ProofError:
        return True
    return False


@settings(max_examples=50, deadline=None)
@given(sizes, salts)
def test_compact_range_roots_equal_the_naive_mth(size: int, salt: bytes) -> None:
    store, model, _ = build(size, salt)
    tree = CompactRange()
    for count, leaf in enumerate(model.leaves, start=1):
        tree.append(leaf)
        assert tree.root() == model.mth(0, count) == root_hash(store, count)
    assert root_hash(store, 0) == CompactRange().root() == EMPTY_ROOT


@settings(max_examples=50, deadline=None)
@given(sizes, salts, st.data())
def test_every_inclusion_proof_equals_the_rfc_and_verifies(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    store, model, _ = build(size, salt)
    older = data.draw(st.integers(1, size), label="older size")
    for tree_size in {older, size}:
        root = root_hash(store, tree_size)
        for index in range(tree_size):
            proof = inclusion_proof(store, index, tree_size)
            assert proof == model.path(index, 0, tree_size)
            verify_inclusion(index, tree_size, model.leaves[index], proof, root)


@settings(max_examples=50, deadline=None)
@given(sizes, salts, st.data())
def test_every_consistency_proof_equals_the_rfc_and_verifies(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    store, model, _ = build(size, salt)
    second = data.draw(st.integers(0, size), label="second size")
    second_root = root_hash(store, second)
    for first in range(second + 1):
        proof = consistency_proof(store, first, second)
        assert proof == model.proof(first, second)
        verify_consistency(first, second, root_hash(store, first), second_root, proof)


def shape(index: int, size: int) -> tuple[int, int]:
    """How a verifier folds a path: hashes below the fork with index's bits, then above."""
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


def consistency_fold(first: int, second: int) -> tuple[bool, int, int, int]:
    """How a verifier folds a consistency proof: seed, inner length, border length, bits."""
    shift = (first & -first).bit_length() - 1
    inner, border = shape(first - 1, second)
    mask = ((first - 1) >> shift) & ((1 << (inner - shift)) - 1)
    return first == 1 << shift, inner - shift, border, mask


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 300), salts, st.data())
def test_mutated_inclusion_proofs_fail(size: int, salt: bytes, data: st.DataObject) -> None:
    store, model, _ = build(size, salt)
    index = data.draw(st.integers(0, size - 1), label="index")
    leaf, root = model.leaves[index], root_hash(store, size)
    proof = inclusion_proof(store, index, size)
    for position in range(len(proof)):
        bit = data.draw(st.integers(0, 255), label="bit")
        assert inclusion_fails(index, size, leaf, flip(proof, position, bit), root)
    for other in range(size):
        if other != index:
            assert inclusion_fails(other, size, leaf, proof, root)
    assert inclusion_fails(index, size, leaf, proof[:-1], root)
    assert inclusion_fails(index, size, leaf, [*proof, root], root)
    assert inclusion_fails(index, size, leaf, [root, *proof], root)
    assert inclusion_fails(index, size, leaf_hash(b"x" + salt), proof, root)
    assert inclusion_fails(index, size, leaf, proof, EMPTY_ROOT)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 300), salts, st.data())
def test_inclusion_proofs_at_a_wrong_size_fail_unless_folded_alike(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    """An inclusion proof binds the size only through the shape of its fold: a size that
    folds the same path the same way yields the same root (as in every RFC 9162 verifier);
    any other size fails."""
    store, model, _ = build(size, salt)
    index = data.draw(st.integers(0, size - 1), label="index")
    leaf, root = model.leaves[index], root_hash(store, size)
    proof = inclusion_proof(store, index, size)
    for wrong in {index, size - 1, size + 1, size * 2, size // 2, 2 * size + 7}:
        if wrong <= index or wrong == size:
            assert inclusion_fails(index, wrong, leaf, proof, root)
            continue
        alike = shape(index, wrong) == shape(index, size)
        assert inclusion_fails(index, wrong, leaf, proof, root) != alike
    assert inclusion_fails(index, size * 2, leaf, proof, root)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 300), salts, st.data())
def test_mutated_consistency_proofs_fail(size: int, salt: bytes, data: st.DataObject) -> None:
    """As for inclusion, a second size that folds the proof alike passes (8 -> 9 and 8 -> 10
    both fold [leaf 8] onto the old root); every other mutation fails."""
    store, _, _ = build(size, salt)
    first = data.draw(st.integers(1, size - 1), label="first")
    old, new = root_hash(store, first), root_hash(store, size)
    proof = consistency_proof(store, first, size)
    for position in range(len(proof)):
        bit = data.draw(st.integers(0, 255), label="bit")
        assert consistency_fails(first, size, old, new, flip(proof, position, bit))
    for other in range(1, size + 3):
        if other != first:
            assert consistency_fails(other, size, old, new, proof)
    for other in range(first, 2 * size + 3):
        if other == first:
            assert consistency_fails(first, other, old, new, proof)
        elif other != size:
            alike = consistency_fold(first, other) == consistency_fold(first, size)
            assert consistency_fails(first, other, old, new, proof) != alike
    assert consistency_fails(first, size, new, old, proof)
    assert consistency_fails(first, size, old, new, proof[:-1])
    assert consistency_fails(first, size, old, new, [*proof, new])
    assert consistency_fails(first, size, old, new, [old, *proof])
    assert consistency_fails(first, size, old, new, [])


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 300), st.integers(0, 40), salts, st.data())
def test_compact_range_from_reader_resumes_identically(
    size: int, more: int, salt: bytes, data: st.DataObject
) -> None:
    store, model, full = build(size + more, salt)
    resume_at = data.draw(st.integers(0, size), label="resume at")
    resumed = CompactRange.from_reader(store, resume_at)
    replayed = CompactRange()
    for leaf in model.leaves[:resume_at]:
        replayed.append(leaf)
    assert (resumed.size, resumed.frontier, resumed.root()) == (
        replayed.size,
        replayed.frontier,
        replayed.root(),
    )
    for leaf in model.leaves[resume_at:]:
        assert resumed.append(leaf) == replayed.append(leaf)
    assert (resumed.size, resumed.frontier, resumed.root()) == (
        full.size,
        full.frontier,
        full.root(),
    )


@pytest.mark.parametrize(("index", "size"), [(0, 1), (5, 13), (12, 13), (6, 7), (31, 32)])
def test_every_single_bit_flip_of_an_inclusion_proof_fails(index: int, size: int) -> None:
    store, model, _ = build(size)
    proof, root = inclusion_proof(store, index, size), root_hash(store, size)
    leaf = model.leaves[index]
    for position in range(len(proof)):
        for bit in range(256):
            assert inclusion_fails(index, size, leaf, flip(proof, position, bit), root)
    flipped = [flip([leaf], 0, bit)[0] for bit in range(256)]
    assert all(inclusion_fails(index, size, f, proof, root) for f in flipped)


@pytest.mark.parametrize(("first", "second"), [(1, 2), (3, 7), (4, 13), (6, 8), (13, 32)])
def test_every_single_bit_flip_of_a_consistency_proof_fails(first: int, second: int) -> None:
    store, _, _ = build(second)
    proof = consistency_proof(store, first, second)
    old, new = root_hash(store, first), root_hash(store, second)
    for position in range(len(proof)):
        for bit in range(256):
            changed = flip(proof, position, bit)
            assert consistency_fails(first, second, old, new, changed)
    for bit in range(256):
        assert consistency_fails(first, second, flip([old], 0, bit)[0], new, proof)
        assert consistency_fails(first, second, old, flip([new], 0, bit)[0], proof)
