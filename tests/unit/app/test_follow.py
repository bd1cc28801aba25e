"""`krai follow`'s core: a follower keeps a verified copy of a log's tiles, resumes after a
stop, and raises the alarm (stops, keeps evidence) when the log contradicts what it signed."""

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from krai.adapters.follower_files import DirectoryFollowerFiles
from krai.adapters.memory.storage import MemoryStorage
from krai.app import follow_catch_up
from krai.app.follow import Follower, PollReport, Trust
from krai.app.follow_status import PENDING_FILE, STATUS_FILE, ledger_status
from krai.app.ports import Batch, StoredCheckpoint, StoredEntry
from krai.app.publication import published_note
from krai.app.remote_verify import TileFetchError, TileSource
from krai.app.sequencer import Receipt
from krai.app.tiles_mirror import export_tiles
from krai.app.verify import verify_stored
from krai.bootstrap import (
    Founder,
    Keystore,
    Services,
    build,
    follower_files,
    found_network,
    new_engine,
    tile_sink,
    tile_source,
)
from krai.config.settings import Settings, default_database_url, load_settings, write_settings
from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.log.hashing import leaf_hash
from krai.log.note import NoteSigner, format_vkey
from krai.log.tiles import TILE_WIDTH
from krai.log.tree import CompactRange
from krai.state.entry import Entry, decode_entry
from krai.tx.envelope import Transaction, sign

ORIGIN = "krai.test/follow"
FOUNDER = Founder("7707083893", "1027700132195", "Operator")
SEEDS = (bytes([1]) * 32, bytes([2]) * 32)


def anchors(home: Path, numbers: range) -> list[Transaction]:
    """Notary anchors signed by the home's operator."""
    key = Keystore(home / "keys").load("operator")
    return [
        sign(
            Transaction(
                ORIGIN,
                "notary.anchor",
                1,
                key.organisation or "",
                key.key_id,
                f"n{number}",
                {
                    "sha256": hashlib.sha256(b"%d" % number).hexdigest(),
                    "title": f"Doc {number}",
                    "kind": "report",
                },
            ),
            key.private_key,
        )
        for number in numbers
    ]


def grow(home: Path, numbers: range, tiles: Path) -> None:
    """Append anchors to the log of ``home`` and publish its tiles into ``tiles``."""
    services = build(load_settings(home))
    try:
        if numbers:
            outcomes = services.sequencer.submit(anchors(home, numbers))
            assert all(isinstance(outcome, Receipt) for outcome in outcomes), outcomes[0]
        export_tiles(services.storage, tile_sink(tiles), published_note(services.publication))
    finally:
        services.close()


@pytest.fixture
def primary(tmp_path: Path) -> Path:
    home = tmp_path / "primary"
    found_network(Settings(home, default_database_url(home), ORIGIN), FOUNDER, seeds=SEEDS).close()
    return home


def log_vkey(home: Path) -> str:
    services = build(load_settings(home))
    try:
        return format_vkey(services.log_verifier)
    finally:
        services.close()


class Copy:
    """A follower's home, and followers of it on given tiles."""

    def __init__(self, home: Path, vkey: str) -> None:
        home.mkdir(parents=True)
        write_settings(
            Settings(home, default_database_url(home), ORIGIN, follows="tiles", log_vkey=vkey)
        )
        self.services: Services = build(load_settings(home))

    def follower(
        self,
        source: TileSource,
        peers: tuple[Path, ...] = (),
        workers: int = 0,
        *,
        keep_workers: bool = False,
    ) -> Follower:
        services = self.services
        return Follower(
            services.storage,
            new_engine(),
            source=source,
            trust=Trust(services.log_verifier),
            files=follower_files(services.settings),
            clock=services.clock,
            peers=[tile_source(str(peer)) for peer in peers],
            workers=workers,
            keep_workers=keep_workers,
        )

    def poll(self, tiles: Path, peers: tuple[Path, ...] = ()) -> PollReport:
        return self.follower(tile_source(str(tiles)), peers).poll()

    def publish(self, tiles: Path) -> Path:
        """Export what this follower accepted as tiles (what `krai follow --serve` serves)."""
        services = self.services
        export_tiles(services.storage, tile_sink(tiles), published_note(services.publication))
        return tiles

    def status(self) -> dict[str, object]:
        services = self.services
        files = follower_files(services.settings)
        return ledger_status(services.storage, files, "tiles", services.clock.now_ms())


