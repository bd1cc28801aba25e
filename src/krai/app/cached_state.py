"""A read-through cache of committed state in front of storage, for the single writer."""

from collections.abc import Iterable, Iterator, Mapping

from krai.app.ports import Storage
from krai.state.store import DELETED

MAX_CACHED_KEYS = 500_000


class CachedState:
    """Committed state: reads go to the cache, then to storage; commits update both."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._cache: dict[str, bytes | None] = {}

    def get_bytes(self, key: str) -> bytes | None:
        if key in self._cache:
            return self._cache[key]
        value = self._storage.get_bytes(key)
        self._cache[key] = value
        return value

    def scan_bytes(self, prefix: str) -> Iterator[tuple[str, bytes]]:
        return self._storage.scan_bytes(prefix)

    def prefetch(self, keys: Iterable[str]) -> None:
        """Load the values of ``keys`` not yet cached in one storage call (absent ones too)."""
        wanted = [key for key in dict.fromkeys(keys) if key not in self._cache]
        if not wanted:
            return
        found = self._storage.get_many(wanted)
        self._cache.update(dict.fromkeys(wanted))  # absent, unless found
        self._cache.update(found)

    def committed(self, writes: Mapping[str, bytes]) -> None:
        """Record a batch's writes as storage holds them once the batch commits (the
        sequencer records them before the commit and ``forget``s all if it fails)."""
        if len(self._cache) > MAX_CACHED_KEYS:
            self._cache.clear()
        self._cache.update(writes)
        if DELETED in writes.values():  # rare: a scan in C, then the deleted keys as absent
            self._cache.update((key, None) for key, raw in writes.items() if raw == DELETED)

    def forget(self) -> None:
        """Drop every cached value (after a failed commit)."""
        self._cache.clear()
