"""Offline receipts (C2SP tlog-proof): issued from storage, checked with no network.

A krai receipt carries the entry's exact bytes in its ``extra`` line, so whoever holds it
sees what was proven and needs nothing else: SHA-256(0x00 ‖ extra) is the leaf hash the
inclusion proof starts from, and the checkpoint is the newest signed one (with any witness
cosignatures the log holds). ``check_receipt`` verifies it against a C2SP tlog-policy and,
when the entry is a krai entry, says which transaction it proves.
"""

from typing import Any

from krai.app.ports import Storage
from krai.app.publication import NotYetPublishedError
from krai.app.tiles_mirror import checkpoint_size
from krai.log.policy import parse_policy
from krai.log.receipt import (
    Receipt,
    ReceiptError,
    VerifiedReceipt,
    format_receipt,
    parse_receipt,
    verify_receipt,
)
from krai.log.tree import inclusion_proof
from krai.state.entry import Entry, decode_entry
from krai.tx.errors import Code, RejectedError

MEDIA_TYPE = "text/plain; charset=utf-8"
FILE_SUFFIX = ".tlog-proof"


def issue_receipt(storage: Storage, tx_id: str, note: str | None = None) -> str:
    """The tlog-proof receipt of transaction ``tx_id`` under ``note`` (a signed checkpoint of
    this log with its cosignatures, as ``/checkpoint`` publishes it; default: the newest
    signed one)."""
    stored = storage.entry_by_tx_id(tx_id)
    if stored is None:
        raise RejectedError(Code.NOT_FOUND, f"no transaction {tx_id} in the log")
    note = note if note is not None else _latest_note(storage)
    size = checkpoint_size(note)
    if size <= stored.index:
        raise NotYetPublishedError(
            f"entry {stored.index} is not yet under the published checkpoint (size {size})"
        )
    proof = inclusion_proof(storage, stored.index, size)
    return format_receipt(Receipt(stored.index, tuple(proof), note, stored.data))


def _latest_note(storage: Storage) -> str:
    latest = storage.latest_checkpoint()
    if latest is None:
        raise NotYetPublishedError("no checkpoint has been signed yet")
    return latest.note


def check_receipt(
    receipt_text: str,
    policy_text: bytes,
    *,
    tx_id: str | None = None,
    entry_bytes: bytes | None = None,
) -> dict[str, Any]:
    """Verify a receipt against a policy, with the entry it carries or ``entry_bytes``; the
    report, or ``ReceiptError`` (``PolicyError`` for a bad policy) saying what fails."""
    policy = parse_policy(policy_text)
    receipt = parse_receipt(receipt_text)
    verified = verify_receipt(receipt, policy, entry_bytes)
    data = entry_bytes if entry_bytes is not None else receipt.extra
    assert data is not None
    entry = _krai_entry(data, verified.index)
    if tx_id is not None and (entry is None or entry.tx is None or entry.tx.tx_id != tx_id):
        raise ReceiptError(f"the receipt does not prove transaction {tx_id}")
    return {
        "ok": True,
        **_verified_json(verified),
        "quorum": policy.describe(),
        "entry": None if entry is None else _entry_json(entry),
    }


def _krai_entry(data: bytes, index: int) -> Entry | None:
    """The krai entry the bytes hold, or None if they are not one."""
    try:
        entry = decode_entry(data)
    except RejectedError:
        return None
    if entry.index != index:
        raise ReceiptError(f"the entry states index {entry.index} but is proven at {index}")
    return entry


def _verified_json(verified: VerifiedReceipt) -> dict[str, Any]:
    return {
        "origin": verified.checkpoint.origin,
        "index": verified.index,
        "size": verified.checkpoint.size,
        "root_hash": verified.checkpoint.root_hash.hex(),
        "leaf_hash": verified.leaf_hash.hex(),
        "cosigners": [{"witness": name, "time": time} for name, time in verified.cosigners],
    }


def _entry_json(entry: Entry) -> dict[str, Any]:
    if entry.tx is None:
        return {"index": entry.index, "time_ms": entry.time_ms, "genesis": True}
    return {
        "index": entry.index,
        "time_ms": entry.time_ms,
        "tx_id": entry.tx.tx_id,
        "type": entry.tx.type,
        "signer": entry.tx.signer,
    }
