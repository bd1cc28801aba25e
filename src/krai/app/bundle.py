"""Portable bundles: the whole log and its checkpoints in one JSON-lines file.

Line 1: ``{"format": "krai-bundle/v1", "origin", "vkey", "size"}``; then one
``{"entry": <base64 entry bytes>}`` per entry in index order; then one
``{"checkpoint": <signed note>, "size": n}`` per checkpoint. ``krai verify --bundle``
checks it with no database.

A bundle is read a line at a time, never whole (ADR 0029, amendment): ``BundleFile`` first
reads every line, checking its form and counting the entries, and keeps only the header and
the checkpoints (which the format puts after the entries); ``entries`` then reads the
entries again, one at a time, as the verification consumes them.
"""

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from krai.app.ports import Storage

BUNDLE_FORMAT = "krai-bundle/v1"
EXPORT_CHUNK = 10_000


class BundleError(ValueError):
    """A bundle is not of the expected form."""


@dataclass
class BundleFile:
    """A bundle on disk: its header and checkpoints, read (and every line checked) when
    opened, and its entries, read again as they are wanted."""

    path: Path
    origin: str = ""
    vkey: str = ""
    size: int = 0
    checkpoints: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        with self.path.open(encoding="utf-8") as source:
            documents = _documents(source)
            _, header = next(documents, (0, {}))
            if header.get("format") != BUNDLE_FORMAT:
                raise BundleError(f"not a {BUNDLE_FORMAT} file")
            self.origin, self.vkey = str(header["origin"]), str(header["vkey"])
            count = sum(1 for _ in _entries(documents, self.checkpoints))
        if count != header.get("size"):
            raise BundleError(f"header says {header.get('size')} entries, bundle holds {count}")
        self.size = count

    def entries(self) -> Iterator[bytes]:
        """Each entry's bytes in index order, read from the file as iterated."""
        with self.path.open(encoding="utf-8") as source:
            documents = _documents(source)
            next(documents, None)
            count = 0
            for data in _entries(documents, {}):
                count += 1
                yield data
        if count != self.size:
            raise BundleError(f"the bundle changed while read: {count} entries, not {self.size}")


def write_bundle(storage: Storage, origin: str, vkey: str, sink: IO[str]) -> int:
    """Write every entry and checkpoint of ``storage``; return the number of entries."""
    size = storage.log_size()
    _write_line(sink, {"format": BUNDLE_FORMAT, "origin": origin, "vkey": vkey, "size": size})
    for start in range(0, size, EXPORT_CHUNK):
        for entry in storage.entries(start, min(size, start + EXPORT_CHUNK)):
            _write_line(sink, {"entry": base64.b64encode(entry.data).decode()})
    for checkpoint in reversed(storage.checkpoints(limit=size + 1)):
        _write_line(sink, {"checkpoint": checkpoint.note, "size": checkpoint.size})
    return size


def _entries(
    documents: Iterator[tuple[int, dict[str, Any]]], checkpoints: dict[int, str]
) -> Iterator[bytes]:
    """The entries' bytes of ``documents`` (after the header), in order; their checkpoints
    go to ``checkpoints``."""
    index = 0
    for number, document in documents:
        if "entry" in document:
            try:
                yield base64.b64decode(str(document["entry"]), validate=True)
            except binascii.Error as error:
                raise BundleError(
                    f"line {number} (entry {index}) is not base64: {error}"
                ) from error
            index += 1
        elif "checkpoint" in document:
            checkpoints[int(document["size"])] = str(document["checkpoint"])
        else:
            raise BundleError(f"unknown bundle line with keys {sorted(document)}")


def _documents(lines: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each line's number and JSON object, refusing a line that is not one, and naming the
    entry it follows."""
    entries = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except json.JSONDecodeError as error:
            raise BundleError(
                f"line {number}{_after(number, entries)} is not JSON: {error}"
            ) from error
        if not isinstance(document, dict):
            raise BundleError(f"line {number}{_after(number, entries)} is not a JSON object")
        entries += "entry" in document
        yield number, document


def _after(number: int, entries: int) -> str:
    """Where a line stands among the entries (the first is the header)."""
    if number == 1:
        return ""
    return f" (after entry {entries - 1})" if entries else " (before entry 0)"


def _write_line(sink: IO[str], document: dict[str, Any]) -> None:
    sink.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
