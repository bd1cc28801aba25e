"""A remote log's tree of one size, read from its tlog-tiles: node hashes, leaves and bundles.

``TileTree`` answers ``NodeReader.read_nodes`` from the tiles of a tree of ``size`` leaves,
so the RFC 9162 tree maths of ``krai.log.tree`` (roots, consistency proofs) runs on a remote
log as on a stored one. A node of tree level ``8·T + r`` is the fold of ``2^r`` hashes of the
level-``T`` tile that holds it. Nothing read here is trusted: a proof built from these hashes
is checked against signed roots (ADR 0036). A few tiles are kept, the newest last.
"""

from collections import OrderedDict
from collections.abc import Mapping, Sequence

from krai.app.remote_verify import TileFetchError, TileSource
from krai.log.tile_check import TileCheckError, hashes_root, parse_entry_bundle, split_hashes
from krai.log.tiles import TILE_HEIGHT, TILE_WIDTH, entry_bundle_path, tile_path
from krai.log.tree import NodeKey

TILES_KEPT = 32
"""Tiles held in memory at a time: the right edge of every level, and the last few read."""


class TileReadError(Exception):
    """A tile or bundle could not be read or parsed (absent, unreachable, malformed)."""


class TileTree:
    """The tree of ``size`` leaves that ``source`` serves, read a tile at a time."""

    def __init__(self, source: TileSource, size: int) -> None:
        self.source = source
        self.size = size
        self._kept: OrderedDict[tuple[int, int], list[bytes]] = OrderedDict()

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The hashes of ``keys``, perfect subtrees of this tree, folded from its tiles."""
        return {key: self._node(*key) for key in keys}

    def hashes(self, level: int, index: int) -> list[bytes]:
        """The hashes of tile ``(level, index)`` at this tree's width for it."""
        kept = self._kept.get((level, index))
        if kept is not None:
            self._kept.move_to_end((level, index))
            return kept
        hashes = self.read_hashes(level, index)
        self._kept[(level, index)] = hashes
        if len(self._kept) > TILES_KEPT:
            self._kept.popitem(last=False)
        return hashes

    def leaves_and_entries(self, index: int) -> tuple[list[bytes], list[bytes]]:
        """Entry bundle ``index``'s leaf hashes (its level-0 tile, if kept, else read) and
        entries; safe on another thread while this one reads others."""
        leaves = self._kept.get((0, index))
        return leaves or self.read_hashes(0, index), self.bundle(index)

    def read_hashes(self, level: int, index: int) -> list[bytes]:
        """Tile ``(level, index)`` read and parsed, not kept."""
        width = self.width(level, index)
        path = tile_path(level, index, width)
        try:
            hashes = split_hashes(self.read(path, width * 32))
        except TileCheckError as error:
            raise TileReadError(f"{path}: {error}") from None
        if len(hashes) != width:
            raise TileReadError(f"{path} holds {len(hashes)} hashes, not {width}")
        return hashes

    def bundle(self, index: int) -> list[bytes]:
        """The entries of entry bundle ``index`` at this tree's width for it."""
        width = self.width(0, index)
        path = entry_bundle_path(index, width)
        try:
            return parse_entry_bundle(self.read(path, width * (2 + 0xFFFF)), width)
        except TileCheckError as error:
            raise TileReadError(f"{path}: {error}") from None

    def width(self, level: int, index: int) -> int:
        """How many hashes tile ``(level, index)`` holds in this tree (0: none yet)."""
        count = self.size >> (level * TILE_HEIGHT)
        return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))

    def read(self, path: str, max_bytes: int) -> bytes:
        """The bytes at ``path`` under the log's prefix."""
        try:
            return self.source.read(path, max_bytes)
        except TileFetchError as error:
            raise TileReadError(f"cannot read {path}: {error}") from None

    def _node(self, level: int, index: int) -> bytes:
        tile_level, rest = divmod(level, TILE_HEIGHT)
        first = index << rest
        tile, position = divmod(first, TILE_WIDTH)
        hashes = self.hashes(tile_level, tile)[position : position + (1 << rest)]
        if len(hashes) != 1 << rest:
            raise TileReadError(f"the tree of {self.size} has no node ({level}, {index})")
        return hashes[0] if rest == 0 else hashes_root(hashes)
