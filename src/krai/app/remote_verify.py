"""Verifying a log from its C2SP tlog-tiles alone: the checkpoint, hash tiles, entry bundles.

The log is read through a ``TileSource`` (HTTP, or a directory a static mirror wrote). The
checkpoint must verify with a key the caller pins — the log's own word for its key proves
nothing. Then, one entry bundle and its level-0 tile at a time: every entry's leaf hash must
be the tile's, every upper tile must hold the roots of the full tiles below it, the partial
tiles of each level must fold into the checkpoint's root, and the entries are replayed
exactly as ``krai verify --bundle`` replays them (``verify_ledger``). Memory holds one
bundle, one tile per level, and the replayed state up to its limit (the rest on disk).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from krai.app.ports import ScratchState
from krai.app.replay_state import MEMORY_BYTES
from krai.app.verify import VerificationError, verify_ledger
from krai.log.checkpoint import Checkpoint, open_checkpoint
from krai.log.hashing import leaf_hash
from krai.log.note import NoteVerifier
from krai.log.policy import Policy
from krai.log.receipt import ReceiptError, open_under_policy
from krai.log.tile_check import (
    TileChecker,
    TileCheckError,
    parse_entry_bundle,
    root_from_tiles,
    split_hashes,
)
from krai.log.tiles import TILE_WIDTH, Tile, entry_bundle_path, tile_path
from krai.state.engine import Engine

CHECKPOINT_PATH = "checkpoint"
MAX_CHECKPOINT_BYTES = 1 << 20


class TileFetchError(Exception):
    """A resource of the log could not be read (absent, refused, unreachable, too large)."""


class TileSource(Protocol):
    """Where a log's tiles are read: ``checkpoint`` and ``tile/...`` paths under a prefix."""

    @property
    def location(self) -> str:
        """The prefix, as the user gave it."""
        ...

    def read(self, path: str, max_bytes: int) -> bytes:
        """The bytes at ``path``; raise ``TileFetchError`` if absent or over ``max_bytes``."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@dataclass
class _Counts:
    tiles: int = 0
    bundles: int = 0
    bytes_read: int = 0


def verify_remote(
    source: TileSource,
    trust: NoteVerifier | Policy,
    new_engine: Callable[[], Engine],
    *,
    workers: int = 0,
    scratch: Callable[[], ScratchState] | None = None,
    memory_bytes: int = MEMORY_BYTES,
) -> dict[str, Any]:
    """Verify the log at ``source``: its checkpoint signed by the pinned key ``trust`` (whose
    name is the origin), or accepted by the policy ``trust`` (its log key and witness
    quorum); return the report, or raise ``VerificationError`` naming what is bad.
    ``workers``, ``scratch`` and ``memory_bytes`` are ``verify_ledger``'s."""
    counts = _Counts()
    note = _read_text(source, counts)
    checkpoint, verifier, cosigners = _open(note, trust)
    checker = TileChecker(checkpoint.size)
    partials: dict[int, bytes] = {}
    entries = _entries(source, checkpoint.size, checker, partials, counts)
    report = verify_ledger(
        entries,
        {checkpoint.size: note},
        origin=verifier.name,
        verifier=verifier,
        new_engine=new_engine,
        workers=workers,
        scratch=scratch,
        memory_bytes=memory_bytes,
    )
    _check_upper(source, _finish(checker), partials, counts)
    if root_from_tiles(checkpoint.size, partials) != checkpoint.root_hash:
        raise VerificationError("the partial tiles do not fold into the checkpoint's root")
    return {
        **report.to_json(),
        "url": source.location,
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "tiles": counts.tiles,
        "entry_bundles": counts.bundles,
        "bytes_read": counts.bytes_read,
        "cosigners": [{"witness": name, "time": time} for name, time in cosigners],
    }


def _read_text(source: TileSource, counts: _Counts) -> str:
    data = _fetch(source, CHECKPOINT_PATH, MAX_CHECKPOINT_BYTES, counts)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise VerificationError("the checkpoint is not UTF-8 text") from None


