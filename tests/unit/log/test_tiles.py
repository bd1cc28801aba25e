"""C2SP tlog-tiles: tile and entry bundle paths, and tile contents from stored nodes."""

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krai.log.hashing import leaf_hash
from krai.log.tiles import (
    Tile,
    TilePathError,
    encode_tile_index,
    entry_bundle_path,
    parse_entry_bundle_path,
    parse_tile_path,
    tile_hashes,
    tile_path,
)
from krai.log.tree import CompactRange, MemoryNodeStore, MissingNodeError, NodeKey, subtree_hash


@pytest.mark.parametrize(
    ("index", "encoded"),
    [(0, "000"), (5, "005"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_index_encoding(index: int, encoded: str) -> None:
    assert encode_tile_index(index) == encoded


def test_tile_and_bundle_paths() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(1, 5, 17) == "tile/1/005.p/17"
    assert tile_path(63, 0, 255) == "tile/63/000.p/255"
    assert entry_bundle_path(1234067) == "tile/entries/x001/x234/067"
    assert entry_bundle_path(7, 1) == "tile/entries/007.p/1"


@given(st.integers(0, 63), st.integers(0, 2**64), st.integers(1, 256))
def test_paths_round_trip(level: int, index: int, width: int) -> None:
    assert parse_tile_path(tile_path(level, index, width)) == Tile(level, index, width)
    assert parse_entry_bundle_path(entry_bundle_path(index, width)) == (index, width)


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(-1, 0, 256), (64, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257)],
)
def test_tile_coordinates_are_checked(level: int, index: int, width: int) -> None:
    with pytest.raises(TilePathError):
        tile_path(level, index, width)


BAD_TILE_PATHS = {
    "four digits": "tile/0/1234",
    "two digits": "tile/0/05",
    "full width spelled out": "tile/0/005.p/256",
    "zero width": "tile/0/005.p/0",
    "padded width": "tile/0/005.p/017",
    "empty width": "tile/0/005.p/",
    "letter in width": "tile/0/005.p/1a",
    "padded level": "tile/00/005",
    "level 64": "tile/64/005",
    "negative level": "tile/-1/005",
    "leading zero group": "tile/0/x000/005",
    "x on last group": "tile/0/x005",
    "no x on first group": "tile/0/001/234",
    "trailing slash": "tile/0/005/",
    "leading slash": "/tile/0/005",
    "plural": "tiles/0/005",
    "non-ascii digits": "tile/0/\u0660\u0660\u0665",
    "entry bundle": "tile/entries/005",
    "index too long": "tile/0/" + "x001/" * 7 + "000",
}


@pytest.mark.parametrize("path", BAD_TILE_PATHS.values(), ids=BAD_TILE_PATHS.keys())
def test_malformed_tile_paths_are_refused(path: str) -> None:
    with pytest.raises(TilePathError):
        parse_tile_path(path)


BAD_BUNDLE_PATHS = {
    "tile path": "tile/0/005",
    "leading zero group": "tile/entries/x000/005",
    "full width spelled out": "tile/entries/005.p/256",
    "padded width": "tile/entries/005.p/01",
    "singular": "tile/entry/005",
}


@pytest.mark.parametrize("path", BAD_BUNDLE_PATHS.values(), ids=BAD_BUNDLE_PATHS.keys())
def test_malformed_entry_bundle_paths_are_refused(path: str) -> None:
    with pytest.raises(TilePathError):
        parse_entry_bundle_path(path)


class CountingReader:
    def __init__(self, inner: MemoryNodeStore) -> None:
        self.inner, self.calls = inner, 0

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.calls += 1
        return self.inner.read_nodes(keys)


SIZE = 70_000
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(SIZE)]
STORE = MemoryNodeStore()
_tree = CompactRange()
for _leaf in LEAVES:
    STORE.put_nodes(_tree.append(_leaf))


def test_level_zero_tiles_hold_leaf_hashes() -> None:
    reader = CountingReader(STORE)
    assert tile_hashes(reader, 0, 0) == b"".join(LEAVES[:256])
    assert tile_hashes(reader, 0, 273, 112) == b"".join(LEAVES[273 * 256 : SIZE])
    assert reader.calls == 2


def test_higher_tiles_hold_hashes_of_full_tiles_below() -> None:
    """The C2SP example: 70,000 leaves make a level-1 tile 0, a partial level-1 tile of
    width 17 and a partial level-2 tile of width 1."""
    full = tile_hashes(STORE, 1, 0)
    assert len(full) == 256 * 32
    for i in (0, 1, 255):
        assert full[32 * i : 32 * (i + 1)] == subtree_hash(STORE, 256 * i, 256 * (i + 1))
    partial = tile_hashes(STORE, 1, 1, 17)
    assert partial[-32:] == subtree_hash(STORE, 256 * 272, 256 * 273)
    top = tile_hashes(STORE, 2, 0, 1)
    assert top == subtree_hash(STORE, 0, 65536)


def test_a_tile_beyond_the_stored_tree_is_missing() -> None:
    with pytest.raises(MissingNodeError, match=r"tile/0/x001/000"):
        tile_hashes(STORE, 0, 1000)
    with pytest.raises(MissingNodeError):
        tile_hashes(STORE, 0, 273, 113)
    with pytest.raises(MissingNodeError):
        tile_hashes(STORE, 1, 1)
