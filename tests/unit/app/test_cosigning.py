"""The log gathers cosignatures from witnesses (the real witness service, reached in memory)
and publishes only what k of them cosigned."""

import time
from collections.abc import Callable, Iterator

import pytest

from krai.adapters.memory.storage import MemoryStorage
from krai.app.cosigning import (
    CollectorThread,
    CosignatureCollector,
    CosignedNote,
    Witness,
    WitnessReply,
    WitnessUnreachableError,
    published,
)
from krai.app.ports import Batch, StoredCheckpoint, StoredEntry
from krai.app.witness import LogState, WitnessService
from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.log.cosigned import verify_cosigned
from krai.log.hashing import leaf_hash
from krai.log.note import CosignatureSigner, NoteSigner, format_vkey
from krai.log.tree import CompactRange
from krai.log.witness import Conflict, Recorded, Verdict

ORIGIN = "krai.example/cosigned"
LOG = NoteSigner(ORIGIN, bytes([1]) * 32)
SIGNERS = {
    name: CosignatureSigner(f"{name}.example", bytes([n + 5]) * 32)
    for n, name in enumerate(("a", "b"))
}
WITNESSES = [Witness(name, f"http://{name}", s.verifier) for name, s in SIGNERS.items()]


class Clock:
    def __init__(self) -> None:
        self.now = 1_764_000_000_000

    def now_ms(self) -> int:
        self.now += 1000
        return self.now


class Ledger:
    """Entries and signed checkpoints in memory storage, without the state engine."""

    def __init__(self, salt: bytes = b"") -> None:
        self.storage, self.tree, self.salt = MemoryStorage(), CompactRange(), salt

    def grow(self, count: int) -> int:
        entries, nodes = [], []
        for index in range(self.tree.size, self.tree.size + count):
            data = self.salt + b"entry %d" % index
            entries.append(StoredEntry(index, data, leaf_hash(data), None, None, None, index))
            nodes.extend(self.tree.append(entries[-1].leaf_hash))
        size, root = self.tree.size, self.tree.root()
        note = sign_checkpoint(Checkpoint(ORIGIN, size, root), LOG)
        self.storage.append_batch(
            Batch(entries, nodes, {}, [], StoredCheckpoint(size, root, note, 0))
        )
        return size


class MemoryWitnessStore:
    def __init__(self) -> None:
        self.recorded: Recorded | None = None
        self.conflicts: list[Conflict] = []

    def log(self, origin: str) -> LogState | None:
        return (
            LogState(origin, (format_vkey(LOG.verifier),), self.recorded)
            if origin == ORIGIN
            else None
        )

    def judge(
        self, origin: str, decide: Callable[[Recorded | None], Verdict], now_s: int
    ) -> Verdict:
        verdict = decide(self.recorded)
        if verdict.conflict is not None:
            self.conflicts.append(verdict.conflict)
        if verdict.record is not None:
            self.recorded = verdict.record
        return verdict


class Network:
    """Witness services behind URLs; some may be down."""

    def __init__(self) -> None:
        self.stores = {name: MemoryWitnessStore() for name in SIGNERS}
        self.services = {
            f"http://{name}": WitnessService(self.stores[name], signer, Clock())
            for name, signer in SIGNERS.items()
        }
        self.down: set[str] = set()
        self.requests: list[tuple[str, bytes]] = []

    def add_checkpoint(self, url: str, body: bytes) -> WitnessReply:
        if url in self.down:
            raise WitnessUnreachableError(f"{url} is down")
        self.requests.append((url, body))
        verdict = self.services[url].add_checkpoint(body)
        return WitnessReply(verdict.status, verdict.body)


class MemoryCosignedStore:
    def __init__(self) -> None:
        self.notes: dict[int, CosignedNote] = {}
        self.sizes: dict[str, int] = {}

    def witness_sizes(self) -> dict[str, int]:
        return dict(self.sizes)

    def set_witness_size(self, name: str, size: int, time_ms: int) -> None:
        self.sizes[name] = size

    def cosigned_at(self, size: int) -> CosignedNote | None:
        return self.notes.get(size)

    def store_cosigned(self, cosigned: CosignedNote) -> None:
        self.notes[cosigned.size] = cosigned

    def newest_cosigned(self, min_cosignatures: int, limit: int) -> list[CosignedNote]:
        found = [n for n in self.notes.values() if n.cosignatures >= min_cosignatures]
        return sorted(found, key=lambda n: -n.size)[:limit]


Setup = tuple["Ledger", "Network", "MemoryCosignedStore", CosignatureCollector]


