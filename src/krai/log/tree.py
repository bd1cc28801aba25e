"""RFC 9162 tree maths over stored perfect subtrees, independent of any storage.

Node ``(level, index)`` is MTH(D[index·2^level : (index+1)·2^level]); only such perfect,
aligned subtrees are stored, each once, never changed. Every range D[a:b] that the RFC 9162
recursion meets starts at 0 or at a multiple of the smallest power of two not below b - a,
so it is the concatenation of at most log2(n)+1 perfect subtrees of decreasing size
(``subtree_keys``), and its hash folds them from the right.

``root_hash``, ``inclusion_proof`` and ``consistency_proof`` give exactly the outputs of
RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1. Each first lists the ranges the recursion hashes,
then the O(log n) node keys behind them, reads those with ONE ``NodeReader.read_nodes``
call, and folds: the whole tree is never read. ``consistency_proof(reader, 0, n)`` and
``consistency_proof(reader, n, n)`` are empty.

``CompactRange`` is the right frontier of a growing tree: it appends leaf hashes, hands back
the perfect nodes each append completes (for storage to keep) and computes the root.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from krai.log.hashing import EMPTY_ROOT, HASH_SIZE, largest_power_of_two_below, node_hash

NodeKey = tuple[int, int]
"""``(level, index)`` of a perfect subtree: MTH(D[index·2^level : (index+1)·2^level])."""

Span = tuple[int, int]


class NodeReader(Protocol):
    """Storage of perfect-subtree hashes, read in batches."""

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The hashes of the requested nodes; nodes not stored are left out."""
        ...


class MissingNodeError(LookupError):
    """Storage lacks a node: the requested tree is larger than what is stored."""


def subtree_keys(start: int, end: int) -> list[NodeKey]:
    """The perfect subtrees that make up D[start:end], largest (leftmost) first.

    ``start`` must be 0 or a multiple of the smallest power of two >= end - start, as in
    every range of the RFC 9162 recursion; MTH(D[start:end]) then folds these from the right.
    """
    _check_span(start, end)
    keys: list[NodeKey] = []
    width, position = end - start, start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def subtree_hash(reader: NodeReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range as ``subtree_keys`` accepts, from one batch read."""
    return _span_hashes(reader, [(start, end)])[0]


def root_hash(reader: NodeReader, size: int) -> bytes:
    """MTH(D[0:size]); the empty tree's root for size 0."""
    return subtree_hash(reader, 0, size)


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, from the leaf level upwards."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of {size} entries")
    return _span_hashes(reader, _inclusion_spans(index, size))


