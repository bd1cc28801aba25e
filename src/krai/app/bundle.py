"""Portable bundles: the whole log and its checkpoints in one JSON-lines file.

Line 1: ``{"format": "krai-bundle/v1", "origin", "vkey", "size"}``; then one
``{"entry": <base64 entry bytes>}`` per entry in index order; then one
``{"checkpoint": <signed note>, "size": n}`` per checkpoint. ``krai verify --bundle``
checks it with no database.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from krai.app.ports import Storage

BUNDLE_FORMAT = "krai-bundle/v1"
EXPORT_CHUNK = 10_000


class BundleError(ValueError):
    """A bundle is not of the expected form."""


@dataclass
class Bundle:
    """The contents of a bundle."""

    origin: str
    vkey: str
    entries: list[bytes] = field(default_factory=list)
    checkpoints: dict[int, str] = field(default_factory=dict)


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


def read_bundle(lines: Iterable[str]) -> Bundle:
    """Parse a bundle, refusing unknown formats and malformed lines."""
    documents = _documents(lines)
    header = next(documents, None)
    if not header or header.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"not a {BUNDLE_FORMAT} file")
    bundle = Bundle(origin=str(header["origin"]), vkey=str(header["vkey"]))
    for document in documents:
        _add(bundle, document)
    if len(bundle.entries) != header.get("size"):
        raise BundleError(
            f"header says {header.get('size')} entries, bundle holds {len(bundle.entries)}"
        )
    return bundle


def _add(bundle: Bundle, document: dict[str, Any]) -> None:
    if "entry" in document:
        bundle.entries.append(base64.b64decode(document["entry"], validate=True))
    elif "checkpoint" in document:
        bundle.checkpoints[int(document["size"])] = str(document["checkpoint"])
    else:
        raise BundleError(f"unknown bundle line with keys {sorted(document)}")


def _documents(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except json.JSONDecodeError as error:
            raise BundleError(f"line {number} is not JSON: {error}") from error
        if not isinstance(document, dict):
            raise BundleError(f"line {number} is not a JSON object")
        yield document


def _write_line(sink: IO[str], document: dict[str, Any]) -> None:
    sink.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