@pytest.fixture
def setup() -> Iterator[Setup]:
    ledger, network, store = Ledger(), Network(), MemoryCosignedStore()
    collector = CosignatureCollector(ledger.storage, store, network, WITNESSES, Clock())
    yield ledger, network, store, collector
    collector.close()


def published_size(store: MemoryCosignedStore, k: int) -> int | None:
    found = published(store, LOG.verifier, WITNESSES, k)
    return None if found is None else found[0].size


def test_both_witnesses_cosign_and_the_note_verifies_with_two_of_two(setup: Setup) -> None:
    ledger, _, store, collector = setup
    ledger.grow(3)
    outcomes = collector.collect()
    assert [(o.witness, o.size, o.cosigned) for o in outcomes] == [("a", 3, True), ("b", 3, True)]
    note = store.notes[3].note
    assert note.count("\n\u2014 ") == 3 and store.notes[3].cosignatures == 2  # log + 2
    vkeys = [format_vkey(w.verifier) for w in WITNESSES]
    assert verify_cosigned(note, LOG.verifier, vkeys, 2).checkpoint.size == 3
    assert store.sizes == {"a": 3, "b": 3} and published_size(store, 2) == 3
    assert collector.collect() == []  # nothing left to ask


def test_each_witness_is_sent_the_proof_from_the_size_it_cosigned(setup: Setup) -> None:
    ledger, network, store, collector = setup
    ledger.grow(3)
    collector.collect()
    ledger.grow(4)
    assert all(o.cosigned for o in collector.collect())
    assert [body.split(b"\n")[0] for _, body in network.requests[-2:]] == [b"old 3", b"old 3"]
    assert network.stores["a"].recorded is not None and network.stores["a"].recorded.size == 7
    assert published_size(store, 2) == 7


def test_with_one_witness_down_the_last_fully_cosigned_stays_published(setup: Setup) -> None:
    ledger, network, store, collector = setup
    ledger.grow(3)
    collector.collect()
    network.down.add("http://b")
    ledger.grow(4)
    outcomes = collector.collect()
    assert [(o.witness, o.cosigned) for o in outcomes] == [("a", True), ("b", False)]
    assert "down" in outcomes[1].detail
    assert store.notes[7].cosignatures == 1
    assert (published_size(store, 2), published_size(store, 1)) == (3, 7)
    network.down.clear()
    assert [o.witness for o in collector.collect()] == ["b"]  # only the missing one is asked
    assert store.notes[7].cosignatures == 2 and published_size(store, 2) == 7


def test_a_409_is_adopted_and_sent_once_more(setup: Setup) -> None:
    ledger, network, store, collector = setup
    ledger.grow(3)
    collector.collect()
    store.sizes["a"] = 0  # the log forgot what witness a cosigned
    ledger.grow(2)
    outcomes = collector.collect()
    assert all(o.cosigned for o in outcomes)
    sent_to_a = [body.split(b"\n")[0] for url, body in network.requests if url == "http://a"]
    assert sent_to_a == [b"old 0", b"old 0", b"old 3"]
    assert store.sizes["a"] == 5


def test_another_view_of_the_log_is_refused_and_kept_as_a_fork(setup: Setup) -> None:
    ledger, network, _, collector = setup
    ledger.grow(3)
    collector.collect()
    fork = Ledger(salt=b"forked ")
    fork.grow(3)
    forked = CosignatureCollector(fork.storage, MemoryCosignedStore(), network, WITNESSES, Clock())
    try:
        outcomes = forked.collect()
    finally:
        forked.close()
    assert not any(o.cosigned for o in outcomes)
    assert all("HTTP 422" in o.detail for o in outcomes)
    conflicts = network.stores["a"].conflicts
    assert {c.kind for c in conflicts} == {"fork"} and conflicts[0].presented_size == 3
    assert network.stores["a"].recorded is not None
    assert network.stores["a"].recorded.root_hash == ledger.tree.root()


def test_nothing_is_sent_before_the_first_checkpoint(setup: Setup) -> None:
    _, network, _, collector = setup
    assert collector.collect() == [] and network.requests == []


def test_the_thread_collects_when_a_checkpoint_is_new(setup: Setup) -> None:
    ledger, _, store, collector = setup
    thread = CollectorThread(collector, ledger.storage, interval_s=0.01, retry_s=0.05)
    thread.start()
    try:
        for count in (2, 3):
            size = ledger.grow(count)
            deadline = time.monotonic() + 5
            while published_size(store, 2) != size:
                assert time.monotonic() < deadline, f"size {size} was not cosigned in time"
                time.sleep(0.01)
    finally:
        thread.stop()
