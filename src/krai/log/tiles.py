"""C2SP tlog-tiles addressing over stored complete subtrees.

A tile at tile level L, index N holds up to 256 consecutive hashes of tree level 8·L,
starting at node 256·N; its path is ``tile/<L>/<N>`` with N in 3-digit groups, every group
but the last prefixed ``x`` (``x001/x234/067``), and ``.p/<W>`` for a partial tile of width W.
"""

import re

from krai.log.tree import NodeReader

TILE_WIDTH = 256
TILE_HEIGHT = 8
_PATH = re.compile(r"tile/(\d+)/((?:x\d{3}/)*\d{3})(?:\.p/(\d+))?")


class TilePathError(ValueError):
    """A tile path is not of the C2SP form."""


def encode_index(index: int) -> str:
    """N in 3-digit groups, each but the last prefixed with ``x``."""
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The C2SP path of a tile; a partial tile carries ``.p/<width>``."""
    if not 1 <= width <= TILE_WIDTH:
        raise TilePathError(f"tile width {width} is outside 1..256")
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{encode_index(index)}{suffix}"


def parse_tile_path(path: str) -> tuple[int, int, int]:
    """(level, index, width) of a tile path."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise TilePathError(f"{path!r} is not a tile path")
    level, index_text, width_text = match.groups()
    groups = index_text.replace("x", "").split("/")
    width = int(width_text) if width_text else TILE_WIDTH
    if not 1 <= width <= TILE_WIDTH or (width_text and width == TILE_WIDTH):
        raise TilePathError(f"invalid partial tile width in {path!r}")
    return int(level), int("".join(groups)), width


def tile_hashes(reader: NodeReader, level: int, index: int, width: int = TILE_WIDTH) -> bytes:
    """The concatenated hashes of a tile, read from stored nodes."""
    tree_level = level * TILE_HEIGHT
    keys = [(tree_level, index * TILE_WIDTH + i) for i in range(width)]
    nodes = reader.read_nodes(keys)
    if len(nodes) != width:
        raise LookupError(f"tile {tile_path(level, index, width)} is not complete in storage")
    return b"".join(nodes[key] for key in keys)


def entry_bundle_path(index: int, width: int = TILE_WIDTH) -> str:
    """The C2SP path of an entry bundle."""
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/entries/{encode_index(index)}{suffix}"
