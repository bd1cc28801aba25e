"""A follower with a mirror key cosigns what it accepted — only once the checkpoint and its
entries are committed — and serves the cosigned note; a policy that asks for the mirror's
cosignature refuses the checkpoint until then (ADR 0036, amendment)."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.unit.app.test_follow import FOUNDER, ORIGIN, SEEDS, Copy, grow, log_vkey

from krai.app.cosigning import CosignedNote, CosignedStore
from krai.app.follow import Follower, Trust
from krai.app.follow_mirror import MirrorCosigner
from krai.app.ports import Batch, Storage, WitnessKeyError
from krai.app.publication import published_note
from krai.app.receipts import check_receipt, issue_receipt
from krai.bootstrap import follower_files, found_network, mirror_key, new_engine, tile_source
from krai.config.settings import Settings, default_database_url
from krai.log.cosigned import QuorumError, verify_with_policy
from krai.log.note import CosignatureSigner, format_vkey, parse_note
from krai.log.policy import Policy, parse_policy
from krai.log.receipt import ReceiptError
from krai.state.entry import decode_entry

MIRROR = CosignatureSigner("bank.example/mirror", bytes([7]) * 32)
OTHER = CosignatureSigner("ministry.example/mirror", bytes([8]) * 32)


@dataclass
class Homes:
    primary: Path
    tiles: Path
    copy: Copy


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[Homes]:
    primary = tmp_path / "primary"
    found_network(
        Settings(primary, default_database_url(primary), ORIGIN), FOUNDER, seeds=SEEDS
    ).close()
    tiles = tmp_path / "tiles"
    grow(primary, range(10), tiles)
    copy = Copy(tmp_path / "follower", log_vkey(primary))
    try:
        yield Homes(primary, tiles, copy)
    finally:
        copy.services.close()


class CommitChecking:
    """A cosigned-note store that records, for each note stored, whether the storage had
    committed its checkpoint by then."""

    def __init__(self, inner: CosignedStore, storage: Storage) -> None:
        self.inner, self.storage = inner, storage
        self.committed_when_stored: list[bool] = []

    def store_cosigned(self, cosigned: CosignedNote) -> None:
        stored = self.storage.checkpoint_at(cosigned.size)
        self.committed_when_stored.append(stored is not None)
        self.inner.store_cosigned(cosigned)

    def cosigned_at(self, size: int) -> CosignedNote | None:
        return self.inner.cosigned_at(size)

    def witness_sizes(self) -> dict[str, int]:
        return self.inner.witness_sizes()

    def set_witness_size(self, name: str, size: int, time_ms: int) -> None:
        self.inner.set_witness_size(name, size, time_ms)

    def newest_cosigned(self, min_cosignatures: int, limit: int) -> list[CosignedNote]:
        return self.inner.newest_cosigned(min_cosignatures, limit)


def follower(
    copy: Copy,
    tiles: Path,
    store: CosignedStore | None,
    *,
    signer: CosignatureSigner = MIRROR,
    policy: Policy | None = None,
    peers: tuple[Path, ...] = (),
) -> Follower:
    services = copy.services
    return Follower(
        services.storage,
        new_engine(),
        source=tile_source(str(tiles)),
        trust=Trust(services.log_verifier, policy),
        files=follower_files(services.settings),
        clock=services.clock,
        peers=[tile_source(str(peer)) for peer in peers],
        mirror=None if store is None else MirrorCosigner(signer, store, services.clock),
    )


def mirror_policy(homes: Homes) -> bytes:
    text = f"log {log_vkey(homes.primary)}\nwitness bank {format_vkey(MIRROR.verifier)}\n"
    return (text + "quorum bank\n").encode()


def test_a_policy_asking_for_the_mirror_accepts_only_what_it_cosigned(homes: Homes) -> None:
    services = homes.copy.services
    assert services.cosigned is not None
    policy = parse_policy(mirror_policy(homes))
    shown = (homes.tiles / "checkpoint").read_text()
    with pytest.raises(QuorumError, match="too few valid witness cosignatures: 0"):
        verify_with_policy(shown, policy)

    store = CommitChecking(services.cosigned, services.storage)
    report = follower(homes.copy, homes.tiles, store).poll()
    assert (report.accepted, report.alarm, report.error) == (11, None, None)
    assert store.committed_when_stored == [True]
    served = published_note(services.publication)
    assert served is not None
    assert verify_with_policy(served, policy).cosigners == ("bank",)
    assert parse_note(served).text == parse_note(shown).text

    receipt = issue_receipt(services.storage, _tx_id(services.storage, 5), served)
    assert check_receipt(receipt, mirror_policy(homes))["ok"] is True
    unmirrored = issue_receipt(services.storage, _tx_id(services.storage, 5), shown)
    with pytest.raises(ReceiptError, match="too few valid witness cosignatures"):
        check_receipt(unmirrored, mirror_policy(homes))

    assert follower(homes.copy, homes.tiles, store).poll().appended == 0
    assert store.committed_when_stored == [True], "a checkpoint is cosigned once"


def test_the_mirror_never_cosigns_before_the_commit(
    homes: Homes, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = homes.copy.services
    assert services.cosigned is not None
    store = CommitChecking(services.cosigned, services.storage)
    append_batch = services.storage.append_batch

    def killed_at_the_commit(batch: Batch) -> None:
        if batch.checkpoint is not None:
            raise SystemExit("killed while committing the accepted checkpoint")
        append_batch(batch)

    monkeypatch.setattr(services.storage, "append_batch", killed_at_the_commit)
    with pytest.raises(SystemExit):
        follower(homes.copy, homes.tiles, store).poll()
    assert store.committed_when_stored == []
    assert services.cosigned.newest_cosigned(0, 8) == []

    monkeypatch.setattr(services.storage, "append_batch", append_batch)
    assert follower(homes.copy, homes.tiles, None).poll().accepted == 11  # killed before cosign
    assert services.cosigned.newest_cosigned(0, 8) == []
    resumed = follower(homes.copy, homes.tiles, store).poll()
    assert (resumed.appended, resumed.accepted) == (0, 11)
    assert store.committed_when_stored == [True]
    policy = parse_policy(mirror_policy(homes))
    note = published_note(services.publication)
    assert note is not None and verify_with_policy(note, policy).cosigners == ("bank",)


def test_mirrors_that_are_peers_gather_each_others_cosignatures(
    homes: Homes, tmp_path: Path
) -> None:
    """Each mirror's policy lists the other as a witness line outside its quorum; a note
    then comes to carry both lines, as a policy needing two mirrors asks."""
    vkey = log_vkey(homes.primary)
    keys = f"witness bank {format_vkey(MIRROR.verifier)}\n"
    keys += f"witness ministry {format_vkey(OTHER.verifier)}\n"
    accepting = parse_policy(f"log {vkey}\n{keys}quorum none\n")
    both = parse_policy(f"log {vkey}\n{keys}group mirrors 2 bank ministry\nquorum mirrors\n")
    other = Copy(tmp_path / "other", vkey)
    try:
        assert other.services.cosigned is not None
        follower(other, homes.tiles, other.services.cosigned, signer=OTHER).poll()
        other_tiles = other.publish(tmp_path / "other-tiles")
        services = homes.copy.services
        assert services.cosigned is not None
        mirror = follower(
            homes.copy, homes.tiles, services.cosigned, policy=accepting, peers=(other_tiles,)
        )
        report = mirror.poll()
        assert (report.accepted, report.alarm, report.peer_errors) == (11, None, [])
    finally:
        other.services.close()
    note = published_note(services.publication)
    assert note is not None
    assert verify_with_policy(note, both).cosigners == ("bank", "ministry")
    assert mirror.poll().appended == 0
    assert len(parse_note(published_note(services.publication) or "").signatures) == 3


def test_the_mirror_key_is_made_once_in_the_home(homes: Homes) -> None:
    settings = homes.copy.services.settings
    assert mirror_key(settings) is None
    made = mirror_key(settings, "bank.example/mirror")
    assert made is not None
    again = mirror_key(settings)
    assert again is not None and again.verifier == made.verifier
    assert oct((settings.home / "mirror" / "witness-key.json").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(WitnessKeyError, match=r"not other\.example"):
        mirror_key(settings, "other.example/mirror")


def _tx_id(storage: Storage, index: int) -> str:
    stored = storage.entry(index)
    assert stored is not None
    tx = decode_entry(stored.data).tx
    assert tx is not None
    return tx.tx_id
