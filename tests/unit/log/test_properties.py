"""Property tests: proofs of random trees verify; any mutation of them fails."""

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.log.hashing import EMPTY_ROOT, largest_power_of_two_below, leaf_hash, node_hash
from krai.log.tree import (
    CompactRange,
    MemoryNodeStore,
    NodeKey,
    consistency_proof,
    inclusion_proof,
    root_hash,
)
from krai.log.verify import ProofError, verify_consistency, verify_inclusion


def naive_root(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def naive_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = largest_power_of_two_below(len(leaves))
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_root(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_root(leaves[:k])]


def naive_subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    if m == len(leaves):
        return [] if complete else [naive_root(leaves)]
    k = largest_power_of_two_below(len(leaves))
    if m <= k:
        return [*naive_subproof(m, leaves[:k], complete), naive_root(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_root(leaves[:k])]


def build(size: int) -> tuple[MemoryNodeStore, list[bytes]]:
    store, tree, leaves = MemoryNodeStore(), CompactRange(), []
    for i in range(size):
        leaf = leaf_hash(i.to_bytes(4, "big"))
        leaves.append(leaf)
        store.put_nodes(tree.append(leaf))
    assert tree.root() == naive_root(leaves)
    return store, leaves


sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=60)
@given(sizes, st.data())
def test_inclusion_proofs_match_the_rfc_and_verify(size: int, data: st.DataObject) -> None:
    store, leaves = build(size)
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(store, index, size)
    assert proof == naive_path(index, leaves)
    verify_inclusion(index, size, leaves[index], proof, root_hash(store, size))


@settings(max_examples=60)
@given(sizes, st.data())
def test_consistency_proofs_match_the_rfc_and_verify(size: int, data: st.DataObject) -> None:
    store, leaves = build(size)
    first = data.draw(st.integers(1, size))
    proof = consistency_proof(store, first, size)
    assert proof == ([] if first == size else naive_subproof(first, leaves, True))
    verify_consistency(first, size, root_hash(store, first), root_hash(store, size), proof)


@settings(max_examples=60)
@given(st.integers(2, 200), st.data())
def test_mutated_inclusion_proofs_fail(size: int, data: st.DataObject) -> None:
    store, leaves = build(size)
    index = data.draw(st.integers(0, size - 1))
    proof, root = inclusion_proof(store, index, size), root_hash(store, size)
    mutations = [
        lambda: verify_inclusion(index, size, leaves[index], _flip(proof, data), root),
        lambda: verify_inclusion((index + 1) % size, size, leaves[index], proof, root),
        lambda: verify_inclusion(size, size, leaves[index], proof, root),
        lambda: verify_inclusion(index, size, leaves[index], [*proof, proof[0]], root),
        lambda: verify_inclusion(index, size, leaves[index], proof[:-1], root),
        lambda: verify_inclusion(index, size, leaf_hash(b"other"), proof, root),
    ]
    for mutation in mutations:
        with pytest.raises(ProofError):
            mutation()


@settings(max_examples=60)
@given(st.integers(3, 200), st.data())
def test_mutated_consistency_proofs_fail(size: int, data: st.DataObject) -> None:
    store, _ = build(size)
    first = data.draw(st.integers(1, size - 1))
    proof = consistency_proof(store, first, size)
    old, new = root_hash(store, first), root_hash(store, size)
    mutations = [
        lambda: verify_consistency(first, size, old, new, _flip(proof, data)),
        lambda: verify_consistency(first, size, new, old, proof),
        lambda: verify_consistency(first, size, old, new, proof[:-1]),
        lambda: verify_consistency(first, size, old, new, [*proof, proof[0]]),
        lambda: verify_consistency(size + 1, size, old, new, proof),
    ]
    for mutation in mutations:
        with pytest.raises(ProofError):
            mutation()


def _flip(proof: list[bytes], data: st.DataObject) -> list[bytes]:
    position = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    changed = bytearray(proof[position])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


@given(st.integers(0, 300), st.integers(0, 50))
def test_compact_range_resumes_from_storage(size: int, more: int) -> None:
    store, _ = build(size)
    resumed = CompactRange.from_reader(store, size)
    assert resumed.root() == root_hash(store, size)
    for i in range(more):
        store.put_nodes(resumed.append(leaf_hash(b"more" + bytes([i]))))
    assert resumed.root() == root_hash(store, size + more)


def test_consistency_from_size_zero() -> None:
    store, _ = build(5)
    assert consistency_proof(store, 0, 5) == []
    verify_consistency(0, 5, EMPTY_ROOT, root_hash(store, 5), [])
    with pytest.raises(ProofError):
        verify_consistency(0, 5, root_hash(store, 1), root_hash(store, 5), [])


class CountingReader:
    def __init__(self, inner: MemoryNodeStore) -> None:
        self.inner, self.calls, self.keys = inner, 0, 0

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.calls += 1
        self.keys += len(keys)
        return self.inner.read_nodes(keys)


def test_proofs_read_log_n_nodes_in_one_call() -> None:
    size = (1 << 20) + 12345
    store, tree = MemoryNodeStore(), CompactRange()
    for i in range(size):
        store.put_nodes(tree.append(i.to_bytes(32, "big")))
    bound = 2 * size.bit_length() + 2
    for index in (0, 777_777, size - 1):
        reader = CountingReader(store)
        inclusion_proof(reader, index, size)
        assert (reader.calls, reader.keys <= bound) == (1, True)
    for first in (1, 524_289, size - 3):
        reader = CountingReader(store)
        consistency_proof(reader, first, size)
        assert (reader.calls, reader.keys <= bound) == (1, True)
