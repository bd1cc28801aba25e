"""Checking a tiled tree from its leaves up: tile levels, roots from tiles, upper tiles."""

import pytest

from krai.log.hashing import leaf_hash
from krai.log.tile_check import (
    TileChecker,
    TileCheckError,
    hashes_root,
    parse_entry_bundle,
    root_from_tiles,
    split_hashes,
    tile_levels,
)
from krai.log.tiles import Tile, tile_hashes
from krai.log.tree import CompactRange, MemoryNodeStore, root_hash, subtree_hash

SIZE = 70_000


@pytest.fixture(scope="module")
def nodes() -> MemoryNodeStore:
    store, tree = MemoryNodeStore(), CompactRange()
    for number in range(SIZE):
        store.put_nodes(tree.append(leaf_hash(number.to_bytes(4, "big"))))
    return store


def test_tile_levels_are_those_of_the_specs_example() -> None:
    assert tile_levels(70_000) == [(0, 273, 112), (1, 1, 17), (2, 0, 1)]
    assert tile_levels(256) == [(0, 1, 0), (1, 0, 1)]
    assert tile_levels(1) == [(0, 0, 1)]
    assert tile_levels(0) == []


def test_a_tile_hash_is_the_root_of_the_tile_below(nodes: MemoryNodeStore) -> None:
    below = tile_hashes(nodes, 0, 3)
    assert hashes_root(split_hashes(below)) == tile_hashes(nodes, 1, 0, 4)[3 * 32 :]
    assert hashes_root(split_hashes(below)) == subtree_hash(nodes, 768, 1024)


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 511, 513, 65_535, 65_536, 65_537, SIZE])
def test_the_partial_tiles_fold_into_the_root(nodes: MemoryNodeStore, size: int) -> None:
    partials = {
        level: tile_hashes(nodes, level, full, width)
        for level, full, width in tile_levels(size)
        if width
    }
    assert root_from_tiles(size, partials) == root_hash(nodes, size)


def test_the_checker_asks_for_every_upper_tile_with_its_bytes(nodes: MemoryNodeStore) -> None:
    checker = TileChecker(SIZE)
    due: list[tuple[Tile, bytes]] = []
    for index in range(274):
        width = 256 if index < 273 else 112
        due += checker.add_leaf_tile(index, tile_hashes(nodes, 0, index, width))
    assert [tile for tile, _ in due] == [Tile(1, 0)]
    due += checker.finish()
    assert [tile for tile, _ in due] == [Tile(1, 0), Tile(1, 1, 17), Tile(2, 0, 1)]
    for tile, expected in due:
        assert expected == tile_hashes(nodes, tile.level, tile.index, tile.width)


def test_the_checker_takes_leaf_tiles_in_order_and_all_of_them() -> None:
    checker = TileChecker(600)
    with pytest.raises(TileCheckError, match="level-0 tile 1 arrives where 0 is due"):
        checker.add_leaf_tile(1, bytes(32 * 256))
    checker.add_leaf_tile(0, bytes(32 * 256))
    with pytest.raises(TileCheckError, match=r"level 0 lacks tiles below tile/1/000\.p/2"):
        checker.finish()


def test_an_entry_bundle_is_parsed_strictly() -> None:
    bundle = b"\x00\x01a\x00\x00\x00\x03abc"
    assert parse_entry_bundle(bundle, 3) == [b"a", b"", b"abc"]
    with pytest.raises(TileCheckError, match="holds 3 entries, not 4"):
        parse_entry_bundle(bundle, 4)
    with pytest.raises(TileCheckError, match="more than 2 entries"):
        parse_entry_bundle(bundle, 2)
    with pytest.raises(TileCheckError, match="entry 2 of the bundle is cut short"):
        parse_entry_bundle(bundle[:-1], 3)
    with pytest.raises(TileCheckError, match="entry 1 of the bundle is cut short"):
        parse_entry_bundle(b"\x00\x01a\x00", 2)


def test_a_tile_holds_whole_hashes() -> None:
    with pytest.raises(TileCheckError, match="not 33 bytes"):
        split_hashes(bytes(33))
    with pytest.raises(TileCheckError, match="partial tile of level 0 has 3 hashes"):
        root_from_tiles(3, {0: bytes(64)})
