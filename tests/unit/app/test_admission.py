"""Admission off the sequencer (ADR 0028): what an API worker verifies, what the sequencer
still checks, and the authenticated channel between them."""

import dataclasses
import stat
import time
from concurrent.futures import Future
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from typing import Any

import pytest
from tests.unit.app.test_sequencer import PARK, admission, anchor, founded, signed

from krai.app import sequencer as sequencer_module
from krai.app.admission import (
    KEY_NAME,
    SOCKET_NAME,
    AdmissionServer,
    AdmittingSubmitter,
    RecentKeys,
    SequencerUnavailableError,
    verified_keys,
)
from krai.app.admission_wire import request_bytes
from krai.app.sequencer import Outcome, Receipt
from krai.bootstrap import new_engine
from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.tx.envelope import Transaction
from krai.tx.errors import RejectedError

STRANGER = ("7707083893", "1027700132195", Ed25519PrivateKey(bytes([7]) * 32))
OTHER_KEY = Ed25519PrivateKey(bytes([8]) * 32)


def forged(tx: Transaction) -> Transaction:
    """``tx`` with a signature by another key than the one its key id names."""
    impostor = signed((PARK[0], PARK[1], OTHER_KEY), tx.type, dict(tx.body), tx.nonce)
    return dataclasses.replace(tx, sig=impostor.sig)


def codes(outcomes: list[Outcome]) -> list[str]:
    return [o.code.value if isinstance(o, RejectedError) else "ok" for o in outcomes]


def test_a_worker_vouches_only_for_signatures_that_verify_with_the_committed_key() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    good, bad = anchor(1), forged(anchor(2))
    stranger = anchor(3, STRANGER)
    keys = verified_keys(new_engine(), storage, [good, bad, stranger])
    assert keys == [PARK[2].public_key, None, None]


def test_the_sequencer_does_not_verify_again_what_a_worker_verified_with_the_same_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    batch = [anchor(1), anchor(2)]
    keys = verified_keys(new_engine(), storage, batch)

    def verified_again(*_: Any) -> None:
        raise AssertionError("a vouched signature was verified again")

    monkeypatch.setattr(sequencer_module, "check_signature", verified_again)
    assert codes(sequencer.submit(batch, keys)) == ["ok", "ok"]


def test_a_signature_vouched_for_with_another_key_is_verified_by_the_sequencer() -> None:
    sequencer, _ = founded()
    sequencer.submit([admission(PARK)])
    outcomes = sequencer.submit([forged(anchor(1)), anchor(2)], [OTHER_KEY.public_key] * 2)
    assert codes(outcomes) == ["bad_signature", "ok"]


def test_what_a_worker_could_not_verify_is_admitted_by_the_sequencer_in_order() -> None:
    sequencer, storage = founded()
    batch = [admission(PARK), anchor(1), forged(anchor(2))]
    keys = verified_keys(new_engine(), storage, batch)  # the park is no member yet
    assert keys[1:] == [None, None]
    assert codes(sequencer.submit(batch, keys)) == ["ok", "ok", "bad_signature"]


def test_vouched_transactions_are_still_refused_as_replays_or_with_revoked_keys() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    first = anchor(1)
    [key] = verified_keys(new_engine(), storage, [first])
    assert codes(sequencer.submit([first], [key])) == ["ok"]
    assert codes(sequencer.submit([first], [key])) == ["replay"]
    rotation = signed(
        PARK,
        "identity.rotate_key",
        {
            "old_key_id": key_id(PARK[2].public_key),
            "new_public_key": encode_public_key(OTHER_KEY.public_key),
        },
        "rotate",
    )
    later = anchor(2)
    keys = verified_keys(new_engine(), storage, [rotation, later])
    assert keys == [key, key]
    assert codes(sequencer.submit([rotation, later], keys)) == ["ok", "revoked_key"]


def rotation_away_from_the_parks_key() -> Transaction:
    return signed(
        PARK,
        "identity.rotate_key",
        {
            "old_key_id": key_id(PARK[2].public_key),
            "new_public_key": encode_public_key(OTHER_KEY.public_key),
        },
        "rotate",
    )


def test_a_worker_trusts_a_key_it_looked_up_for_keys_fresh_s_and_no_longer() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    now = [100.0]
    keys = RecentKeys(new_engine(), storage, fresh_s=1.0, now=lambda: now[0])
    assert keys.verified([anchor(1)]) == [PARK[2].public_key]
    assert codes(sequencer.submit([rotation_away_from_the_parks_key()])) == ["ok"]
    now[0] = 100.9
    assert keys.verified([anchor(2)]) == [PARK[2].public_key]  # still within the window
    now[0] = 101.0
    assert keys.verified([anchor(3)]) == [None]  # looked up again: revoked


