"""The state a full replay builds, in memory while it is small and on disk beyond that.

``krai verify`` replays every entry of a log into a fresh state. Holding all of it in memory
makes a verifier's memory grow with the ledger, so the replay writes into ``SpillingState``:
writes collect in memory, and once they pass ``memory_bytes`` they are moved, all at once,
into a ``ScratchState`` (a temporary database) and memory starts empty again. Reads look in
memory first, then on disk; scans merge both. The state is the same either way, and so is
its digest (ADR 0029).
"""

import heapq
from collections.abc import Callable, Iterator, Mapping

from sortedcontainers import SortedList

from krai.app.ports import ScratchState
from krai.state.store import DELETED, SCAN_END

MEMORY_BYTES = 64 << 20
"""What the state may take in memory before it moves to disk, as ``krai verify`` runs it."""
READ_CACHE_KEYS = 10_000
"""Keys read from disk that are kept in memory, at most, between two spills."""
KEY_OVERHEAD = 160
"""Python's own bytes for one key held: the ``str``, the ``bytes``, a dict slot, a list slot."""


class SpillingState:
    """Replayed state in memory up to ``memory_bytes``, on a ``ScratchState`` beyond it."""

    def __init__(self, open_scratch: Callable[[], ScratchState], memory_bytes: int) -> None:
        self._open_scratch = open_scratch
        self._limit = memory_bytes
        self._values: dict[str, bytes] = {}
        """Writes not yet on disk; ``DELETED`` marks a deletion once there is a disk."""
        self._keys: SortedList[str] = SortedList()
        self._unsorted: set[str] = set()
        """Keys written since the last scan, not yet in ``_keys``: sorted in when a scan
        needs them, so a replay that never scans never sorts."""
        self._held = 0
        self._disk: ScratchState | None = None
        self._read: dict[str, bytes | None] = {}
        """What was read from disk since the last spill (None: absent): the keys every
        entry reads (the network, signers' keys and roles) are not fetched again."""

    @property
    def spilled(self) -> bool:
        """Whether part of the state is on disk."""
        return self._disk is not None

    def get_bytes(self, key: str) -> bytes | None:
        raw = self._values.get(key)
        if raw is not None:
            return None if raw == DELETED else raw
        if self._disk is None:
            return None
        if key not in self._read:
            if len(self._read) >= READ_CACHE_KEYS:
                self._read.clear()
            self._read[key] = self._disk.get_bytes(key)
        return self._read[key]

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        return self.scan_range(prefix, prefix + SCAN_END)

    def scan_range(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        # Taken whole before returning: writes may follow while the caller reads.
        return iter(list(self._merged(start, end)))

    def apply_writes(self, writes: Mapping[str, bytes]) -> None:
        """Make ``writes`` part of the state, moving it to disk if it grew past the limit."""
        values, unsorted, held = self._values, self._unsorted, self._held
        for key, raw in writes.items():
            before = values.get(key)
            if before is None:
                held += KEY_OVERHEAD + len(key)
            else:
                held -= len(before)
            if raw == DELETED and self._disk is None:
                if before is not None:
                    del values[key]
                    self._forget(key)
                held -= KEY_OVERHEAD + len(key)
                continue
            if before is None:
                unsorted.add(key)
            values[key] = raw
            held += len(raw)
        self._held = held
        if held > self._limit:
            self._spill()

    def items(self) -> Iterator[tuple[str, bytes]]:
        """Every (key, bytes) in key order, read as iterated (from disk when there is one):
        nothing may be written meanwhile."""
        if self._disk is None:
            keys = sorted(self._values)  # sorted once; no deletion is marked without a disk
            return zip(keys, map(self._values.__getitem__, keys), strict=True)
        self._spill()
        return self._disk.scan_range("", SCAN_END)

    def close(self) -> None:
        """Remove the disk's copy, if any."""
        if self._disk is not None:
            self._disk.close()
            self._disk = None

    def _spill(self) -> None:
        if self._disk is None:
            self._disk = self._open_scratch()
        self._disk.write(self._values)
        self._read.clear()
        self._values, self._keys, self._unsorted, self._held = {}, SortedList(), set(), 0

    def _forget(self, key: str) -> None:
        if key in self._unsorted:
            self._unsorted.discard(key)
        else:
            self._keys.remove(key)

    def _merged(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        if self._unsorted:
            self._keys.update(self._unsorted)  # many at once: one sort and merge
            self._unsorted.clear()
        held = [
            (key, self._values[key])
            for key in self._keys.irange(minimum=start, maximum=end, inclusive=(True, False))
        ]
        if self._disk is None:
            yield from held
            return
        stored = list(self._disk.scan_range(start, end))
        previous = None
        # Memory's (key, 0, bytes) sorts before disk's (key, 1, bytes): the newer one wins.
        for key, _, raw in heapq.merge(
            ((key, 0, raw) for key, raw in held), ((key, 1, raw) for key, raw in stored)
        ):
            if key == previous:
                continue
            previous = key
            if raw != DELETED:
                yield key, raw
