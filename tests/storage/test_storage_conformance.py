"""The storage contract, the same on every back end."""

import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from krai.adapters.sql import wal
from krai.adapters.sql.leaf_index import LEAF_INDEX_STRIDE
from krai.adapters.sql.storage import MIGRATIONS, SCHEMA_HEAD, SqlStorage, open_storage
from krai.app.cached_state import CachedState
from krai.app.ports import (
    Batch,
    NonContiguousBatchError,
    SchemaTooNewError,
    Storage,
    StoredCheckpoint,
    StoredEntry,
)
from krai.log.hashing import leaf_hash
from krai.log.tree import CompactRange, root_hash
from krai.state.store import DELETED, MemoryState, scan_range
from tests.storage.conftest import open_backend


def batch_of(
    start: int, count: int, tree: CompactRange, state: dict[str, bytes] | None = None
) -> Batch:
    entries, nodes = [], []
    for index in range(start, start + count):
        data = b'{"index":%d}' % index
        entry = StoredEntry(
            index,
            data,
            leaf_hash(data),
            f"{index:064x}",
            "7734250208",
            "notary.anchor",
            1000 + index,
        )
        entries.append(entry)
        nodes.extend(tree.append(entry.leaf_hash))
    checkpoint = StoredCheckpoint(tree.size, tree.root(), f"note of {tree.size}\n", 2000 + start)
    events = [(e.index, 0, {"event": "test.Happened", "index": e.index}) for e in entries]
    return Batch(entries, nodes, state or {}, events, checkpoint)


def test_batches_are_read_back(storage: Storage) -> None:
    tree = CompactRange()
    storage.append_batch(batch_of(0, 3, tree, {"a/1": b'{"x":1}'}))
    storage.append_batch(batch_of(3, 4, tree, {"a/2": b'{"x":2}'}))
    assert storage.log_size() == 7
    assert [e.index for e in storage.entries(2, 5)] == [2, 3, 4]
    assert storage.entry_bytes(2, 5) == [b'{"index":%d}' % i for i in (2, 3, 4)]
    assert storage.entry_bytes(6, 9) == [b'{"index":6}'] and storage.entry_bytes(7, 9) == []
    entry = storage.entry(4)
    assert (
        entry is not None
        and entry.data == b'{"index":4}'
        and entry.leaf_hash == leaf_hash(entry.data)
    )
    assert storage.entry(7) is None
    assert storage.entry_by_tx_id(f"{5:064x}") == storage.entry(5)
    assert storage.entry_by_tx_id("0" * 63 + "f") is None
    assert storage.entry_by_leaf_hash(leaf_hash(b'{"index":6}')) == storage.entry(6)
    assert storage.entry_by_leaf_hash(leaf_hash(b'{"index":7}')) is None
    assert root_hash(storage, 7) == tree.root()
    assert [c.size for c in storage.checkpoints(10)] == [7, 3]
    latest = storage.latest_checkpoint()
    assert latest is not None and latest.root_hash == tree.root()
    assert storage.checkpoint_at(3) is not None and storage.checkpoint_at(4) is None
    assert [(i, e["index"]) for i, _, e in storage.events(2, 4)] == [(2, 2), (3, 3)]


def test_state_writes_deletes_and_prefix_scans(storage: Storage) -> None:
    tree = CompactRange()
    keys = ["a/b", "a/b/c", "a/bc", "a/b~", "a/c", "b", "a/"]
    storage.append_batch(batch_of(0, 1, tree, {k: f'{{"k":"{k}"}}'.encode() for k in keys}))
    assert [k for k, _ in storage.scan_bytes("a/b")] == ["a/b", "a/b/c", "a/bc", "a/b~"]
    assert [k for k, _ in storage.scan_bytes("a/b/")] == ["a/b/c"]
    assert [k for k, _ in storage.scan_bytes("")] == sorted(keys)
    storage.append_batch(batch_of(1, 1, tree, {"a/b": DELETED, "a/c": b'{"k":"new"}'}))
    assert storage.get_bytes("a/b") is None
    assert storage.get_bytes("a/c") == b'{"k":"new"}'
    assert storage.get_bytes("missing") is None
    many = [f"k/{i:04d}" for i in range(1200)]
    storage.append_batch(batch_of(2, 1, tree, dict.fromkeys(many[::2], b'{"n":1}')))
    assert set(storage.get_many([*many, "a/c"])) == {*many[::2], "a/c"}


