"""C2SP tlog-tiles addressing over stored perfect subtrees.

Tile N at tile level L holds up to 256 consecutive hashes of tree level 8·L, starting at
node 256·N: MTH(D[(256·N + i)·256^L : (256·N + i + 1)·256^L]) for i = 0..W-1. Its path is
``tile/<L>/<N>``, with L in 0..63 and N in zero-padded 3-digit groups, every group but the
last prefixed ``x`` (1234067 → ``x001/x234/067``); a partial tile of width W (1..255) adds
``.p/<W>``. Entry bundles live at ``tile/entries/<N>[.p/<W>]``. Paths are relative to the
log's URL prefix.
"""

import re
from dataclasses import dataclass

from krai.log.tree import MissingNodeError, NodeReader

TILE_HEIGHT = 8
TILE_WIDTH = 256
MAX_TILE_LEVEL = 63
_INDEX = r"(?:x[0-9]{3}/){0,6}[0-9]{3}"
_WIDTH = r"(?:\.p/([1-9][0-9]{0,2}))?"
_TILE_PATH = re.compile(rf"tile/(0|[1-9][0-9]?)/({_INDEX}){_WIDTH}")
_ENTRIES_PATH = re.compile(rf"tile/entries/({_INDEX}){_WIDTH}")


class TilePathError(ValueError):
    """A tile or entry bundle path, or its level, index or width, is not of the C2SP form."""


@dataclass(frozen=True)
class Tile:
    """A tile's coordinates: tile level, index within the level, width in hashes."""

    level: int
    index: int
    width: int = TILE_WIDTH


def encode_tile_index(index: int) -> str:
    """N in zero-padded 3-digit groups, each but the last prefixed ``x``."""
    if index < 0:
        raise TilePathError(f"a tile index is non-negative, not {index}")
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + group for group in groups[:-1]), groups[-1]])


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]``: the path of a full tile, or of a partial one if width < 256."""
    if not 0 <= level <= MAX_TILE_LEVEL:
        raise TilePathError(f"a tile level lies in 0..{MAX_TILE_LEVEL}, not {level}")
    return f"tile/{level}/{encode_tile_index(index)}{_width_suffix(width)}"


def entry_bundle_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]``: the path of an entry bundle."""
    return f"tile/entries/{encode_tile_index(index)}{_width_suffix(width)}"


def parse_tile_path(path: str) -> Tile:
    """The coordinates of a tile path, accepting only its one canonical spelling."""
    match = _TILE_PATH.fullmatch(path)
    if match is None:
        raise TilePathError(f"{path!r} is not a tile path")
    level_text, index_text, width_text = match.groups()
    tile = Tile(int(level_text), _parse_index(index_text), _parse_width(width_text))
    if tile_path(tile.level, tile.index, tile.width) != path:
        raise TilePathError(f"{path!r} is not the canonical path of its tile")
    return tile


def parse_entry_bundle_path(path: str) -> tuple[int, int]:
    """(index, width) of an entry bundle path, accepting only its canonical spelling."""
    match = _ENTRIES_PATH.fullmatch(path)
    if match is None:
        raise TilePathError(f"{path!r} is not an entry bundle path")
    index_text, width_text = match.groups()
    index, width = _parse_index(index_text), _parse_width(width_text)
    if entry_bundle_path(index, width) != path:
        raise TilePathError(f"{path!r} is not the canonical path of its entry bundle")
    return index, width


def tile_hashes(reader: NodeReader, level: int, index: int, width: int = TILE_WIDTH) -> bytes:
    """The tile's content: its ``width`` hashes concatenated, read in one batch."""
    tile_path(level, index, width)
    tree_level = level * TILE_HEIGHT
    keys = [(tree_level, index * TILE_WIDTH + i) for i in range(width)]
    nodes = reader.read_nodes(keys)
    if any(key not in nodes for key in keys):
        raise MissingNodeError(f"storage lacks hashes of {tile_path(level, index, width)}")
    return b"".join(nodes[key] for key in keys)


def _width_suffix(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise TilePathError(f"a tile width lies in 1..{TILE_WIDTH}, not {width}")
    return "" if width == TILE_WIDTH else f".p/{width}"


def _parse_index(text: str) -> int:
    return int(text.replace("x", "").replace("/", ""))


def _parse_width(text: str | None) -> int:
    return TILE_WIDTH if text is None else int(text)
