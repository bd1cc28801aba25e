"""Signature worker processes: verdicts in order, lost verdicts skipped, dead workers reported."""

import os
import signal

import pytest

from krai.app.signatures import (
    KEY_TEXTS_KEPT,
    Check,
    PendingVerdicts,
    SignatureWorkerError,
    SignatureWorkers,
    bad_signature,
    check_of,
    verify_all,
)
from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.tx.envelope import Transaction, sign

KEY = Ed25519PrivateKey(bytes([5]) * 32)
PUBLIC = encode_public_key(KEY.public_key)


def checks(count: int, forged: set[int]) -> list[Check]:
    made = []
    for i in range(count):
        message = b"message %d" % i
        signed = b"another message" if i in forged else message
        made.append((message, KEY.sign(signed), PUBLIC))
    return made


@pytest.fixture
def workers() -> SignatureWorkers:
    return SignatureWorkers(2)


def test_verdicts_come_back_in_the_order_sent_whatever_the_split(
    workers: SignatureWorkers,
) -> None:
    try:
        for count in (0, 1, 5, 40):
            batch = checks(count, {1, count - 1})
            assert workers.submit(batch).result() == verify_all(batch)
    finally:
        workers.close()


def test_verdicts_nobody_read_are_skipped_before_the_next_batch(
    workers: SignatureWorkers,
) -> None:
    try:
        workers.submit(checks(10, set()))  # its batch failed: never read
        batch = checks(10, {3})
        assert workers.submit(batch).result() == [i != 3 for i in range(10)]
    finally:
        workers.close()


def test_a_batch_sent_in_chunks_gets_its_verdicts_joined_in_order(
    workers: SignatureWorkers,
) -> None:
    try:
        workers.submit(checks(6, set()))  # an earlier batch that failed: never read
        chunks = [checks(7, {2}), checks(1, set()), checks(30, {0, 29})]
        pending = PendingVerdicts.joined([workers.submit(chunk) for chunk in chunks])
        assert pending.result() == [v for chunk in chunks for v in verify_all(chunk)]
    finally:
        workers.close()


def test_the_writer_verifies_the_last_shares_of_a_worker_that_is_behind() -> None:
    workers = SignatureWorkers(1)
    try:
        chunks = [checks(200, {0, 199} if i % 2 else {5}) for i in range(12)]
        pending = PendingVerdicts.joined([workers.submit(chunk) for chunk in chunks])
        assert pending.result() == [v for chunk in chunks for v in verify_all(chunk)]
        assert 0 < pending.taken < len(chunks)  # the worker verified the first one at least
        # The worker skipped or verified what was taken; its replies do not confuse the next.
        batch = checks(9, {8})
        assert workers.submit(batch).result() == [i != 8 for i in range(9)]
    finally:
        workers.close()


def test_a_dead_worker_is_reported_not_waited_for(workers: SignatureWorkers) -> None:
    pending = workers.submit(checks(10, set()))
    pending.result()
    os.kill(workers._workers[0].process.pid, signal.SIGKILL)
    workers._workers[0].process.wait()
    with pytest.raises(SignatureWorkerError):
        workers.submit(checks(10, set())).result()
    workers.close()


def test_a_check_carries_the_signed_message_and_the_key() -> None:
    unsigned = Transaction("n", "notary.anchor", 1, "1", key_id(KEY.public_key), "a", {"x": 1})
    tx = sign(unsigned, KEY)
    message, signature, key = check_of(tx, KEY.public_key)
    assert message == tx.signing_message() and signature == tx.signature
    assert verify_all([(message, signature, key)]) == [True]
    assert bad_signature(tx).code == "bad_signature"


def test_each_check_names_its_own_key_however_many_keys_were_met() -> None:
    """The key's text is kept once made (ADR 0048), past ``KEY_TEXTS_KEPT`` keys too."""
    keys = [Ed25519PrivateKey(i.to_bytes(32, "big")) for i in range(KEY_TEXTS_KEPT + 5)]
    for private in [*keys, *reversed(keys)]:
        unsigned = Transaction("n", "notary.anchor", 1, "1", key_id(private.public_key), "a", {})
        _, _, text = check_of(sign(unsigned, private), private.public_key)
        assert text == encode_public_key(private.public_key)