@pytest.fixture
def copy(tmp_path: Path, primary: Path) -> Iterator[Copy]:
    made = Copy(tmp_path / "follower", log_vkey(primary))
    try:
        yield made
    finally:
        made.services.close()


def root_and_state(home_or_services: Path | Services) -> tuple[str, str]:
    services = (
        build(load_settings(home_or_services))
        if isinstance(home_or_services, Path)
        else home_or_services
    )
    try:
        report = verify_stored(
            services.storage,
            origin=ORIGIN,
            verifier=services.log_verifier,
            new_engine=new_engine,
        )
    finally:
        if isinstance(home_or_services, Path):
            services.close()
    return report.root_hash, report.state_digest


def test_follower_copies_verifies_and_keeps_in_step(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    tiles = tmp_path / "tiles"
    grow(primary, range(600), tiles)
    first = copy.poll(tiles)
    assert (first.appended, first.accepted, first.alarm, first.error) == (601, 601, None, None)
    grow(primary, range(600, 700), tiles)
    second = copy.poll(tiles)
    assert (second.appended, second.accepted, second.size) == (100, 701, 701)
    assert copy.poll(tiles).appended == 0
    assert root_and_state(copy.services) == root_and_state(primary)
    storage = copy.services.storage
    checkpoint = storage.latest_checkpoint()
    assert checkpoint is not None and checkpoint.size == 701
    status = copy.status()
    assert status["behind_entries"] == 0 and status["alarm"] is None
    assert isinstance(status["behind_seconds"], int) and status["behind_seconds"] < 60


class FailingAt:
    """A tile source that stops answering at ``path`` (a crash, a network cut)."""

    def __init__(self, source: TileSource, path: str) -> None:
        self.inner, self.path = source, path
        self.location = source.location

    def read(self, path: str, max_bytes: int) -> bytes:
        if path.startswith(self.path):
            raise TileFetchError("the connection dropped")
        return self.inner.read(path, max_bytes)

    def close(self) -> None:
        self.inner.close()


def test_a_stopped_catch_up_resumes_from_the_stored_bundles(
    tmp_path: Path, primary: Path, copy: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follow_catch_up, "COMMIT_ENTRIES", 4 * TILE_WIDTH)
    tiles = tmp_path / "tiles"
    grow(primary, range(1500), tiles)
    stopped = copy.follower(FailingAt(tile_source(str(tiles)), "tile/entries/005")).poll()
    assert stopped.error is not None and "dropped" in stopped.error
    assert copy.services.storage.log_size() == 1024  # the first group, whole
    assert copy.services.storage.latest_checkpoint() is None  # nothing accepted yet
    files = follower_files(copy.services.settings)
    assert files.read(PENDING_FILE) == (tiles / "checkpoint").read_bytes()
    resumed = copy.poll(tiles)
    assert (resumed.appended, resumed.accepted) == (1501 - 1024, 1501)
    assert root_and_state(copy.services) == root_and_state(primary)
    assert files.read(PENDING_FILE) is None  # accepted: nothing stored is pending


def test_a_poll_of_one_group_writes_one_file_of_its_own(
    tmp_path: Path, primary: Path, copy: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catch-up stored in one transaction with its checkpoint leaves nothing pending, so
    its poll writes (and syncs) only its record, once; a long one also the checkpoint it
    follows, and its record before it starts."""
    monkeypatch.setattr(follow_catch_up, "COMMIT_ENTRIES", 4 * TILE_WIDTH)
    written: list[str] = []
    write = DirectoryFollowerFiles.write

    def recording(files: DirectoryFollowerFiles, name: str, data: bytes) -> None:
        written.append(name)
        write(files, name, data)

    monkeypatch.setattr(DirectoryFollowerFiles, "write", recording)
    tiles = tmp_path / "tiles"
    grow(primary, range(1500), tiles)
    assert copy.poll(tiles).accepted == 1501
    assert written == [STATUS_FILE, PENDING_FILE, STATUS_FILE]
    written.clear()
    grow(primary, range(1500, 2000), tiles)
    assert copy.poll(tiles).accepted == 2001
    assert written == [STATUS_FILE]


def fork_of(primary: Path, tmp_path: Path) -> Path:
    """A second home under the same log key holding the primary's log so far."""
    fork = tmp_path / "fork"
    shutil.copytree(primary, fork)
    return fork


def test_a_fork_under_the_same_key_raises_the_alarm_and_stops(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    tiles, forked_tiles = tmp_path / "tiles", tmp_path / "forked"
    grow(primary, range(300), tiles)
    fork = fork_of(primary, tmp_path)
    grow(primary, range(300, 310), tiles)
    grow(fork, range(5000, 5400), forked_tiles)
    assert copy.poll(tiles).accepted == 311
    shown = copy.poll(forked_tiles)
    assert shown.raised and shown.alarm is not None and shown.alarm["kind"] == "inconsistent"
    evidence = Path(shown.alarm["evidence"])
    assert {"accepted.note", "shown.note", "consistency.json", "summary.json"} <= {
        path.name for path in evidence.iterdir()
    }
    summary = json.loads((evidence / "summary.json").read_text())
    assert summary["accepted_size"] == 311 and summary["stored_size"] == 311
    assert (evidence / "shown.note").read_text().split("\n")[1] == "701"
    # It stops advancing, whatever the log shows next, and says so.
    grow(primary, range(310, 320), tiles)
    again = copy.poll(tiles)
    assert not again.raised and again.alarm is not None and again.appended == 0
    assert copy.services.storage.log_size() == 311
    status = copy.status()
    alarm = status["alarm"]
    assert isinstance(alarm, dict) and alarm["kind"] == "inconsistent"


def test_tiles_that_do_not_fold_into_the_signed_root_are_an_alarm(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    """Another history's tiles under the log's checkpoint: every entry replays and matches
    its tile, but the root they give is not the signed one; nothing of them is stored."""
    tiles, forked_tiles = tmp_path / "tiles", tmp_path / "forked"
    grow(primary, range(300), tiles)
    assert copy.poll(tiles).accepted == 301
    fork = fork_of(primary, tmp_path)
    grow(primary, range(300, 310), tiles)
    grow(fork, range(5000, 5010), forked_tiles)
    shutil.copy(tiles / "checkpoint", forked_tiles / "checkpoint")
    shown = copy.poll(forked_tiles)
    assert shown.raised and shown.alarm is not None and shown.alarm["kind"] == "tiles_disagree"
    assert {"shown.note", "tiles.root"} <= set(shown.alarm["files"])
    assert copy.services.storage.log_size() == 301


def test_a_second_root_for_an_accepted_size_is_an_alarm(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    tiles, forked_tiles = tmp_path / "tiles", tmp_path / "forked"
    grow(primary, range(10), tiles)
    fork = fork_of(primary, tmp_path)
    grow(primary, range(10, 20), tiles)
    grow(fork, range(900, 910), forked_tiles)
    assert copy.poll(tiles).accepted == 21
    shown = copy.poll(forked_tiles)
    assert shown.alarm is not None and shown.alarm["kind"] == "second_root"
    assert {"accepted.note", "shown.note"} <= set(shown.alarm["files"])


def test_a_checkpoint_not_signed_by_the_pinned_key_is_an_alarm(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    tiles = tmp_path / "tiles"
    grow(primary, range(5), tiles)
    note = (tiles / "checkpoint").read_text()
    lines = note.split("\n")
    lines[1] = "7"  # the size changed under the log's signature
    (tiles / "checkpoint").write_text("\n".join(lines))
    shown = copy.poll(tiles)
    assert shown.alarm is not None and shown.alarm["kind"] == "bad_signature"
    assert copy.services.storage.log_size() == 0


def test_an_entry_that_does_not_match_its_tile_is_an_alarm(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    tiles = tmp_path / "tiles"
    grow(primary, range(5), tiles)
    bundle = tiles / "tile" / "entries" / "000.p" / "6"
    data = bundle.read_bytes()
    bundle.write_bytes(data.replace(b"Doc 3", b"Doc 9"))
    shown = copy.poll(tiles)
    assert shown.alarm is not None and shown.alarm["kind"] == "bad_entry"
    assert shown.alarm["index"] == 4
    assert copy.services.storage.log_size() == 0  # the bundle is stored whole or not at all


def test_an_unreachable_log_is_not_an_alarm(tmp_path: Path, primary: Path, copy: Copy) -> None:
    tiles = tmp_path / "tiles"
    grow(primary, range(5), tiles)
    report = copy.follower(FailingAt(tile_source(str(tiles)), "checkpoint")).poll()
    assert report.alarm is None and report.error is not None
    status = copy.status()
    assert status["last_error"] == report.error and status["alarm"] is None


def test_peers_shown_different_histories_find_out(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    """Two followers of one key, one shown the primary, one a fork: comparing what the other
    accepted, each raises ``peer_fork`` — by root at an equal size, by consistency at a
    larger one."""
    tiles, forked_tiles = tmp_path / "tiles", tmp_path / "forked"
    grow(primary, range(300), tiles)
    fork = fork_of(primary, tmp_path)
    grow(primary, range(300, 340), tiles)
    grow(fork, range(7000, 7040), forked_tiles)
    other = Copy(tmp_path / "other", log_vkey(primary))
    try:
        assert other.poll(forked_tiles).accepted == 341
        assert copy.poll(tiles, peers=(other.publish(tmp_path / "other-tiles"),)).raised
        grow(fork, range(7040, 7600), forked_tiles)
        assert other.poll(forked_tiles).accepted == 901
        other.publish(tmp_path / "other-tiles")
    finally:
        other.services.close()
    shown = copy.status()["alarm"]
    assert isinstance(shown, dict) and shown["kind"] == "peer_fork"
    assert {"peer.note", "accepted.note", "ours.root"} <= set(shown["files"])
    third = Copy(tmp_path / "third", log_vkey(primary))
    try:
        assert third.poll(tiles).accepted == 341
        larger = third.poll(tiles, peers=(tmp_path / "other-tiles",))
    finally:
        third.services.close()
    assert larger.alarm is not None and larger.alarm["kind"] == "peer_fork"
    assert "consistency.json" in larger.alarm["files"]


def test_a_peer_in_step_or_unreachable_raises_nothing(
    tmp_path: Path, primary: Path, copy: Copy
) -> None:
    tiles = tmp_path / "tiles"
    grow(primary, range(300), tiles)
    other = Copy(tmp_path / "other", log_vkey(primary))
    try:
        assert other.poll(tiles).accepted == 301
        behind = other.publish(tmp_path / "other-tiles")
    finally:
        other.services.close()
    grow(primary, range(300, 310), tiles)
    report = copy.poll(tiles, peers=(behind, tiles, tmp_path / "tiles"))
    assert report.alarm is None and report.peer_errors == [] and report.accepted == 311
    (tmp_path / "gone").mkdir()
    report = copy.poll(tiles, peers=(tmp_path / "gone",))
    assert report.alarm is None and len(report.peer_errors) == 1


def forged_tiles(primary: Path, tiles: Path, bad_index: int) -> None:
    """The primary's log with entry ``bad_index`` carrying the next entry's signature: the
    tiles and checkpoint agree, signed by the log's own key, but the entry is forged."""
    services = build(load_settings(primary))
    try:
        entries = list(services.storage.entries(0, services.storage.log_size()))
    finally:
        services.close()
    next_tx = decode_entry(entries[bad_index + 1].data).tx
    assert next_tx is not None
    stored, tree = [], CompactRange()
    for original in entries:
        data = original.data
        if original.index == bad_index:
            entry = decode_entry(data)
            assert entry.tx is not None
            forged = Entry(entry.index, entry.time_ms, tx=replace(entry.tx, sig=next_tx.sig))
            data = forged.committable_bytes()
        stored.append(StoredEntry(original.index, data, leaf_hash(data), None, None, None, 0))
    nodes = [node for entry in stored for node in tree.append(entry.leaf_hash)]
    signer = NoteSigner(ORIGIN, Keystore(primary / "keys").load("log").private_key.seed)
    note = sign_checkpoint(Checkpoint(ORIGIN, tree.size, tree.root()), signer)
    storage = MemoryStorage()
    storage.append_batch(Batch(stored, nodes, {}, [], StoredCheckpoint(tree.size, b"", note, 0)))
    export_tiles(storage, tile_sink(tiles), note)


@pytest.mark.parametrize("where", ["here", "workers", "kept workers"])
def test_a_forged_signature_under_a_signed_checkpoint_is_an_alarm(
    tmp_path: Path, primary: Path, copy: Copy, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked here, on a worker or on a kept one, a bad signature stops the follower at the
    group before it: what was stored stays, the group holding it is not stored."""
    monkeypatch.setattr(follow_catch_up, "PARALLEL_MIN_ENTRIES", 0)
    monkeypatch.setattr(follow_catch_up, "COMMIT_ENTRIES", 256)
    grow(primary, range(600), tmp_path / "tiles")
    forged_tiles(primary, tmp_path / "forged", 500)
    workers, keep = int(where != "here"), where == "kept workers"
    follower = copy.follower(
        tile_source(str(tmp_path / "forged")), workers=workers, keep_workers=keep
    )
    try:
        shown = follower.poll()
    finally:
        follower.close()
    assert shown.alarm is not None and shown.alarm["kind"] == "does_not_replay"
    assert shown.alarm["index"] == 500 and "signature" in shown.alarm["message"]
    assert copy.services.storage.log_size() == 256
    assert "entry-500" in shown.alarm["files"]


def test_signatures_checked_on_workers_give_the_same_copy(
    tmp_path: Path, primary: Path, copy: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(follow_catch_up, "PARALLEL_MIN_ENTRIES", 0)
    tiles = tmp_path / "tiles"
    grow(primary, range(1200), tiles)
    report = copy.follower(tile_source(str(tiles)), workers=1).poll()
    assert (report.appended, report.accepted, report.alarm) == (1201, 1201, None)
    assert root_and_state(copy.services) == root_and_state(primary)


def test_kept_workers_check_every_poll_from_one_start(
    tmp_path: Path, primary: Path, copy: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A follower that keeps its workers starts them once, on the first poll that fills a
    request, and checks the next polls' signatures on them; short polls check here."""
    started: list[int] = []

    class Counted(follow_catch_up.SignatureWorkers):
        def __init__(self, workers: int) -> None:
            started.append(workers)
            super().__init__(workers)

    monkeypatch.setattr(follow_catch_up, "SignatureWorkers", Counted)
    tiles = tmp_path / "tiles"
    grow(primary, range(100), tiles)
    follower = copy.follower(tile_source(str(tiles)), workers=1, keep_workers=True)
    try:
        for first, last, expected in ((100, 100, []), (100, 700, [1]), (700, 1300, [1])):
            grow(primary, range(first, last), tiles)
            report = follower.poll()
            assert (report.accepted, report.alarm, started) == (last + 1, None, expected)
    finally:
        follower.close()
    assert root_and_state(copy.services) == root_and_state(primary)


def test_an_older_checkpoint_of_the_stored_size_is_accepted_with_no_entries(
    tmp_path: Path, primary: Path, copy: Copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped mid-catch-up at 1,024 entries, then shown a checkpoint of exactly that size
    (a cache serving an older one): it is accepted as it stands; the newer one later."""
    monkeypatch.setattr(follow_catch_up, "COMMIT_ENTRIES", 4 * TILE_WIDTH)
    older, newer = tmp_path / "older", tmp_path / "newer"
    grow(primary, range(1023), older)
    grow(primary, range(1023, 1500), newer)
    stopped = copy.follower(FailingAt(tile_source(str(newer)), "tile/entries/004")).poll()
    assert stopped.error is not None and copy.services.storage.log_size() == 1024
    assert copy.poll(older).accepted == 1024
    accepted = copy.services.storage.latest_checkpoint()
    assert accepted is not None and accepted.size == 1024
    assert accepted.note == (older / "checkpoint").read_text()
    assert copy.poll(newer).accepted == 1501
    assert root_and_state(copy.services) == root_and_state(primary)