def test_a_key_revoked_within_the_workers_window_is_never_committed() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    server = AdmissionServer(sequencer)
    try:
        client = AdmittingSubmitter(new_engine(), storage, server.directory, keys_fresh_s=3600)
        assert codes(client.submit([anchor(1)]).result(10)) == ["ok"]  # the key is now held
        assert codes(sequencer.submit([rotation_away_from_the_parks_key()])) == ["ok"]
        late = anchor(2)  # signed with the revoked key, vouched for by the worker's stale key
        assert codes(client.submit([late, anchor(3)]).result(10)) == ["revoked_key"] * 2
        client.close()
    finally:
        server.close()
    logged = [entry.tx_id for entry in storage.entries(0, storage.log_size())]
    assert late.tx_id not in logged
    assert storage.log_size() == 4  # genesis, admission, the first anchor, the rotation


def test_workers_admit_over_the_channel_and_get_receipts_after_the_commit() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    server = AdmissionServer(sequencer)
    lost: list[bool] = []
    try:
        assert stat.S_IMODE(server.directory.stat().st_mode) == 0o700
        for name in (SOCKET_NAME, KEY_NAME):
            assert stat.S_IMODE((server.directory / name).stat().st_mode) == 0o600
        clients = [
            AdmittingSubmitter(new_engine(), storage, server.directory, lambda: lost.append(True))
            for _ in range(2)
        ]
        futures = [c.submit([anchor(i), anchor(9)]) for i, c in enumerate(clients)]
        outcomes = [outcome for future in futures for outcome in future.result(10)]
        assert sorted(codes(outcomes)) == ["ok", "ok", "ok", "replay"]
        for outcome in outcomes:
            if isinstance(outcome, Receipt):
                stored = storage.entry(outcome.index)
                assert stored is not None and stored.tx_id == outcome.tx_id
        assert clients[0].submit([]).result(0) == []
        clients[0].close()
    finally:
        server.close()
    pending: Future[list[Outcome]] = clients[1].submit([anchor(5)])
    with pytest.raises(SequencerUnavailableError):
        pending.result(10)
    deadline = time.monotonic() + 10
    while not lost and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lost == [True]  # the worker still connected learnt that the sequencer went away
    assert not server.directory.exists()


def test_a_client_without_the_key_is_refused_and_the_channel_keeps_serving() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    server = AdmissionServer(sequencer)
    try:
        with pytest.raises(AuthenticationError):
            Client(str(server.directory / SOCKET_NAME), "AF_UNIX", authkey=bytes(32))
        client = AdmittingSubmitter(new_engine(), storage, server.directory)
        assert codes(client.submit([anchor(1)]).result(10)) == ["ok"]
        client.close()
    finally:
        server.close()
    assert storage.log_size() == 3


class Unreadable:
    """A storage whose every read fails."""

    def get_bytes(self, key: str) -> bytes | None:
        raise OSError("the database is gone")


def test_a_worker_that_cannot_read_state_leaves_every_check_to_the_sequencer() -> None:
    sequencer, _ = founded()
    sequencer.submit([admission(PARK)])
    server = AdmissionServer(sequencer)
    try:
        client = AdmittingSubmitter(new_engine(), Unreadable(), server.directory)  # type: ignore[arg-type]
        future = client.submit([anchor(1), forged(anchor(2))])
        assert codes(future.result(10)) == ["ok", "bad_signature"]
        client.close()
    finally:
        server.close()


def test_a_worker_that_sends_what_is_not_a_request_is_hung_up_on_and_nothing_is_committed() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    server = AdmissionServer(sequencer)
    try:
        authkey = (server.directory / KEY_NAME).read_bytes()
        rogue = Client(str(server.directory / SOCKET_NAME), "AF_UNIX", authkey=authkey)
        sent = request_bytes(1, [anchor(1)], [PARK[2].public_key])
        rogue.send_bytes(sent[:-1])  # one byte short: lengths that do not add up
        assert rogue.poll(10)  # readable: the sequencer hung up (or, wrongly, answered)
        with pytest.raises(EOFError):
            rogue.recv_bytes()
        rogue.close()
        client = AdmittingSubmitter(new_engine(), storage, server.directory)
        assert codes(client.submit([anchor(1)]).result(10)) == ["ok"]
        client.close()
    finally:
        server.close()
    assert storage.log_size() == 3  # genesis, the admission, and the one good anchor
