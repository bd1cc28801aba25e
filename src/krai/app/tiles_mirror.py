"""A static mirror of the log: the C2SP tlog-tiles tree written out as files.

``export_tiles`` writes, for the tree of the latest signed checkpoint, every hash tile and
entry bundle (the very bytes ``read_tile`` gives ``krai serve``), then the checkpoint — last,
so a reader never sees a checkpoint whose tiles are not there yet. It is incremental: a full
tile or bundle already present is not written again (full tiles never change); a partial one
is written at its width for the new size. Partial tiles of earlier widths stay, as tlog-tiles
requires for sizes once checkpointed, until their tile is full; then they are removed.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from krai.app.ports import Storage
from krai.app.tiles import read_tile
from krai.log.checkpoint import parse_checkpoint_text
from krai.log.note import parse_note
from krai.log.tile_check import tile_levels
from krai.log.tiles import entry_bundle_path, tile_path

CHECKPOINT_PATH = "checkpoint"


class TileSink(Protocol):
    """Where a mirror is written: files at ``checkpoint`` and ``tile/...`` paths."""

    def exists(self, path: str) -> bool:
        """Whether a file is at ``path``."""
        ...

    def write(self, path: str, data: bytes) -> None:
        """Put ``data`` at ``path`` atomically: a reader sees the old bytes or the new."""
        ...

    def partial_widths(self, path: str) -> list[int]:
        """The widths W of the partial tiles ``<path>.p/<W>`` present."""
        ...

    def remove_partial(self, path: str, width: int) -> None:
        """Remove the partial tile ``<path>.p/<width>``."""
        ...


class NothingToExportError(LookupError):
    """The log has no signed checkpoint yet."""


@dataclass
class ExportReport:
    """What one export did."""

    size: int = 0
    written: int = 0
    kept: int = 0
    removed: int = 0

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "size": self.size,
            "written": self.written,
            "kept": self.kept,
            "removed": self.removed,
        }


def export_tiles(storage: Storage, sink: TileSink, note: str | None = None) -> ExportReport:
    """Write into ``sink`` the mirror of the tree of ``note`` (a signed checkpoint of this
    log, as ``/checkpoint`` serves it; default: the newest signed one)."""
    note = note if note is not None else _latest_note(storage)
    size = checkpoint_size(note)
    report = ExportReport(size=size)
    for path, _ in _paths(size):
        if sink.exists(path):
            report.kept += 1
        else:
            sink.write(path, read_tile(storage, path).data)
            report.written += 1
    sink.write(CHECKPOINT_PATH, note.encode("utf-8"))
    for path, full in _paths(size):
        for width in sink.partial_widths(path) if full else ():
            sink.remove_partial(path, width)
            report.removed += 1
    return report


def _latest_note(storage: Storage) -> str:
    latest = storage.latest_checkpoint()
    if latest is None:
        raise NothingToExportError("no checkpoint has been signed yet")
    return latest.note


def checkpoint_size(note: str) -> int:
    """The tree size a signed checkpoint states (its signatures are not checked here)."""
    return parse_checkpoint_text(parse_note(note).text).size


def _paths(size: int) -> Iterator[tuple[str, bool]]:
    """(path, whether full) of every hash tile and entry bundle of the tree of ``size``."""
    for level, full, width in tile_levels(size):
        for index in range(full):
            yield tile_path(level, index), True
            if level == 0:
                yield entry_bundle_path(index), True
        if width:
            yield tile_path(level, full, width), False
            if level == 0:
                yield entry_bundle_path(full, width), False
