"""Checking a C2SP tlog-tiles tree from its leaves up, one tile per level in memory.

A tree of ``size`` leaves has, at tile level L, ``size >> 8(L+1)`` full tiles and one partial
tile of width ``(size >> 8L) & 255`` when that is not zero. Each hash of a level L+1 tile is
the root of a full level L tile, taken as a perfect tree of 256 hashes. ``TileChecker`` is
fed the level-0 tiles in order (after their hashes were checked against the entries) and
hands back each upper tile it completes with the bytes it must hold, so that a verifier
fetches and compares it; ``finish`` does the same for the partial upper tiles.
``root_from_tiles`` folds the partial tiles of every level into the tree's root, as a
client reading only tiles computes it. Nothing here does I/O.
"""

from collections.abc import Mapping, Sequence

from krai.log.hashing import EMPTY_ROOT, HASH_SIZE, node_hash
from krai.log.tiles import TILE_HEIGHT, TILE_WIDTH, Tile, tile_path
from krai.log.tree import CompactRange

ENTRY_LENGTH_SIZE = 2


class TileCheckError(ValueError):
    """A tile or entry bundle is malformed, or is not the one the tree needs."""


def split_hashes(data: bytes) -> list[bytes]:
    """The 32-byte hashes a tile holds; refuse a length that is not a multiple of 32."""
    if len(data) % HASH_SIZE:
        raise TileCheckError(f"a tile holds whole {HASH_SIZE}-byte hashes, not {len(data)} bytes")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def parse_entry_bundle(data: bytes, width: int) -> list[bytes]:
    """The ``width`` entries of a bundle, each a big-endian uint16 length and its bytes."""
    entries: list[bytes] = []
    position = 0
    while position < len(data):
        if len(entries) == width:
            raise TileCheckError(f"the bundle holds more than {width} entries")
        end = position + ENTRY_LENGTH_SIZE
        length = int.from_bytes(data[position:end], "big")
        if end + length > len(data) or end > len(data):
            raise TileCheckError(f"entry {len(entries)} of the bundle is cut short")
        entries.append(data[end : end + length])
        position = end + length
    if len(entries) != width:
        raise TileCheckError(f"the bundle holds {len(entries)} entries, not {width}")
    return entries


def hashes_root(hashes: Sequence[bytes]) -> bytes:
    """MTH of a sequence of subtree hashes taken as leaves (RFC 9162 recursion)."""
    tree = CompactRange()
    for value in hashes:
        tree.append(value)
    return tree.root()


def tile_levels(size: int) -> list[tuple[int, int, int]]:
    """(level, full tiles, partial width) for every tile level of a tree of ``size`` leaves."""
    levels = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        count = size >> (TILE_HEIGHT * level)
        levels.append((level, count // TILE_WIDTH, count % TILE_WIDTH))
        level += 1
    return levels


def root_from_tiles(size: int, partial_tiles: Mapping[int, bytes]) -> bytes:
    """MTH(D[0:size]) from the partial tile (bytes) of each level that has one."""
    subtrees: list[bytes] = []
    for level, _, width in reversed(tile_levels(size)):
        if not width:
            continue
        hashes = split_hashes(partial_tiles[level])
        if len(hashes) != width:
            raise TileCheckError(f"the partial tile of level {level} has {width} hashes")
        position = 0
        for bit in range(TILE_HEIGHT - 1, -1, -1):
            if width >> bit & 1:
                subtrees.append(hashes_root(hashes[position : position + (1 << bit)]))
                position += 1 << bit
    if not subtrees:
        return EMPTY_ROOT
    root = subtrees[-1]
    for value in reversed(subtrees[:-1]):
        root = node_hash(value, root)
    return root


class TileChecker:
    """Recomputes the upper tiles of a tree of ``size`` leaves from its level-0 tiles."""

    def __init__(self, size: int) -> None:
        self._levels = {level: (full, width) for level, full, width in tile_levels(size)}
        self._pending: dict[int, list[bytes]] = {}
        self._next_leaf_tile = 0

    def add_leaf_tile(self, index: int, data: bytes) -> list[tuple[Tile, bytes]]:
        """Take level-0 tile ``index``, in order; return every upper tile it completes with
        the bytes it must hold."""
        if index != self._next_leaf_tile:
            raise TileCheckError(
                f"level-0 tile {index} arrives where {self._next_leaf_tile} is due"
            )
        self._next_leaf_tile += 1
        full, _ = self._levels.get(0, (0, 0))
        if index >= full:
            return []
        return self._completed(0, index, data)

    def finish(self) -> list[tuple[Tile, bytes]]:
        """The partial tiles above level 0 with the bytes they must hold."""
        due = []
        for level, (full, width) in sorted(self._levels.items()):
            if level and width:
                hashes = self._pending.pop(level, [])
                if len(hashes) != width:
                    raise TileCheckError(
                        f"level {level - 1} lacks tiles below {tile_path(level, full, width)}"
                    )
                due.append((Tile(level, full, width), b"".join(hashes)))
        return due

    def _completed(self, level: int, index: int, data: bytes) -> list[tuple[Tile, bytes]]:
        """Record full tile (level, index); cascade up through the tiles it completes."""
        due: list[tuple[Tile, bytes]] = []
        while True:
            above = self._pending.setdefault(level + 1, [])
            above.append(hashes_root(split_hashes(data)))
            if len(above) < TILE_WIDTH:
                return due
            level, index = level + 1, index // TILE_WIDTH
            data = b"".join(above)
            self._pending[level] = []
            due.append((Tile(level, index), data))