def test_the_state_is_read_in_pages_in_key_order(storage: Storage) -> None:
    keys = [f"k/{i:03d}" for i in range(25)] + ["a", "é/ü", "x\U0001f600y"]
    storage.append_batch(batch_of(0, 1, CompactRange(), dict.fromkeys(keys, b'{"n":1}')))
    pages, after = [], ""
    while page := storage.state_after(after, 10):
        pages.append(page)
        after = page[-1][0]
    assert [len(page) for page in pages] == [10, 10, 8]
    assert [pair for page in pages for pair in page] == list(storage.scan_bytes(""))


def test_a_state_rewrite_applies_every_change_read_as_it_streams(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("krai.adapters.sql.storage.STATE_REWRITE_CHUNK", 3)
    storage.append_batch(batch_of(0, 1, CompactRange(), dict.fromkeys("abcd", b'{"n":1}')))
    changes = [("a", DELETED), ("b", b'{"n":2}'), ("c", DELETED), ("e", b'{"n":3}')]
    changes += [(f"f/{i}", b'{"n":4}') for i in range(5)]
    storage.rewrite_state(iter(changes))
    assert dict(storage.scan_bytes("")) == {
        "b": b'{"n":2}',
        "d": b'{"n":1}',
        "e": b'{"n":3}',
        **{f"f/{i}": b'{"n":4}' for i in range(5)},
    }
    assert storage.log_size() == 1


def test_a_state_rewrite_that_fails_midway_changes_nothing(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("krai.adapters.sql.storage.STATE_REWRITE_CHUNK", 2)
    storage.append_batch(batch_of(0, 1, CompactRange(), dict.fromkeys("abc", b'{"n":1}')))
    before = list(storage.scan_bytes(""))

    def failing() -> Iterator[tuple[str, bytes]]:
        yield from [("a", DELETED), ("b", b'{"n":2}'), ("x", b"{}"), ("y", b"{}")]
        raise RuntimeError("the replay stopped")

    with pytest.raises(RuntimeError, match="the replay stopped"):
        storage.rewrite_state(failing())
    assert list(storage.scan_bytes("")) == before


def test_get_many_finds_keys_of_any_characters(storage_url: str, storage: Storage) -> None:
    odd = ['q"u', "back\\slash", "\\u0000", "é/ü", "x\U0001f600y", "tab\tkey"]
    if "postgresql" not in storage_url:  # PostgreSQL's text holds no NUL
        odd.append("a\x00b")  # SQLite's JSON text ends at a NUL; such a key is still found
    storage.append_batch(batch_of(0, 1, CompactRange(), dict.fromkeys(odd, b'{"n":1}')))
    assert set(storage.get_many([*odd, "absent", "a"])) == set(odd)
    assert set(storage.get_many(odd[:3])) == set(odd[:3])


def test_a_batch_that_does_not_extend_the_log_is_refused_whole(storage: Storage) -> None:
    tree = CompactRange()
    storage.append_batch(batch_of(0, 2, tree))
    with pytest.raises(NonContiguousBatchError, match="log size is 2"):
        storage.append_batch(batch_of(5, 1, CompactRange(), {"x": b"{}"}))
    assert storage.log_size() == 2
    assert storage.get_bytes("x") is None


def test_a_failing_batch_leaves_nothing_behind(sql_storage: Storage) -> None:
    storage = sql_storage
    tree = CompactRange()
    storage.append_batch(batch_of(0, 2, tree))
    broken = batch_of(2, 2, tree, {"y": b"{}"})
    duplicate_node = Batch(
        broken.entries,
        [*broken.nodes, broken.nodes[-1]],
        broken.state_writes,
        broken.events,
        broken.checkpoint,
    )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate|constraint"):
        storage.append_batch(duplicate_node)
    assert storage.log_size() == 2
    assert storage.get_bytes("y") is None
    assert storage.entry(2) is None
    assert [c.size for c in storage.checkpoints(5)] == [2]


def test_a_seal_gives_the_checkpoint_before_the_batch_is_visible(storage: Storage) -> None:
    tree = CompactRange()
    storage.append_batch(batch_of(0, 2, tree))
    sealed = batch_of(2, 3, tree, {"s": b'{"n":1}'})
    written_before_seal: list[int] = []

    def seal() -> StoredCheckpoint:
        written_before_seal.append(storage.log_size())  # not committed yet: still 2
        assert sealed.checkpoint is not None
        return sealed.checkpoint

    unsealed = Batch(sealed.entries, sealed.nodes, sealed.state_writes, sealed.events, None)
    storage.append_batch(unsealed, seal)
    assert written_before_seal == [2]
    assert storage.log_size() == 5
    assert [c.size for c in storage.checkpoints(5)] == [5, 2]
    assert storage.get_bytes("s") == b'{"n":1}'


def test_a_seal_that_raises_leaves_nothing_behind(storage: Storage) -> None:
    tree = CompactRange()
    storage.append_batch(batch_of(0, 2, tree))
    refused = batch_of(2, 2, tree, {"y": b"{}"})
    unsealed = Batch(refused.entries, refused.nodes, refused.state_writes, refused.events, None)

    def seal() -> StoredCheckpoint:
        raise LookupError("a verdict came back bad")

    with pytest.raises(LookupError):
        storage.append_batch(unsealed, seal)
    assert storage.log_size() == 2
    assert storage.get_bytes("y") is None
    assert storage.entry(2) is None
    assert storage.read_nodes([(1, 1)]) == {}
    assert list(storage.events(2, 4)) == []
    assert [c.size for c in storage.checkpoints(5)] == [2]
    storage.append_batch(refused)
    assert storage.log_size() == 4


def test_missing_nodes_are_left_out(storage: Storage) -> None:
    tree = CompactRange()
    storage.append_batch(batch_of(0, 4, tree))
    found = storage.read_nodes([(0, 0), (2, 0), (0, 9), (3, 0)])
    assert set(found) == {(0, 0), (2, 0)}


def test_level_one_nodes_are_hashed_from_their_leaves_not_stored(sql_storage: Storage) -> None:
    batch = batch_of(0, 7, CompactRange())
    nodes = dict(batch.nodes)
    sql_storage.append_batch(batch)
    assert isinstance(sql_storage, SqlStorage)
    with sql_storage.engine.connect() as connection:
        levels = connection.execute(text("SELECT DISTINCT level FROM tree_node")).scalars()
        assert sorted(levels) == [2]
    level_one = [(1, 0), (1, 1), (1, 2)]
    assert sql_storage.read_nodes([*level_one, (1, 3), (2, 0)]) == {
        key: nodes[key] for key in [*level_one, (2, 0)]
    }


def test_sqlite_keeps_everything_across_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'krai.db'}"
    first = open_backend(url)
    tree = CompactRange()
    first.append_batch(batch_of(0, 5, tree, {"k": b'{"v":1}'}))
    first.close()
    again = open_storage(url)
    assert again.log_size() == 5 and again.get_bytes("k") == b'{"v":1}'
    assert root_hash(again, 5) == tree.root()
    again.close()


def test_sqlite_stops_mapping_its_file_when_asked(tmp_path: Path) -> None:
    """A verification reads the whole file once: mapped, every page would stay resident."""
    storage = open_storage(f"sqlite:///{tmp_path / 'krai.db'}")
    assert storage.fetch_rows("PRAGMA mmap_size", []) != [(0,)]
    storage.read_unmapped()
    assert storage.fetch_rows("PRAGMA mmap_size", []) == [(0,)]
    storage.close()


def test_sqlite_checkpoints_its_wal_off_the_commit_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits never checkpoint; the storage's own thread does, so the WAL is reused."""
    monkeypatch.setattr(wal, "SPACING_SECONDS", 0.01)
    database = tmp_path / "krai.db"
    storage = open_storage(f"sqlite:///{database}")
    tree = CompactRange()
    done = 0
    for start in range(0, 20_000, 500):
        storage.append_batch(batch_of(start, 500, tree, {f"k/{start}": b'{"v":1}'}))
        checkpointer = storage._checkpointer  # started by the first commit
        assert checkpointer is not None
        deadline = time.monotonic() + 10  # the checkpointer's turn, however loaded the machine
        while checkpointer.checkpoints == done and time.monotonic() < deadline:
            time.sleep(0.005)
        done = checkpointer.checkpoints
    size = database.with_name("krai.db-wal").stat().st_size
    assert 0 < size < database.stat().st_size / 4
    storage.close()
    again = open_storage(f"sqlite:///{database}")
    assert again.log_size() == 20_000 and root_hash(again, 20_000) == tree.root()
    again.close()


def test_sqlite_checkpoints_are_spaced_whatever_the_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many commits in a short time share a few checkpoints, SPACING_SECONDS apart."""
    monkeypatch.setattr(wal, "SPACING_SECONDS", 0.25)
    storage = open_storage(f"sqlite:///{tmp_path / 'krai.db'}")
    tree = CompactRange()
    started = time.monotonic()
    for start in range(0, 3_000, 50):
        storage.append_batch(batch_of(start, 50, tree, {}))
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    checkpointer = storage._checkpointer
    assert checkpointer is not None
    assert 1 <= checkpointer.checkpoints <= elapsed / 0.25 + 1 < 60
    storage.close()


CRASHING_WRITER = textwrap.dedent(
    """
    import sys
    from krai.adapters.sql.storage import SqlStorage, open_storage
    from krai.log.tree import CompactRange
    from tests.storage.test_storage_conformance import batch_of
    storage = open_storage(sys.argv[1])
    tree = CompactRange()
    start = 0
    while True:
        storage.append_batch(batch_of(start, 50, tree, {f"batch/{start:08d}": b'{"done":true}'}))
        start += 50
        print(start, flush=True)
    """
)


def test_sqlite_survives_sigkill_mid_ingest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'krai.db'}"
    root = Path(__file__).resolve().parents[2]
    for _ in range(3):
        with subprocess.Popen(
            [sys.executable, "-c", CRASHING_WRITER, url],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stdout is not None
            acknowledged = 0
            while acknowledged < 400:
                acknowledged = int(process.stdout.readline())
            process.kill()
            process.wait(timeout=10)
        storage = open_storage(url)
        size = storage.log_size()
        assert size % 50 == 0 and size >= acknowledged
        assert len(list(storage.scan_bytes("batch/"))) == size // 50
        storage.close()
        (tmp_path / "krai.db").unlink()
        for suffix in ("-wal", "-shm"):
            (tmp_path / f"krai.db{suffix}").unlink(missing_ok=True)


def test_migrations_build_exactly_the_declared_schema(sql_storage: Storage) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from krai.adapters.sql.schema import metadata
    from krai.adapters.sql.storage import SqlStorage

    assert isinstance(sql_storage, SqlStorage)
    with sql_storage.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


@pytest.mark.parametrize(
    ("start", "end"),
    [("p/", "p0"), ("p/005", "p/012"), ("a", "p/003"), ("p/017", "z"), ("p/0050", "p/0051")],
)
def test_a_range_of_keys_reads_what_the_prefix_scan_holds_between_its_bounds(
    storage: Storage, start: str, end: str
) -> None:
    writes = {f"p/{i:03d}": b'{"i":%d}' % i for i in range(20)} | {"q/0": b'{"i":0}', "o": b"{}"}
    storage.append_batch(Batch([], [], writes, [], None))
    expected = [(k, v) for k, v in storage.scan_bytes("p/") if start <= k < end]
    assert list(scan_range(storage, "p/", start, end)) == expected
    memory = MemoryState()
    memory.apply_writes(writes)
    assert list(scan_range(memory, "p/", start, end)) == expected
    assert list(scan_range(CachedState(storage), "p/", start, end)) == expected  # filtered


def test_the_schema_head_is_the_newest_migration() -> None:
    """A database at SCHEMA_HEAD is opened without Alembic: the constant must name the head."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_an_older_schema_is_migrated_when_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'krai.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    storage = open_storage(url)
    with storage.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert storage.schema_revision() == "0002"
    storage.close()
    again = open_storage(url)
    assert again.schema_revision() == SCHEMA_HEAD
    again.close()


def test_a_schema_a_newer_krai_wrote_is_neither_read_nor_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'krai.db'}"
    open_storage(url).close()
    newer = str(int(SCHEMA_HEAD) + 1).zfill(4)
    with sqlite3.connect(tmp_path / "krai.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (newer,))
    refusal = f"schema revision {newer}.*newest is {SCHEMA_HEAD}"
    with pytest.raises(SchemaTooNewError, match=refusal):
        open_storage(url)
    with sqlite3.connect(tmp_path / "krai.db") as connection:
        stored = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert stored == [(newer,)]


def test_an_entry_is_found_by_its_leaf_hash_before_and_past_the_stride(storage: Storage) -> None:
    """Entries below the last multiple of the stride are found through ``leaf_index``, the
    rest from the log itself (ADR 0054): both parts, and the entries at the boundary."""
    tree = CompactRange()
    end = LEAF_INDEX_STRIDE + 10
    for start in range(0, end, 1_500):
        storage.append_batch(batch_of(start, min(1_500, end - start), tree))
    for index in (0, 1_499, 1_500, LEAF_INDEX_STRIDE - 1, LEAF_INDEX_STRIDE, end - 1):
        found = storage.entry_by_leaf_hash(leaf_hash(b'{"index":%d}' % index))
        assert found == storage.entry(index) and found is not None
    assert storage.entry_by_leaf_hash(leaf_hash(b'{"index":%d}' % end)) is None


def test_leaf_index_holds_exactly_the_entries_below_the_stride(sql_storage: Storage) -> None:
    assert isinstance(sql_storage, SqlStorage)
    tree = CompactRange()
    sql_storage.append_batch(batch_of(0, LEAF_INDEX_STRIDE - 1, tree))
    assert sql_storage.fetch_rows("SELECT count(*) FROM leaf_index", []) == [(0,)]
    sql_storage.append_batch(batch_of(LEAF_INDEX_STRIDE - 1, 3, tree))
    rows = sql_storage.fetch_rows("SELECT idx, leaf_hash FROM leaf_index ORDER BY idx", [])
    assert [(index, bytes(leaf)) for index, leaf in rows] == [
        (index, leaf_hash(b'{"index":%d}' % index)) for index in range(LEAF_INDEX_STRIDE)
    ]


def test_a_log_from_before_leaf_index_is_indexed_when_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'krai.db'}"
    storage = open_storage(url)
    tree = CompactRange()
    storage.append_batch(batch_of(0, LEAF_INDEX_STRIDE + 5, tree))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with storage.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    storage.close()
    again = open_storage(url)
    assert again.fetch_rows("SELECT count(*) FROM leaf_index", []) == [(LEAF_INDEX_STRIDE,)]
    for index in (0, LEAF_INDEX_STRIDE - 1, LEAF_INDEX_STRIDE + 4):
        assert again.entry_by_leaf_hash(leaf_hash(b'{"index":%d}' % index)) == again.entry(index)
    again.append_batch(batch_of(LEAF_INDEX_STRIDE + 5, 1, tree))
    assert again.entry_by_leaf_hash(leaf_hash(b'{"index":%d}' % (LEAF_INDEX_STRIDE + 5)))
    again.close()
