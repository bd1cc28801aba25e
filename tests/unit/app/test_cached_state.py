"""The writer's cache of committed state answers as the storage behind it does."""

from krai.adapters.memory.storage import MemoryStorage
from krai.app.cached_state import CachedState
from krai.app.ports import Batch
from krai.state.store import DELETED


def test_committed_writes_and_deletions_are_read_as_storage_holds_them() -> None:
    storage = MemoryStorage()
    cache = CachedState(storage)
    first = {"a": b'{"x":1}', "b": b'{"x":2}'}
    storage.append_batch(Batch([], [], first, [], None))
    cache.prefetch(["a", "b", "c"])
    second = {"a": DELETED, "b": b'{"x":3}', "c": b'{"x":4}'}
    storage.append_batch(Batch([], [], second, [], None))
    cache.committed(second)
    for key in ("a", "b", "c"):
        assert cache.get_bytes(key) == storage.get_bytes(key)
    assert cache.get_bytes("a") is None and cache.get_bytes("b") == b'{"x":3}'
