"""krai.log.tree: node addressing, batch reads of O(log n) nodes, CompactRange, the store."""

from collections.abc import Mapping, Sequence

import pytest

from krai.log.hashing import EMPTY_ROOT, leaf_hash, node_hash
from krai.log.tree import (
    CompactRange,
    MemoryNodeStore,
    MissingNodeError,
    NodeKey,
    consistency_proof,
    inclusion_proof,
    root_hash,
    subtree_hash,
    subtree_keys,
)


class CountingReader:
    """A NodeReader that records every call and how many keys each asked for."""

    def __init__(self, inner: MemoryNodeStore) -> None:
        self.inner = inner
        self.calls: list[int] = []

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.calls.append(len(keys))
        return self.inner.read_nodes(keys)


def build(size: int) -> tuple[MemoryNodeStore, CompactRange]:
    store, tree = MemoryNodeStore(), CompactRange()
    for i in range(size):
        store.put_nodes(tree.append(leaf_hash(i.to_bytes(4, "big"))))
    return store, tree


@pytest.fixture(scope="module")
def big() -> tuple[MemoryNodeStore, int]:
    """A tree of 2^20 + 12345 leaves; cheap distinct leaf hashes keep the build quick."""
    size = (1 << 20) + 12345
    store, tree = MemoryNodeStore(), CompactRange()
    for i in range(size):
        store.put_nodes(tree.append(i.to_bytes(32, "big")))
    assert root_hash(store, size) == tree.root()
    return store, size


@pytest.mark.parametrize("index", [0, 1, 777_777, (1 << 20) - 1, 1 << 20, (1 << 20) + 12344])
def test_inclusion_proof_reads_log_n_nodes_in_one_call(
    big: tuple[MemoryNodeStore, int], index: int
) -> None:
    store, size = big
    reader = CountingReader(store)
    proof = inclusion_proof(reader, index, size)
    assert len(reader.calls) == 1
    assert reader.calls[0] <= 2 * size.bit_length() + 2
    assert len(proof) <= size.bit_length()


@pytest.mark.parametrize("first", [1, 2, 3, 524_289, 1 << 20, (1 << 20) + 1, (1 << 20) + 12344])
def test_consistency_proof_reads_log_n_nodes_in_one_call(
    big: tuple[MemoryNodeStore, int], first: int
) -> None:
    store, size = big
    reader = CountingReader(store)
    proof = consistency_proof(reader, first, size)
    assert len(reader.calls) == 1
    assert reader.calls[0] <= 2 * size.bit_length() + 2
    assert len(proof) <= size.bit_length() + 1


def test_root_and_resume_read_the_frontier_once(big: tuple[MemoryNodeStore, int]) -> None:
    store, size = big
    reader = CountingReader(store)
    root = root_hash(reader, size)
    resumed = CompactRange.from_reader(reader, size)
    assert reader.calls == [size.bit_count(), size.bit_count()]
    assert resumed.root() == root


def test_trivial_requests_read_nothing() -> None:
    store, _ = build(5)
    reader = CountingReader(store)
    assert root_hash(reader, 0) == EMPTY_ROOT
    assert inclusion_proof(reader, 0, 1) == []
    assert consistency_proof(reader, 0, 5) == []
    assert consistency_proof(reader, 5, 5) == []
    assert CompactRange.from_reader(reader, 0).root() == EMPTY_ROOT
    assert reader.calls == []


@pytest.mark.parametrize(
    ("start", "end", "keys"),
    [
        (0, 0, []),
        (0, 1, [(0, 0)]),
        (0, 7, [(2, 0), (1, 2), (0, 6)]),
        (0, 13, [(3, 0), (2, 2), (0, 12)]),
        (8, 13, [(2, 2), (0, 12)]),
        (8, 16, [(3, 1)]),
        (12, 15, [(1, 6), (0, 14)]),
        (5, 5, []),
        (5, 6, [(0, 5)]),
    ],
)
def test_subtree_keys(start: int, end: int, keys: list[NodeKey]) -> None:
    assert subtree_keys(start, end) == keys


@pytest.mark.parametrize(("start", "end"), [(3, 2), (-1, 3), (4, 9), (2, 5), (6, 9), (12, 17)])
def test_subtree_keys_refuses_ranges_the_recursion_never_meets(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="range"):
        subtree_keys(start, end)