def consistency_proof(reader: NodeReader, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1; empty if first is 0 or second."""
    if not 0 <= first <= second:
        raise ValueError(f"a consistency proof needs 0 <= first ({first}) <= second ({second})")
    if first in (0, second):
        return []
    return _span_hashes(reader, _consistency_spans(first, second))


def _check_span(start: int, end: int) -> None:
    if not 0 <= start <= end:
        raise ValueError(f"[{start}, {end}) is not a range of leaves")
    width = end - start
    if start and width and start % (1 << (width - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is not a range the RFC 9162 recursion meets")


def _inclusion_spans(index: int, size: int) -> list[Span]:
    """The ranges whose hashes PATH lists, in proof order."""
    spans: list[Span] = []
    start, end = 0, size
    while end - start > 1:
        split = start + largest_power_of_two_below(end - start)
        if index < split:
            spans.append((split, end))
            end = split
        else:
            spans.append((start, split))
            start = split
    spans.reverse()
    return spans


def _consistency_spans(first: int, second: int) -> list[Span]:
    """The ranges whose hashes SUBPROOF(first, D[0:second], true) lists, in proof order."""
    spans: list[Span] = []
    start, end, known = 0, second, True
    while first != end:
        split = start + largest_power_of_two_below(end - start)
        if first <= split:
            spans.append((split, end))
            end = split
        else:
            spans.append((start, split))
            start, known = split, False
    if not known:
        spans.append((start, end))
    spans.reverse()
    return spans


def _span_hashes(reader: NodeReader, spans: Sequence[Span]) -> list[bytes]:
    """The hash of each range, from a single ``read_nodes`` call (none if nothing to read)."""
    plans = [subtree_keys(start, end) for start, end in spans]
    wanted = sorted({key for plan in plans for key in plan})
    nodes = _read(reader, wanted) if wanted else {}
    return [_fold(nodes, plan) for plan in plans]


def _read(reader: NodeReader, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
    nodes = reader.read_nodes(keys)
    missing = [key for key in keys if key not in nodes]
    if missing:
        raise MissingNodeError(f"storage lacks {len(missing)} tree node(s), first {missing[0]}")
    return nodes


def _fold(nodes: Mapping[NodeKey, bytes], keys: Sequence[NodeKey]) -> bytes:
    if not keys:
        return EMPTY_ROOT
    result = nodes[keys[-1]]
    for key in reversed(keys[:-1]):
        result = node_hash(nodes[key], result)
    return result


class CompactRange:
    """The right frontier of a growing tree: enough to append leaves and to give the root."""

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        """A tree of ``size`` leaves from its frontier (``subtree_keys(0, size)``'s hashes)."""
        if size < 0 or len(frontier) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} frontier hashes")
        if any(len(value) != HASH_SIZE for value in frontier):
            raise ValueError(f"frontier hashes have {HASH_SIZE} bytes")
        self._size = size
        self._frontier = list(frontier)

    @classmethod
    def from_reader(cls, reader: NodeReader, size: int) -> "CompactRange":
        """Resume a stored tree of ``size`` leaves (one batch read of its frontier)."""
        keys = subtree_keys(0, size)
        nodes = _read(reader, keys) if keys else {}
        return cls(size, [nodes[key] for key in keys])

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return self._size

    @property
    def frontier(self) -> tuple[bytes, ...]:
        """Hashes of the perfect subtrees ``subtree_keys(0, size)``, largest first."""
        return tuple(self._frontier)

    def copy(self) -> "CompactRange":
        """An independent copy, to append to without changing this range."""
        return CompactRange(self._size, self._frontier)

    def append(self, leaf: bytes) -> list[tuple[NodeKey, bytes]]:
        """Add a leaf hash; return the perfect nodes completed: the leaf, then its parents."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf)}")
        index, node, level = self._size, leaf, 0
        created: list[tuple[NodeKey, bytes]] = [((0, index), leaf)]
        while index >> level & 1:
            node = node_hash(self._frontier.pop(), node)
            level += 1
            created.append(((level, index >> level), node))
        self._frontier.append(node)
        self._size = index + 1
        return created

    def add(self, leaf: bytes) -> None:
        """``append`` without the nodes it completes: what a verifier that keeps no tree
        needs (the same frontier and root)."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf)}")
        frontier, index, node = self._frontier, self._size, leaf
        while index & 1:
            node = node_hash(frontier.pop(), node)
            index >>= 1
        frontier.append(node)
        self._size += 1

    def root(self) -> bytes:
        """MTH of every leaf appended so far."""
        if not self._frontier:
            return EMPTY_ROOT
        result = self._frontier[-1]
        for node in reversed(self._frontier[:-1]):
            result = node_hash(node, result)
        return result


class MemoryNodeStore:
    """Tree nodes in a dict: a ``NodeReader`` for tests and in-memory ledgers."""

    def __init__(self) -> None:
        self._nodes: dict[NodeKey, bytes] = {}

    def __len__(self) -> int:
        return len(self._nodes)

    def put_nodes(self, nodes: Iterable[tuple[NodeKey, bytes]]) -> None:
        """Store nodes; storing a key again with a different hash is refused."""
        for key, value in nodes:
            if self._nodes.setdefault(key, value) != value:
                raise ValueError(f"tree node {key} is already stored with another hash")

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The stored subset of ``keys``."""
        return {key: self._nodes[key] for key in keys if key in self._nodes}