def _open(
    note: str, trust: NoteVerifier | Policy
) -> tuple[Checkpoint, NoteVerifier, tuple[tuple[str, int], ...]]:
    """The checkpoint, the log key that signed it, and the witnesses that cosigned it."""
    if isinstance(trust, Policy):
        try:
            trusted = open_under_policy(note, trust)
        except ReceiptError as error:
            raise VerificationError(f"the policy refuses the checkpoint: {error}") from None
        return trusted.checkpoint, trusted.log, tuple(sorted(trusted.timestamps.items()))
    try:
        return open_checkpoint(note, [trust], trust.name), trust, ()
    except ValueError as error:
        raise VerificationError(
            f"the checkpoint does not verify with the pinned key {trust.name}: {error}"
        ) from None


def _entries(
    source: TileSource,
    size: int,
    checker: TileChecker,
    partials: dict[int, bytes],
    counts: _Counts,
) -> Iterator[bytes]:
    """Every entry's bytes in order, each checked against its level-0 tile on the way."""
    for index in range(-(-size // TILE_WIDTH)):
        width = min(TILE_WIDTH, size - index * TILE_WIDTH)
        tile = tile_path(0, index, width)
        leaves = _hashes(source, Tile(0, index, width), counts)
        bundle = _bundle(source, index, width, counts)
        for position, (data, expected) in enumerate(zip(bundle, leaves, strict=True)):
            if leaf_hash(data) != expected:
                raise VerificationError(
                    f"its bytes in {entry_bundle_path(index, width)} do not hash to the leaf "
                    f"hash in {tile}",
                    index * TILE_WIDTH + position,
                )
        if width < TILE_WIDTH:
            partials[0] = b"".join(leaves)
        _check_upper(source, _add(checker, index, b"".join(leaves)), partials, counts)
        yield from bundle


def _hashes(source: TileSource, tile: Tile, counts: _Counts) -> list[bytes]:
    path = tile_path(tile.level, tile.index, tile.width)
    data = _fetch(source, path, tile.width * 32, counts)
    counts.tiles += 1
    try:
        hashes = split_hashes(data)
    except TileCheckError as error:
        raise VerificationError(f"{path}: {error}") from None
    if len(hashes) != tile.width:
        raise VerificationError(f"{path} holds {len(hashes)} hashes, not {tile.width}")
    return hashes


def _bundle(source: TileSource, index: int, width: int, counts: _Counts) -> list[bytes]:
    path = entry_bundle_path(index, width)
    data = _fetch(source, path, width * (2 + 0xFFFF), counts)
    counts.bundles += 1
    try:
        return parse_entry_bundle(data, width)
    except TileCheckError as error:
        raise VerificationError(f"{path}: {error}", index * TILE_WIDTH) from None


def _add(checker: TileChecker, index: int, data: bytes) -> list[tuple[Tile, bytes]]:
    try:
        return checker.add_leaf_tile(index, data)
    except TileCheckError as error:
        raise VerificationError(str(error)) from None


def _finish(checker: TileChecker) -> list[tuple[Tile, bytes]]:
    try:
        return checker.finish()
    except TileCheckError as error:
        raise VerificationError(str(error)) from None


def _check_upper(
    source: TileSource,
    due: list[tuple[Tile, bytes]],
    partials: dict[int, bytes],
    counts: _Counts,
) -> None:
    """Fetch each upper tile and compare it with the roots recomputed from below."""
    for tile, expected in due:
        path = tile_path(tile.level, tile.index, tile.width)
        found = b"".join(_hashes(source, tile, counts))
        if found != expected:
            first = _first_difference(found, expected)
            raise VerificationError(
                f"{path}: hash {first} is not the root of the level-{tile.level - 1} tile "
                f"{tile.index * TILE_WIDTH + first} below it"
            )
        if tile.width < TILE_WIDTH:
            partials[tile.level] = found


def _first_difference(found: bytes, expected: bytes) -> int:
    pairs = zip(split_hashes(found), split_hashes(expected), strict=True)
    return next(position for position, (a, b) in enumerate(pairs) if a != b)


def _fetch(source: TileSource, path: str, max_bytes: int, counts: _Counts) -> bytes:
    try:
        data = source.read(path, max_bytes)
    except TileFetchError as error:
        raise VerificationError(f"cannot read {path}: {error}") from None
    counts.bytes_read += len(data)
    return data
