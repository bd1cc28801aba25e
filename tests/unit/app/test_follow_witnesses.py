"""A follower sends what it accepted to the log's witnesses: one that recorded another
history refuses it (422) and the follower raises ``witness_conflict``."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.app.test_follow import FOUNDER, ORIGIN, SEEDS, Copy, grow, log_vkey

from krai.app.cosigning import CosignatureCollector, Witness, WitnessReply
from krai.app.follow import Follower, Trust
from krai.bootstrap import follower_files, found_network, new_engine, tile_source
from krai.config.settings import Settings, default_database_url
from krai.log.note import CosignatureSigner, NoteVerifier, parse_vkey
from krai.log.witness import Recorded, format_add_checkpoint, judge, parse_add_checkpoint

NOW_S = 1_800_000_000


class FakeWitness:
    """A tlog-witness of one log, in memory: what ``krai witness serve`` judges."""

    def __init__(self, log: NoteVerifier) -> None:
        self.log = log
        self.cosigner = CosignatureSigner("w1.example/witness", bytes([9]) * 32)
        self.recorded: Recorded | None = None

    def add_checkpoint(self, url: str, body: bytes) -> WitnessReply:
        verdict = judge(parse_add_checkpoint(body), [self.log], self.recorded, self.cosigner, NOW_S)
        if verdict.record is not None:
            self.recorded = verdict.record
        return WitnessReply(verdict.status, verdict.body)


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[tuple[Path, Copy, FakeWitness]]:
    primary = tmp_path / "primary"
    settings = Settings(primary, default_database_url(primary), ORIGIN)
    found_network(settings, FOUNDER, seeds=SEEDS).close()
    grow(primary, range(10), tmp_path / "tiles")
    vkey = log_vkey(primary)
    copy = Copy(tmp_path / "follower", vkey)
    try:
        yield primary, copy, FakeWitness(parse_vkey(vkey))
    finally:
        copy.services.close()


def follower(
    copy: Copy, tiles: Path, witness: FakeWitness
) -> tuple[Follower, CosignatureCollector]:
    services = copy.services
    assert services.cosigned is not None
    collector = CosignatureCollector(
        services.storage,
        services.cosigned,
        witness,
        [Witness("w1", "http://w1.example", witness.cosigner.verifier)],
        services.clock,
    )
    made = Follower(
        services.storage,
        new_engine(),
        source=tile_source(str(tiles)),
        trust=Trust(services.log_verifier),
        files=follower_files(services.settings),
        clock=services.clock,
        witnesses=collector,
    )
    return made, collector


def test_a_witness_cosigns_what_the_follower_accepted(
    tmp_path: Path, homes: tuple[Path, Copy, FakeWitness]
) -> None:
    _, copy, witness = homes
    made, collector = follower(copy, tmp_path / "tiles", witness)
    try:
        report = made.poll()
    finally:
        collector.close()
    assert report.alarm is None and report.peer_errors == [] and report.accepted == 11
    assert witness.recorded is not None and witness.recorded.size == 11
    assert copy.services.cosigned is not None
    cosigned = copy.services.cosigned.cosigned_at(11)
    assert cosigned is not None and cosigned.cosignatures == 1


def test_a_witness_that_saw_another_history_raises_witness_conflict(
    tmp_path: Path, homes: tuple[Path, Copy, FakeWitness]
) -> None:
    primary, copy, witness = homes
    fork = tmp_path / "fork"
    shutil.copytree(primary, fork)
    grow(primary, range(10, 20), tmp_path / "tiles")
    grow(fork, range(500, 510), tmp_path / "forked")
    shown = (tmp_path / "tiles" / "checkpoint").read_text()
    assert witness.add_checkpoint("", format_add_checkpoint(0, [], shown)).status == 200
    made, collector = follower(copy, tmp_path / "forked", witness)
    try:
        report = made.poll()
    finally:
        collector.close()
    assert report.alarm is not None and report.alarm["kind"] == "witness_conflict"
    assert "HTTP 422" in report.alarm["message"] and "accepted.note" in report.alarm["files"]
    assert witness.recorded is not None and witness.recorded.size == 21
