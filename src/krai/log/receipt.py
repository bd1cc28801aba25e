"""C2SP tlog-proof: an offline receipt that an entry is in a log, checked against a policy.

    c2sp.org/tlog-proof@v1
    extra <base64 of opaque data>            optional; krai puts the entry's bytes here
    index <zero-based index, decimal>
    <base64 proof hash>                      zero or more lines, leaf's sibling first
                                             (an empty line)
    <the checkpoint's signed note, verbatim, with any witness cosignatures>

``verify_receipt`` follows tlog-proof's verification steps: the leaf hash (for krai,
SHA-256(0x00 ‖ entry bytes)), the checkpoint's origin and the log's signature by a key the
policy lists for that origin, every cosignature by a witness the policy knows (one that
fails refuses the receipt) and the policy's quorum, then the RFC 9162 inclusion proof from
the leaf to the checkpoint's root. Cosignature timestamps are verified, then ignored.
Nothing here does I/O.
"""

import base64
import re
from dataclasses import dataclass

from krai.log.checkpoint import Checkpoint
from krai.log.cosigned import CosignedCheckpoint, verify_with_policy
from krai.log.hashing import HASH_SIZE, leaf_hash
from krai.log.note import (
    NoteError,
    decode_base64,
    parse_note,
)
from krai.log.policy import Policy
from krai.log.verify import ProofError, verify_inclusion

HEADER = "c2sp.org/tlog-proof@v1"
EXTRA_PREFIX = "extra "
INDEX_PREFIX = "index "
MAX_PROOF_HASHES = 64
MAX_INDEX = 2**64 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")


class ReceiptError(ValueError):
    """A receipt is malformed, or does not prove what it claims under the policy."""


@dataclass(frozen=True)
class Receipt:
    """An entry's index, its inclusion proof, the signed checkpoint, and optional extra data."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a receipt proved: the checkpoint, the leaf, and who signed and cosigned."""

    checkpoint: Checkpoint
    index: int
    leaf_hash: bytes
    cosigners: tuple[tuple[str, int], ...]
    """(policy name of the witness, Unix time it states) for each verified cosignature."""


def format_receipt(receipt: Receipt) -> str:
    """The receipt's text, as C2SP tlog-proof lays it out."""
    lines = [HEADER]
    if receipt.extra is not None:
        lines.append(EXTRA_PREFIX + base64.b64encode(receipt.extra).decode())
    lines.append(f"{INDEX_PREFIX}{receipt.index}")
    lines.extend(base64.b64encode(value).decode() for value in receipt.proof)
    return "\n".join(lines) + "\n\n" + receipt.checkpoint


def parse_receipt(text: str) -> Receipt:
    """Parse a receipt strictly (canonical base64, 32-byte hashes, a well-formed note)."""
    head, blank, checkpoint = text.partition("\n\n")
    if not blank:
        raise ReceiptError("a receipt has an empty line between the proof and the checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise ReceiptError(f"a receipt starts with the line {HEADER}")
    extra, rest = _extra(lines[1:])
    if not rest or not rest[0].startswith(INDEX_PREFIX):
        raise ReceiptError("a receipt has an 'index <n>' line after the header (and extra)")
    index = _index(rest[0].removeprefix(INDEX_PREFIX))
    proof = tuple(_proof_hash(number, line) for number, line in enumerate(rest[1:]))
    if len(proof) > MAX_PROOF_HASHES:
        raise ReceiptError(f"an inclusion proof has at most {MAX_PROOF_HASHES} hashes")
    try:
        parse_note(checkpoint)
    except NoteError as error:
        raise ReceiptError(f"the receipt's checkpoint is not a signed note: {error}") from None
    return Receipt(index, proof, checkpoint, extra)


def _extra(lines: list[str]) -> tuple[bytes | None, list[str]]:
    if not lines or not lines[0].startswith(EXTRA_PREFIX):
        return None, lines
    try:
        return decode_base64(lines[0].removeprefix(EXTRA_PREFIX)), lines[1:]
    except NoteError:
        raise ReceiptError("the extra line is not canonical base64") from None


def _index(text: str) -> int:
    if not _DECIMAL.fullmatch(text) or int(text) > MAX_INDEX:
        raise ReceiptError(f"index {text!r} is not a decimal below 2^64 without leading zeros")
    return int(text)


def _proof_hash(number: int, line: str) -> bytes:
    try:
        value = decode_base64(line)
    except NoteError:
        raise ReceiptError(f"proof hash {number} is not canonical base64") from None
    if len(value) != HASH_SIZE:
        raise ReceiptError(f"proof hash {number} has {len(value)} bytes, not {HASH_SIZE}")
    return value


def receipt_leaf_hash(receipt: Receipt, entry: bytes | None = None) -> bytes:
    """SHA-256(0x00 ‖ entry): the entry given, else the receipt's extra data.

    Refuses a receipt with neither, or whose extra data differs from the entry given.
    """
    if entry is None and receipt.extra is None:
        raise ReceiptError("the receipt carries no entry (no extra line) and none was given")
    if entry is not None and receipt.extra is not None and entry != receipt.extra:
        raise ReceiptError("the entry given differs from the one the receipt carries")
    data = entry if entry is not None else receipt.extra
    assert data is not None
    return leaf_hash(data)


def verify_receipt(receipt: Receipt, policy: Policy, entry: bytes | None = None) -> VerifiedReceipt:
    """Check a receipt offline against ``policy``; raise ``ReceiptError`` saying what fails."""
    leaf = receipt_leaf_hash(receipt, entry)
    trusted = open_under_policy(receipt.checkpoint, policy)
    checkpoint = trusted.checkpoint
    cosigners = tuple(sorted(trusted.timestamps.items()))
    try:
        verify_inclusion(receipt.index, checkpoint.size, leaf, receipt.proof, checkpoint.root_hash)
    except ProofError as error:
        raise ReceiptError(
            f"the inclusion proof of entry {receipt.index} does not lead to the root of the "
            f"checkpoint of size {checkpoint.size}: {error}"
        ) from None
    return VerifiedReceipt(checkpoint, receipt.index, leaf, cosigners)


def open_under_policy(note_text: str, policy: Policy) -> CosignedCheckpoint:
    """The checkpoint a receipt carries, accepted as ``verify_with_policy`` accepts a
    published one; else ``ReceiptError`` saying why."""
    try:
        return verify_with_policy(note_text, policy)
    except NoteError as error:
        raise ReceiptError(str(error)) from None
