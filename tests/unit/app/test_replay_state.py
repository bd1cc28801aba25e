"""The replay's state on disk past a size: the same reads, scans and digest as in memory."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from krai.adapters.sql.scratch import SqliteScratchState
from krai.app.replay_state import KEY_OVERHEAD, SpillingState
from krai.state.store import DELETED, MemoryState, state_digest

KEYS = st.sampled_from(["a", "a/b", "a/b/c", "a/c", "b", "é", "x\U0001f600", "a/\U0010fffe"])
VALUES = st.sampled_from([DELETED, b'{"n":1}', b'{"n":22}', b'{"s":"long' + b"x" * 300 + b'"}'])
WRITES = st.lists(st.dictionaries(KEYS, VALUES, max_size=4), max_size=30)


@settings(max_examples=60, deadline=None)
@given(WRITES, st.integers(min_value=0, max_value=2_000))
def test_the_spilling_state_reads_as_the_memory_state(
    batches: list[dict[str, bytes]], memory_bytes: int
) -> None:
    memory, spilling = MemoryState(), SpillingState(SqliteScratchState, memory_bytes)
    try:
        for writes in batches:
            memory.apply_writes(writes)
            spilling.apply_writes(writes)
            for key in ["a", "a/b", "b", "missing", "é"]:
                assert spilling.get_bytes(key) == memory.get_bytes(key)
            for prefix in ["", "a", "a/", "a/b", "x"]:
                assert list(spilling.scan_bytes(prefix)) == list(memory.scan_bytes(prefix))
            assert list(spilling.scan_range("a/b", "b")) == list(memory.scan_range("a/b", "b"))
        assert state_digest(spilling.items()) == state_digest(memory.items())
    finally:
        spilling.close()


@settings(max_examples=60, deadline=None)
@given(WRITES, st.integers(min_value=0, max_value=1_500))
def test_the_state_moves_to_disk_once_what_memory_holds_passes_the_limit(
    batches: list[dict[str, bytes]], memory_bytes: int
) -> None:
    """Whether a batch is taken whole or one write at a time (a deletion before any disk),
    memory counts each key held as its length, its value's and ``KEY_OVERHEAD``."""
    spilling, held, on_disk = SpillingState(SqliteScratchState, memory_bytes), {}, False
    try:
        for writes in batches:
            spilling.apply_writes(writes)
            for key, raw in writes.items():
                if raw == DELETED and not on_disk:
                    held.pop(key, None)
                else:
                    held[key] = raw
            if sum(KEY_OVERHEAD + len(key) + len(raw) for key, raw in held.items()) > memory_bytes:
                held, on_disk = {}, True
            assert spilling.spilled == on_disk
    finally:
        spilling.close()


def test_past_its_limit_the_state_moves_to_disk_and_memory_starts_empty() -> None:
    spilling = SpillingState(SqliteScratchState, 10_000)
    try:
        spilling.apply_writes({f"k/{i:04d}": b'{"n":1}' for i in range(40)})
        before = spilling.spilled
        spilling.apply_writes({f"k/{i:04d}": b'{"n":2}' for i in range(40, 80)})
        assert (before, spilling.spilled) == (False, True)
        spilling.apply_writes({"k/0000": DELETED, "k/0001": b'{"n":3}'})
        assert spilling.get_bytes("k/0000") is None
        assert spilling.get_bytes("k/0001") == b'{"n":3}'
        assert spilling.get_bytes("k/0079") == b'{"n":2}'
        assert [key for key, _ in spilling.items()][:2] == ["k/0001", "k/0002"]
    finally:
        spilling.close()


def test_the_scratch_database_leaves_no_file_behind(tmp_path: Path) -> None:
    scratch = SqliteScratchState(tmp_path)
    scratch.write({"a": b'{"n":1}'})
    assert list(tmp_path.iterdir()) == []
    assert scratch.get_bytes("a") == b'{"n":1}'
    scratch.close()
