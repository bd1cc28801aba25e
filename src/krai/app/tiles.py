"""C2SP tlog-tiles read from storage: hash tiles and entry bundles by their paths.

A tile at tile level L, index N and width W exists once the log holds (256·N + W)·256^L
entries; an entry bundle of index N and width W once it holds 256·N + W. Both are immutable:
the bytes at a path never change, and a full tile (W = 256) is never replaced.
"""

from dataclasses import dataclass

from krai.app.ports import Storage
from krai.log.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    TilePathError,
    parse_entry_bundle_path,
    parse_tile_path,
    tile_hashes,
)
from krai.log.tree import MissingNodeError
from krai.state.entry import MAX_ENTRY_BYTES

ENTRIES_PREFIX = "tile/entries/"


class TileNotFoundError(LookupError):
    """No tile or entry bundle at this path: not of the C2SP form, or beyond the log."""


@dataclass(frozen=True)
class TileData:
    """A tile's or entry bundle's bytes, and whether it is full (and so final)."""

    data: bytes
    full: bool


def read_tile(storage: Storage, path: str) -> TileData:
    """The bytes at a ``tile/...`` path, relative to the log's prefix."""
    try:
        if path.startswith(ENTRIES_PREFIX):
            index, width = parse_entry_bundle_path(path)
            return TileData(entry_bundle(storage, index, width), width == TILE_WIDTH)
        tile = parse_tile_path(path)
    except TilePathError as error:
        raise TileNotFoundError(str(error)) from None
    needed = (tile.index * TILE_WIDTH + tile.width) << (TILE_HEIGHT * tile.level)
    if needed > storage.log_size():
        raise TileNotFoundError(f"the log is too small for {path}")
    try:
        data = tile_hashes(storage, tile.level, tile.index, tile.width)
    except MissingNodeError as error:
        raise TileNotFoundError(str(error)) from None
    return TileData(data, tile.width == TILE_WIDTH)


def entry_bundle(storage: Storage, index: int, width: int) -> bytes:
    """Entries 256·index .. 256·index + width - 1, each as a big-endian uint16 length and its
    bytes (C2SP tlog-tiles entry bundle)."""
    start = index * TILE_WIDTH
    if start + width > storage.log_size():
        raise TileNotFoundError(f"the log holds fewer than {start + width} entries")
    parts = []
    for stored in storage.entries(start, start + width):
        if len(stored.data) > MAX_ENTRY_BYTES:
            raise TileNotFoundError(f"entry {stored.index} is too long for an entry bundle")
        parts.append(len(stored.data).to_bytes(2, "big") + stored.data)
    return b"".join(parts)
