"""The sequencer and verification on in-memory storage: ordering, atomicity, checkpoints, replay."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.app import ledgers
from tests.unit.app.ledgers import GOVERNOR, LOG_SIGNER, ORIGIN

from krai.adapters.memory.storage import MemoryStorage
from krai.app.group_commit import GroupCommitter
from krai.app.sequencer import Receipt, Sequencer
from krai.app.signatures import SignatureWorkerError
from krai.app.verify import VerificationError, verify_ledger
from krai.bootstrap import new_engine
from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.log.checkpoint import open_checkpoint
from krai.state.store import state_digest
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import Code, RejectedError

PARK = ("1234567894", "1022200525819", Ed25519PrivateKey(bytes([2]) * 32))


def signed(
    party: tuple[str, str, Ed25519PrivateKey], type_name: str, body: dict[str, Any], nonce: str
) -> Transaction:
    inn, _, key = party
    return sign(Transaction(ORIGIN, type_name, 1, inn, key_id(key.public_key), nonce, body), key)


def anchor(number: int, party: tuple[str, str, Ed25519PrivateKey] = PARK) -> Transaction:
    body = {"sha256": f"{number:064x}", "title": f"Document {number}", "kind": "report"}
    return signed(party, "notary.anchor", body, f"anchor-{number}")


def admission(party: tuple[str, str, Ed25519PrivateKey]) -> Transaction:
    inn, ogrn, key = party
    body = {
        "inn": inn,
        "ogrn": ogrn,
        "name": "Park",
        "roles": ["park_operator"],
        "public_key": encode_public_key(key.public_key),
    }
    return signed(GOVERNOR, "identity.propose_admission", body, f"admit-{inn}")


def founded(workers: int = 0) -> tuple[Sequencer, MemoryStorage]:
    return ledgers.founded(workers)


def test_a_key_admitted_earlier_in_the_batch_signs_later_in_it() -> None:
    sequencer, storage = founded()
    outcomes = sequencer.submit([admission(PARK), anchor(1)])
    assert [o.index for o in outcomes if isinstance(o, Receipt)] == [1, 2]
    assert storage.log_size() == 3


def test_refused_transactions_leave_no_trace_and_the_rest_are_appended() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    before = dict(storage.scan_bytes(""))
    outcomes = sequencer.submit([anchor(1), anchor(1), anchor(2)])
    assert isinstance(outcomes[1], RejectedError) and outcomes[1].code == Code.REPLAY
    assert [o.index for o in outcomes if isinstance(o, Receipt)] == [2, 3]
    assert storage.log_size() == 4
    refused = sequencer.submit([anchor(2)])
    assert isinstance(refused[0], RejectedError)
    assert storage.log_size() == 4
    assert set(before) <= set(dict(storage.scan_bytes("")))


def test_each_batch_gets_one_signed_checkpoint_of_the_new_size() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    sequencer.submit([anchor(i) for i in range(5)])
    sizes = [c.size for c in storage.checkpoints(10)]
    assert sizes == [7, 2, 1]
    latest = storage.latest_checkpoint()
    assert latest is not None
    checkpoint = open_checkpoint(latest.note, [LOG_SIGNER.verifier], ORIGIN)
    assert (checkpoint.size, checkpoint.root_hash) == (7, latest.root_hash)


def test_a_batch_of_only_refusals_signs_nothing() -> None:
    sequencer, storage = founded()
    assert isinstance(sequencer.submit([anchor(1)])[0], RejectedError)
    assert [c.size for c in storage.checkpoints(10)] == [1]


def test_parallel_signature_workers_agree_with_the_single_thread() -> None:
    sequencer, storage = founded(workers=1)
    forged = anchor(999)
    forged = Transaction(**{**forged.to_json(), "sig": anchor(998).sig})
    batch = [admission(PARK), *[anchor(i) for i in range(300)], forged]
    outcomes = sequencer.submit(batch)
    sequencer.close()
    refusals = [o for o in outcomes if isinstance(o, RejectedError)]
    assert [r.code for r in refusals] == [Code.BAD_SIGNATURE]
    assert storage.log_size() == 302


def test_a_forged_transaction_applied_on_trust_is_undone_with_all_it_caused() -> None:
    """While the workers verify, the batch is applied as if every signature were good; a
    forged anchor would then make the genuine anchor of the same document a conflict."""
    sequencer, storage = founded(workers=2)
    sequencer.submit([admission(PARK)])
    genuine = anchor(7)
    forged = Transaction(**{**anchor(7).to_json(), "nonce": "forged", "sig": anchor(8).sig})
    outcomes = sequencer.submit([*[anchor(i) for i in range(100, 400)], forged, genuine])
    sequencer.close()
    assert isinstance(outcomes[-2], RejectedError) and outcomes[-2].code == Code.BAD_SIGNATURE
    assert isinstance(outcomes[-1], Receipt) and outcomes[-1].index == 302
    assert storage.log_size() == 303
    assert [c.size for c in storage.checkpoints(10)] == [303, 2, 1]
    assert replayed(storage) == state_digest(storage.scan_bytes(""))


def test_what_a_forged_transaction_wrote_is_forgotten_with_it() -> None:
    """A batch's writes reach the writer's cache of committed state before its last verdicts
    are in (ADR 0056); a batch undone for a forged signature takes them back: the nonce the
    forgery used is still free, and its document still unanchored, for the genuine signer."""
    sequencer, _ = founded(workers=1)
    sequencer.submit([admission(PARK)])
    genuine = anchor(9)
    forged = Transaction(**{**genuine.to_json(), "sig": anchor(8).sig})
    first = sequencer.submit([*[anchor(i) for i in range(100, 400)], forged])
    again = sequencer.submit([genuine])
    sequencer.close()
    assert isinstance(first[-1], RejectedError) and first[-1].code == Code.BAD_SIGNATURE
    assert isinstance(again[0], Receipt) and again[0].index == 302


def test_workers_that_died_are_replaced_for_the_next_batch() -> None:
    sequencer, storage = founded(workers=1)
    sequencer.submit([admission(PARK)])
    sequencer.submit([anchor(i) for i in range(300)])
    workers = sequencer._workers
    assert workers is not None
    for worker in workers._workers:
        worker.process.kill()
        worker.process.wait()
    with pytest.raises(SignatureWorkerError):
        sequencer.submit([anchor(i) for i in range(300, 600)])
    assert storage.log_size() == 302
    outcomes = sequencer.submit([anchor(i) for i in range(300, 600)])
    sequencer.close()
    assert all(isinstance(o, Receipt) for o in outcomes)
    assert storage.log_size() == 602


def test_group_commit_serves_concurrent_submitters() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    committer = GroupCommitter(sequencer, max_batch=50)
    units = [[anchor(i) for i in range(start, start + 1 + start % 7)] for start in range(0, 200, 8)]
    with ThreadPoolExecutor(8) as pool:
        futures = list(pool.map(committer.submit, [[anchor(i)] for i in range(200)]))
        grouped = list(pool.map(committer.submit, units))
    results = [outcome for f in futures for outcome in f.result(timeout=30)]
    replays = [outcome for f in grouped for outcome in f.result(timeout=30)]
    committer.close()
    assert [len(outcomes.result()) for outcomes in grouped] == [len(unit) for unit in units]
    assert {o.code.value for o in replays if isinstance(o, RejectedError)} == {"replay"}
    indexes = sorted(r.index for r in results if isinstance(r, Receipt))
    assert indexes == list(range(2, 202))
    assert storage.log_size() == 202


def test_group_commit_keeps_each_unit_whole_and_in_order() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    committer = GroupCommitter(sequencer, max_batch=5)
    units = [[anchor(100 * u + i) for i in range(size)] for u, size in enumerate([3, 12, 4, 1, 5])]
    futures = [committer.submit(unit) for unit in units]
    committer.close()
    for unit, future in zip(units, futures, strict=True):
        receipts = future.result(timeout=30)
        assert [r.tx_id for r in receipts if isinstance(r, Receipt)] == [tx.tx_id for tx in unit]
        first = receipts[0].index
        assert [r.index for r in receipts if isinstance(r, Receipt)] == list(
            range(first, first + len(unit))
        )
    assert storage.log_size() == 2 + 25


def replayed(storage: MemoryStorage) -> str:
    return ledgers.verified(storage).state_digest


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=25), st.integers(1, 6))
def test_replay_from_genesis_reproduces_the_state_byte_for_byte(
    numbers: list[int], batch: int
) -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    transactions = [anchor(n) for n in numbers]
    for start in range(0, len(transactions), batch):
        sequencer.submit(transactions[start : start + batch])
    assert replayed(storage) == state_digest(storage.scan_bytes(""))


def test_verification_names_a_tampered_entry() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK), anchor(1), anchor(2)])
    entries = [e.data for e in storage.entries(0, 4)]
    entries[2] = entries[2].replace(b"Document 1", b"Document X")
    with pytest.raises(VerificationError, match="entry 2"):
        verify_ledger(
            entries, {}, origin=ORIGIN, verifier=LOG_SIGNER.verifier, new_engine=new_engine
        )


def test_verification_refuses_a_checkpoint_that_disagrees_with_the_entries() -> None:
    sequencer, storage = founded()
    sequencer.submit([admission(PARK)])
    sequencer.submit([anchor(1)])
    entries = [e.data for e in storage.entries(0, 3)]
    checkpoints = {c.size: c.note for c in storage.checkpoints(5)}
    checkpoints[3] = checkpoints[2].replace("\n2\n", "\n3\n")
    with pytest.raises(VerificationError):
        verify_ledger(
            entries, checkpoints, origin=ORIGIN, verifier=LOG_SIGNER.verifier, new_engine=new_engine
        )


def test_a_key_revoked_earlier_in_the_batch_cannot_sign_later_in_it() -> None:
    sequencer, _ = founded()
    sequencer.submit([admission(PARK)])
    inn, ogrn, old_key = PARK
    new_key = Ed25519PrivateKey(bytes([3]) * 32)
    rotation = signed(
        PARK,
        "identity.rotate_key",
        {
            "old_key_id": key_id(old_key.public_key),
            "new_public_key": encode_public_key(new_key.public_key),
        },
        "rotate",
    )
    outcomes = sequencer.submit([anchor(1), rotation, anchor(2), anchor(3, (inn, ogrn, new_key))])
    codes = [o.code if isinstance(o, RejectedError) else "ok" for o in outcomes]
    assert codes == ["ok", "ok", Code.REVOKED_KEY, "ok"]


def test_roles_granted_or_revoked_earlier_in_the_batch_take_effect_at_once() -> None:
    sequencer, _ = founded()
    sequencer.submit([admission(PARK)])
    grant = signed(
        GOVERNOR, "identity.propose_role_grant", {"inn": PARK[0], "role": "governor"}, "grant"
    )
    revoke = signed(
        GOVERNOR, "identity.propose_role_revocation", {"inn": PARK[0], "role": "governor"}, "revoke"
    )
    first = signed(PARK, "identity.propose_quorum", {"quorum": 1}, "q1")
    second = signed(PARK, "identity.propose_quorum", {"quorum": 1}, "q2")
    outcomes = sequencer.submit([first, grant, first, revoke, second])
    codes = [o.code if isinstance(o, RejectedError) else "ok" for o in outcomes]
    assert codes == [Code.ROLE_NOT_ALLOWED, "ok", "ok", "ok", Code.ROLE_NOT_ALLOWED]
