"""Key-value state as the engine sees it: canonical JSON bytes under ordered string keys.

Values are stored as canonical bytes and decoded on every read, so no module can change
state by mutating a value it read, and the state's digest is the same byte for byte on every
node that replays the same log.
"""

import itertools
import struct
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

import orjson
from sortedcontainers import SortedList

from krai.crypto.canonical import canonical_bytes
from krai.crypto.hashing import sha256

Value = dict[str, Any]
SCAN_END = "\U0010ffff"
"""Sorts after every character a key holds: ``prefix + SCAN_END`` bounds a prefix scan."""
DELETED = b""
"""Marker of a deleted key in a set of writes (a stored value is never empty bytes)."""


class StateView(Protocol):
    """Read access to state."""

    def get_bytes(self, key: str) -> bytes | None:
        """The canonical bytes under ``key``, or None."""
        ...

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        """Every (key, bytes) whose key starts with ``prefix``, in key order."""
        ...


@runtime_checkable
class RangedView(StateView, Protocol):
    """A view that reads a range of keys without the rest of their prefix."""

    def scan_range(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        """Every (key, bytes) with ``start <= key < end``, in key order."""
        ...


def scan_range(view: StateView, prefix: str, start: str, end: str) -> Iterator[tuple[str, bytes]]:
    """The (key, bytes) under ``prefix`` from ``start`` up to, not including, ``end``, in key
    order; read alone where the view can, else filtered from the prefix's scan."""
    start, end = max(start, prefix), min(end, prefix + SCAN_END)
    if isinstance(view, RangedView):
        return view.scan_range(start, end)
    return ((key, raw) for key, raw in view.scan_bytes(prefix) if start <= key < end)


def read(view: StateView, key: str) -> Value | None:
    """The value under ``key``, decoded, or None."""
    raw = view.get_bytes(key)
    return None if raw is None else decode_value(raw)


def scan(view: StateView, prefix: str) -> Iterator[tuple[str, Value]]:
    """Every (key, value) under ``prefix`` in key order, decoded."""
    for key, raw in view.scan_bytes(prefix):
        yield key, decode_value(raw)


def decode_value(raw: bytes) -> Value:
    """Decode stored canonical bytes."""
    value: Value = orjson.loads(raw)
    return value


def encode_value(value: Mapping[str, Any]) -> bytes:
    """Canonical bytes of a value to store."""
    return canonical_bytes(value)


class Overlay:
    """Writes on top of a view, kept apart until ``writes`` are taken by the caller."""

    def __init__(self, base: StateView) -> None:
        self._base = base
        self._writes: dict[str, bytes] = {}
        self._keys: list[str] = []
        """The written keys in order, so a scan finds its prefix by bisection: a batch's
        scans cost what they return, not every write made so far."""
        self._unsorted: list[str] = []
        """Keys written since the last scan, not yet in ``_keys``: sorted in only when a scan
        needs them, so a batch that never scans never sorts."""
        self._undo: dict[str, bytes | None] | None = None
        """While an entry is applied (``begin``), what each key it wrote held before."""

    def get_bytes(self, key: str) -> bytes | None:
        if key in self._writes:
            raw = self._writes[key]
            return None if raw == DELETED else raw
        return self._base.get_bytes(key)

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        merged = dict(self._base.scan_bytes(prefix))
        keys = self._sorted_keys()
        start = bisect_left(keys, prefix)
        for key in itertools.takewhile(lambda k: k.startswith(prefix), keys[start:]):
            merged[key] = self._writes[key]
        for key in sorted(merged):
            if merged[key] != DELETED:
                yield key, merged[key]

    def put(self, key: str, value: Mapping[str, Any]) -> None:
        """Store ``value`` under ``key``."""
        self._write(key, encode_value(value))

    def put_bytes(self, key: str, raw: bytes) -> None:
        """Store ``raw``, which must be exactly ``encode_value`` of the value, under ``key``."""
        self._write(key, raw)

    def delete(self, key: str) -> None:
        """Remove ``key``."""
        self._write(key, DELETED)

    def _write(self, key: str, raw: bytes) -> None:
        undo = self._undo
        if undo is not None and key not in undo:
            undo[key] = self._writes.get(key)
        if key not in self._writes:
            self._unsorted.append(key)
        self._writes[key] = raw

    def _sorted_keys(self) -> list[str]:
        """Every written key in order (the unsorted ones merged in: one run, linear)."""
        if self._unsorted:
            self._keys = sorted([*self._keys, *self._unsorted])
            self._unsorted = []
        return self._keys

    def begin(self) -> None:
        """Start recording the writes of one entry, to ``commit`` or ``rollback`` them."""
        self._undo = {}

    def commit(self) -> dict[str, bytes]:
        """Keep the writes since ``begin``; return them."""
        written = self._undo or {}
        self._undo = None
        return {key: self._writes[key] for key in written}

    def rollback(self) -> None:
        """Undo every write since ``begin``."""
        written = self._undo or {}
        self._undo = None
        for key, before in written.items():
            if before is None:
                del self._writes[key]
                self._forget_key(key)
            else:
                self._writes[key] = before

    def _forget_key(self, key: str) -> None:
        """Take a key no longer written out of ``_unsorted`` (from its end: the entry's own
        writes are last) or else out of ``_keys``."""
        for position in range(len(self._unsorted) - 1, -1, -1):
            if self._unsorted[position] == key:
                del self._unsorted[position]
                return
        del self._keys[bisect_left(self._keys, key)]

    @property
    def writes(self) -> dict[str, bytes]:
        """The writes made so far (``DELETED`` marks a deletion)."""
        return self._writes


class MemoryState:
    """State held in a dict: the base of unit tests and of offline replay.

    The keys are also kept in a ``SortedList`` (a B-tree-like list of sorted runs), so a new
    key costs O(log n) and a scan costs the keys it returns: a full replay stays near-linear
    in the log, where a plain sorted list would move half the keys on every insert.
    """

    def __init__(self) -> None:
        self._values: dict[str, bytes] = {}
        self._keys: SortedList[str] = SortedList()

    def get_bytes(self, key: str) -> bytes | None:
        return self._values.get(key)

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        found = []
        for key in self._keys.irange(minimum=prefix):
            if not key.startswith(prefix):
                break
            found.append(key)
        for key in found:  # taken before yielding: writes may follow while the caller reads
            yield key, self._values[key]

    def scan_range(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        keys = list(self._keys.irange(minimum=start, maximum=end, inclusive=(True, False)))
        return iter([(key, self._values[key]) for key in keys])

    def apply_writes(self, writes: Mapping[str, bytes]) -> None:
        """Make ``writes`` part of the state."""
        new = []
        for key, raw in writes.items():
            if raw == DELETED:
                if self._values.pop(key, None) is not None:
                    self._keys.remove(key)
            else:
                if key not in self._values:
                    new.append(key)
                self._values[key] = raw
        self._keys.update(new)  # many at once: one sort and merge, not one insert each

    def items(self) -> Iterator[tuple[str, bytes]]:
        """Every (key, bytes) in key order."""
        return self.scan_bytes("")


def state_digest(items: Iterator[tuple[str, bytes]]) -> str:
    """SHA-256 (hex) over every (key, value) in key order: equal digests, equal states."""
    accumulator, length = b"", _LENGTH.pack
    for key, raw in items:
        encoded_key = key.encode()
        accumulator = sha256(
            accumulator + length(len(encoded_key)) + encoded_key + length(len(raw)) + raw
        )
    return accumulator.hex() if accumulator else sha256(b"").hex()


_LENGTH = struct.Struct(">I")
"""A length as ``state_digest`` writes it: 4 bytes, big-endian."""
