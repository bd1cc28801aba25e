"""PostgreSQL: the sequencer's held connection (ADR 0044) survives the loss of its session,
excludes another sequencer, and writes a batch in a handful of round trips; the log's size it
knows under the lock (ADR 0057) is the one committed before the lock was granted."""

import threading
import time

import psycopg
import pytest

from krai.adapters.sql.storage import open_storage
from krai.app.ports import Batch, NonContiguousBatchError, StoredCheckpoint
from krai.log.tree import CompactRange
from tests.storage.test_storage_conformance import batch_of

pytestmark = pytest.mark.postgres


def libpq(url: str) -> str:
    """The libpq URI of a SQLAlchemy ``postgresql+psycopg`` URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_a_lost_session_is_replaced_at_the_next_lock(postgres_url: str) -> None:
    storage = open_storage(postgres_url)
    tree = CompactRange()
    with storage.sequencing():
        storage.append_batch(batch_of(0, 2, tree))
    with psycopg.connect(libpq(postgres_url), autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND query LIKE '%pg_advisory_unlock%'"
        ).fetchall()
    assert ended == [(True,)]  # the held connection, idle after its last unlock
    with storage.sequencing():
        storage.append_batch(batch_of(2, 3, tree, {"k": b'{"n":1}'}))
    assert storage.log_size() == 5 and storage.get_bytes("k") == b'{"n":1}'
    storage.close()


def test_a_second_sequencer_waits_for_the_lock(postgres_url: str) -> None:
    first, second = open_storage(postgres_url), open_storage(postgres_url)
    entered = threading.Event()

    def sequence_second() -> None:
        with second.sequencing():
            entered.set()

    with first.sequencing():
        waiting = threading.Thread(target=sequence_second)
        waiting.start()
        assert not entered.wait(0.5)
    assert entered.wait(10)
    waiting.join(10)
    first.close()
    second.close()


def test_a_refused_batch_leaves_nothing_and_the_next_one_goes_on(postgres_url: str) -> None:
    storage = open_storage(postgres_url)
    tree = CompactRange()
    with storage.sequencing():
        storage.append_batch(batch_of(0, 2, tree))
    again = batch_of(0, 2, CompactRange(), {"y": b"{}"})  # entries already stored
    with pytest.raises(NonContiguousBatchError, match="log size is 2"), storage.sequencing():
        storage.append_batch(again)
    with storage.sequencing():
        storage.append_batch(batch_of(2, 1, tree, {"z": b"{}"}))
    assert storage.log_size() == 3
    assert storage.get_bytes("y") is None and storage.get_bytes("z") == b"{}"
    storage.close()


def test_the_size_under_the_lock_is_read_once_the_lock_is_granted(postgres_url: str) -> None:
    """The second sequencer asks for the lock while the first holds it and appends: the size
    it then knows must count that batch (a snapshot taken before the wait would not)."""
    first, second = open_storage(postgres_url), open_storage(postgres_url)
    waiting_sizes: list[int] = []

    def sequence_second() -> None:
        with second.sequencing():
            waiting_sizes.append(second.log_size())

    with first.sequencing():
        waiting = threading.Thread(target=sequence_second)
        waiting.start()
        wait_for_a_waiter(postgres_url)
        first.append_batch(batch_of(0, 3, CompactRange()))
        assert first.log_size() == 3  # counted up by its own batch
    waiting.join(10)
    assert waiting_sizes == [3]
    first.close()
    second.close()


def wait_for_a_waiter(url: str) -> None:
    """Return once a session waits for an advisory lock (at most ten seconds)."""
    with psycopg.connect(libpq(url), autocommit=True) as admin:
        for _ in range(1000):
            waiters = admin.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            if waiters == (1,):
                return
            time.sleep(0.01)
    raise AssertionError("no session came to wait for the lock")


def test_a_seal_that_raises_is_rolled_back_and_the_lock_goes_on(postgres_url: str) -> None:
    """As the sequencer does when a signature it assumed good fails (ADR 0009): the batch is
    written again under the same lock, on the same session, after the first was undone."""
    storage = open_storage(postgres_url)
    refused = batch_of(0, 2, CompactRange(), {"y": b"{}"})
    unsealed = Batch(refused.entries, refused.nodes, refused.state_writes, refused.events, None)

    def seal() -> StoredCheckpoint:
        raise LookupError("a verdict came back bad")

    with storage.sequencing():
        with pytest.raises(LookupError):
            storage.append_batch(unsealed, seal)
        assert storage.log_size() == 0
        storage.append_batch(refused)
        assert storage.log_size() == 2
    assert storage.log_size() == 2 and storage.get_bytes("y") == b"{}"
    assert [c.size for c in storage.checkpoints(5)] == [2]
    storage.close()


def test_a_read_connection_goes_back_to_the_pool_with_transactions(postgres_url: str) -> None:
    """Reads run in autocommit; a connection returned to the pool must not carry that into
    the pooled writes, whose batch must stay one transaction."""
    storage = open_storage(postgres_url)
    assert storage.log_size() == 0  # this thread's read connection, in autocommit
    storage.close()  # returns it to the pool, then closes the pool
    reader = storage.engine.raw_connection()
    reader.driver_connection.autocommit = True  # type: ignore[union-attr]
    reader.close()  # back to the pool
    again = [storage.engine.raw_connection() for _ in range(2)]
    assert [c.driver_connection.autocommit for c in again] == [False, False]  # type: ignore[union-attr]
    for connection in again:
        connection.close()
    storage.close()