def test_subtree_hash_folds_from_the_right() -> None:
    store, _ = build(16)
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(16)]
    expected = node_hash(node_hash(leaves[8], leaves[9]), node_hash(leaves[10], leaves[11]))
    assert subtree_hash(store, 8, 12) == expected
    assert subtree_hash(store, 8, 13) == node_hash(expected, leaves[12])
    assert subtree_hash(store, 4, 4) == EMPTY_ROOT


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: inclusion_proof(s, 5, 5), "outside"),
        (lambda s: inclusion_proof(s, -1, 5), "outside"),
        (lambda s: consistency_proof(s, 6, 5), "first"),
        (lambda s: consistency_proof(s, -1, 5), "first"),
        (lambda s: root_hash(s, -1), "range"),
    ],
)
def test_invalid_proof_requests_raise_value_error(call: object, message: str) -> None:
    store, _ = build(5)
    assert callable(call)
    with pytest.raises(ValueError, match=message):
        call(store)


def test_requests_beyond_the_stored_tree_raise_missing_node() -> None:
    store, _ = build(5)
    for request in (
        lambda: root_hash(store, 6),
        lambda: inclusion_proof(store, 0, 9),
        lambda: consistency_proof(store, 3, 6),
        lambda: CompactRange.from_reader(store, 8),
    ):
        with pytest.raises(MissingNodeError, match="lacks"):
            request()


def test_append_returns_the_leaf_then_completed_parents() -> None:
    tree = CompactRange()
    leaves = [leaf_hash(bytes([i])) for i in range(4)]
    assert tree.append(leaves[0]) == [((0, 0), leaves[0])]
    pair = node_hash(leaves[0], leaves[1])
    assert tree.append(leaves[1]) == [((0, 1), leaves[1]), ((1, 0), pair)]
    assert tree.append(leaves[2]) == [((0, 2), leaves[2])]
    right = node_hash(leaves[2], leaves[3])
    assert tree.append(leaves[3]) == [
        ((0, 3), leaves[3]),
        ((1, 1), right),
        ((2, 0), node_hash(pair, right)),
    ]
    assert tree.size == 4
    assert tree.frontier == (node_hash(pair, right),)


def test_add_keeps_the_frontier_and_root_append_keeps() -> None:
    appended, added = CompactRange(), CompactRange()
    for i in range(70):
        leaf = leaf_hash(i.to_bytes(4, "big"))
        appended.append(leaf)
        added.add(leaf)
        assert (added.size, added.frontier, added.root()) == (
            appended.size,
            appended.frontier,
            appended.root(),
        )
    with pytest.raises(ValueError, match="32 bytes"):
        added.add(b"short")
    assert added.size == 70


def test_every_stored_node_is_a_perfect_subtree() -> None:
    store, _ = build(23)
    assert len(store) == 23 + 11 + 5 + 2 + 1
    for level, count in [(0, 23), (1, 11), (2, 5), (3, 2), (4, 1)]:
        for index in range(count):
            start = index << level
            assert store.read_nodes([(level, index)])[level, index] == subtree_hash(
                store, start, start + (1 << level)
            )


def test_copy_is_independent() -> None:
    _, tree = build(5)
    copy = tree.copy()
    copy.append(leaf_hash(b"more"))
    assert (tree.size, copy.size) == (5, 6)
    assert tree.root() != copy.root()


@pytest.mark.parametrize(
    ("size", "frontier"),
    [(-1, []), (3, [bytes(32)]), (2, [bytes(32), bytes(32)]), (1, [bytes(31)])],
)
def test_compact_range_refuses_an_impossible_frontier(size: int, frontier: list[bytes]) -> None:
    with pytest.raises(ValueError, match="frontier"):
        CompactRange(size, frontier)


def test_compact_range_refuses_a_leaf_hash_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        CompactRange().append(b"short")


def test_store_refuses_to_change_a_node() -> None:
    store = MemoryNodeStore()
    store.put_nodes([((0, 0), bytes(32))])
    store.put_nodes([((0, 0), bytes(32))])
    with pytest.raises(ValueError, match="another hash"):
        store.put_nodes([((0, 0), bytes([1]) * 32)])
    assert store.read_nodes([(0, 0), (0, 1)]) == {(0, 0): bytes(32)}
