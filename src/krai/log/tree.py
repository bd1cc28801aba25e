"""RFC 9162 tree maths over stored complete subtrees.

Node ``(level, index)`` is MTH(D[index·2^level : (index+1)·2^level]); only complete subtrees
are stored. Any range met in the RFC 9162 recursion, D[a:b], starts at a multiple of the
largest power of two not above b - a, so it splits into at most log2(n)+1 complete subtrees
of decreasing size, and its hash folds from the right. Proofs first list every node they
need, read them in ONE ``read_nodes`` call, then fold: O(log n) stored hashes per proof.
"""

from collections.abc import Mapping, Sequence
from typing import Protocol

from krai.log.hashing import EMPTY_ROOT, largest_power_of_two_below, node_hash

NodeKey = tuple[int, int]
Range = tuple[int, int]


class NodeReader(Protocol):
    """Storage of complete-subtree hashes, read in batches."""

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The hashes of the requested nodes; missing nodes are left out."""
        ...


class MissingNodeError(LookupError):
    """Storage lacks a node a proof needs: the requested size exceeds what is stored."""


def subtree_keys(start: int, end: int) -> list[NodeKey]:
    """The complete subtrees that make up D[start:end], largest first."""
    keys: list[NodeKey] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def root_hash(reader: NodeReader, size: int) -> bytes:
    """MTH(D[0:size])."""
    if size == 0:
        return EMPTY_ROOT
    return _RangeHashes(reader, [(0, size)]).hash_of((0, size))


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf level first."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of {size} entries")
    ranges = _inclusion_ranges(index, 0, size)
    hashes = _RangeHashes(reader, ranges)
    return [hashes.hash_of(r) for r in ranges]


def consistency_proof(reader: NodeReader, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1; empty when first is 0 or second."""
    if not 0 <= first <= second:
        raise ValueError(f"need 0 <= first ({first}) <= second ({second})")
    if first in (0, second):
        return []
    ranges = _consistency_ranges(first, 0, second, complete=True)
    hashes = _RangeHashes(reader, ranges)
    return [hashes.hash_of(r) for r in ranges]


def _inclusion_ranges(index: int, start: int, end: int) -> list[Range]:
    ranges: list[Range] = []
    while end - start > 1:
        split = start + largest_power_of_two_below(end - start)
        if index < split:
            ranges.append((split, end))
            end = split
        else:
            ranges.append((start, split))
            start = split
    ranges.reverse()
    return ranges


def _consistency_ranges(first: int, start: int, end: int, *, complete: bool) -> list[Range]:
    if first == end - start:
        return [] if complete else [(start, end)]
    split = largest_power_of_two_below(end - start)
    if first <= split:
        return [
            *_consistency_ranges(first, start, start + split, complete=complete),
            (start + split, end),
        ]
    inner = _consistency_ranges(first - split, start + split, end, complete=False)
    return [*inner, (start, start + split)]


class _RangeHashes:
    """Hashes of ranges, computed from one batch read of their complete subtrees."""

    def __init__(self, reader: NodeReader, ranges: Sequence[Range]) -> None:
        self._pieces = {r: subtree_keys(*r) for r in ranges}
        wanted = sorted({key for keys in self._pieces.values() for key in keys})
        self._nodes = reader.read_nodes(wanted)
        missing = [key for key in wanted if key not in self._nodes]
        if missing:
            raise MissingNodeError(f"storage lacks tree node(s) {missing[:3]}")

    def hash_of(self, span: Range) -> bytes:
        pieces = [self._nodes[key] for key in self._pieces[span]]
        result = pieces[-1]
        for piece in reversed(pieces[:-1]):
            result = node_hash(piece, result)
        return result


class CompactRange:
    """The right frontier of a growing tree: enough to append and to compute the root."""

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        self.size = size
        self._frontier = list(frontier)
        if len(self._frontier) != size.bit_count():
            raise ValueError(f"a tree of {size} entries has {size.bit_count()} frontier hashes")

    @classmethod
    def from_reader(cls, reader: NodeReader, size: int) -> "CompactRange":
        """Resume the frontier of a stored tree of ``size`` entries."""
        keys = subtree_keys(0, size)
        nodes = reader.read_nodes(keys)
        if any(key not in nodes for key in keys):
            raise MissingNodeError(f"storage lacks the frontier of a tree of {size} entries")
        return cls(size, [nodes[key] for key in keys])

    def copy(self) -> "CompactRange":
        """An independent copy."""
        return CompactRange(self.size, self._frontier)

    def append(self, leaf: bytes) -> list[tuple[NodeKey, bytes]]:
        """Add a leaf hash; return the complete subtrees it creates, the leaf first."""
        created: list[tuple[NodeKey, bytes]] = [((0, self.size), leaf)]
        self._frontier.append(leaf)
        level, position = 0, self.size
        while position & 1:
            right = self._frontier.pop()
            left = self._frontier.pop()
            level, position = level + 1, position >> 1
            merged = node_hash(left, right)
            self._frontier.append(merged)
            created.append(((level, position), merged))
        self.size += 1
        return created

    def root(self) -> bytes:
        """MTH of every leaf appended."""
        if not self._frontier:
            return EMPTY_ROOT
        result = self._frontier[-1]
        for piece in reversed(self._frontier[:-1]):
            result = node_hash(piece, result)
        return result


class MemoryNodeStore:
    """Nodes in a dict: for tests and in-memory ledgers."""

    def __init__(self) -> None:
        self.nodes: dict[NodeKey, bytes] = {}

    def put_nodes(self, nodes: Sequence[tuple[NodeKey, bytes]]) -> None:
        """Store nodes."""
        self.nodes.update(nodes)

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The stored subset of ``keys``."""
        return {key: self.nodes[key] for key in keys if key in self.nodes}
