"""Receipts issued from storage and checked against a policy, with no storage at all."""

import pytest
from tests.unit.app.ledgers import LOG_SIGNER, ORIGIN, founded, grow

from krai.app.receipts import check_receipt, issue_receipt
from krai.log.hashing import leaf_hash
from krai.log.note import CosignatureSigner, format_vkey
from krai.log.receipt import ReceiptError, parse_receipt
from krai.tx.errors import Code, RejectedError

POLICY = f"log {format_vkey(LOG_SIGNER.verifier)}\nquorum none\n".encode()


def test_a_receipt_carries_the_entry_and_proves_it_under_the_latest_checkpoint() -> None:
    sequencer, storage = founded()
    receipts = grow(sequencer, 0, 40, batch=7)
    chosen = receipts[11]
    text = issue_receipt(storage, chosen.tx_id)
    parsed = parse_receipt(text)
    stored = storage.entry(chosen.index)
    latest = storage.latest_checkpoint()
    assert stored is not None and latest is not None
    assert (parsed.index, parsed.extra, parsed.checkpoint) == (12, stored.data, latest.note)
    report = check_receipt(text, POLICY, tx_id=chosen.tx_id)
    assert report["entry"]["tx_id"] == chosen.tx_id
    assert report["entry"]["type"] == "notary.anchor"
    assert (report["origin"], report["index"], report["size"]) == (ORIGIN, 12, 41)
    assert report["leaf_hash"] == leaf_hash(stored.data).hex() == chosen.leaf_hash
    assert report["cosigners"] == [] and report["quorum"] == "no cosignature"


def test_an_unknown_transaction_has_no_receipt() -> None:
    _, storage = founded()
    with pytest.raises(RejectedError) as refused:
        issue_receipt(storage, "0" * 64)
    assert refused.value.code == Code.NOT_FOUND


def test_a_receipt_of_another_transaction_or_a_stricter_policy_is_refused() -> None:
    sequencer, storage = founded()
    receipts = grow(sequencer, 0, 3)
    text = issue_receipt(storage, receipts[0].tx_id)
    with pytest.raises(ReceiptError, match=f"does not prove transaction {receipts[1].tx_id}"):
        check_receipt(text, POLICY, tx_id=receipts[1].tx_id)
    witness = CosignatureSigner("witness.example", bytes([3]) * 32)
    strict = POLICY.replace(
        b"quorum none", f"witness W {format_vkey(witness.verifier)}\nquorum W".encode()
    )
    with pytest.raises(ReceiptError, match="too few valid witness cosignatures"):
        check_receipt(text, strict)
