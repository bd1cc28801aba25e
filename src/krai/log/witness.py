"""C2SP tlog-witness ``add-checkpoint`` as a witness judges it: parsing and verdicts, no I/O.

A request body is an ``old <size>`` line, zero to 63 base64 consistency-proof lines, an empty
line, then a signed checkpoint note. ``judge`` decides, in the order tlog-witness lists its
checks, what the witness answers given the log's trusted keys and the checkpoint it recorded
last for that origin; the caller supplies the time (Unix seconds) of the cosignature and
stores what the verdict says to store, atomically with the read of the recorded checkpoint.

=====  ==========================================================================
200    the cosignature line (tlog-cosignature/v1, type 0x04); ``record`` is the
       checkpoint to keep from now on
400    malformed body, or old size above the checkpoint's size
403    no trusted log signature, or a trusted key's signature fails
404    unknown origin
409    old size differs from the recorded size; the body is that size (``text/x.tlog.size``)
422    a size-0 checkpoint whose root is not the empty tree's, a proof from size 0
       that is not empty, a consistency proof that fails, or the same size with
       another root
=====  ==========================================================================

A validly signed checkpoint that cannot extend the recorded one is evidence (``conflict``):
``fork`` when it has the recorded size and another root — two signed views of one log, which
an honest log never signs — and ``inconsistent`` when its consistency proof from the recorded
checkpoint fails (suspicious, though a wrong proof alone does not prove a fork).
"""

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from krai.log.checkpoint import MAX_SIZE, Checkpoint, parse_checkpoint_text
from krai.log.hashing import EMPTY_ROOT, HASH_SIZE
from krai.log.note import (
    CosignatureSigner,
    Note,
    NoteError,
    Signature,
    Verifier,
    decode_base64,
    format_note,
    parse_note,
    verify_note,
)
from krai.log.verify import ProofError, verify_consistency

MAX_PROOF_LINES = 63
SIZE_MEDIA_TYPE = "text/x.tlog.size"
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
FORK = "fork"
INCONSISTENT = "inconsistent"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class WitnessRequestError(ValueError):
    """An add-checkpoint body is malformed (HTTP 400)."""


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed add-checkpoint request: old size, proof, and the signed checkpoint."""

    old_size: int
    proof: tuple[bytes, ...]
    note: Note
    checkpoint: Checkpoint

    @property
    def origin(self) -> str:
        """The log the checkpoint is of."""
        return self.checkpoint.origin


@dataclass(frozen=True)
class Recorded:
    """The checkpoint a witness last cosigned for a log, as the note it keeps of it: the
    checkpoint text, the log signatures it verified and its own cosignature."""

    size: int
    root_hash: bytes
    note: str


@dataclass(frozen=True)
class Conflict:
    """A validly signed checkpoint that does not extend the recorded one: evidence."""

    kind: str
    origin: str
    recorded: Recorded
    presented_note: str
    presented_size: int
    presented_root: bytes
    old_size: int
    proof: tuple[bytes, ...]
    reason: str


@dataclass(frozen=True)
class Verdict:
    """What the witness answers, and what it stores."""

    status: int
    body: str
    content_type: str = TEXT_MEDIA_TYPE
    record: Recorded | None = None
    conflict: Conflict | None = None


def refusal(status: int, reason: str) -> Verdict:
    """A refusal with its reason as the body."""
    return Verdict(status, reason.rstrip("\n") + "\n")


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], note_text: str) -> bytes:
    """The body a log sends: ``old <size>``, the proof in base64, an empty line, the note."""
    lines = [f"old {old_size}", *(base64.b64encode(node).decode() for node in proof)]
    return ("".join(line + "\n" for line in lines) + "\n" + note_text).encode()


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse an add-checkpoint body strictly; raise ``WitnessRequestError`` if malformed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WitnessRequestError("the body is not UTF-8") from error
    header, blank, note_text = text.partition("\n\n")
    if not blank:
        raise WitnessRequestError("the body needs an empty line before the checkpoint")
    first, *proof_lines = header.split("\n")
    if not first.startswith("old "):
        raise WitnessRequestError("the body starts with the line 'old <size>'")
    old_size = parse_size(first.removeprefix("old "))
    if len(proof_lines) > MAX_PROOF_LINES:
        raise WitnessRequestError(f"at most {MAX_PROOF_LINES} consistency proof lines")
    proof = tuple(_proof_hash(line) for line in proof_lines)
    try:
        note = parse_note(note_text)
        checkpoint = parse_checkpoint_text(note.text)
    except NoteError as error:
        raise WitnessRequestError(f"the checkpoint: {error}") from error
    return AddCheckpoint(old_size, proof, note, checkpoint)


def parse_size(text: str) -> int:
    """A tree size in ASCII decimal without leading zeros, up to 2^64 - 1."""
    if len(text) > len(str(MAX_SIZE)) or not _DECIMAL.fullmatch(text) or int(text) > MAX_SIZE:
        raise WitnessRequestError(f"{text!r} is not a tree size")
    return int(text)


def _proof_hash(line: str) -> bytes:
    try:
        node = decode_base64(line)
    except NoteError as error:
        raise WitnessRequestError(f"proof line {line!r}: {error}") from error
    if len(node) != HASH_SIZE:
        raise WitnessRequestError(f"a proof hash has {HASH_SIZE} bytes, not {len(node)}")
    return node


def judge(
    request: AddCheckpoint,
    log_keys: Sequence[Verifier] | None,
    recorded: Recorded | None,
    cosigner: CosignatureSigner,
    now_s: int,
) -> Verdict:
    """The witness's answer to ``request``, given the origin's trusted keys (None: an unknown
    origin), the checkpoint recorded for it (None: never cosigned) and the time ``now_s``."""
    if now_s <= 0:
        raise ValueError("a cosignature's timestamp must not be zero")
    signed = extends(request, log_keys, recorded)
    if isinstance(signed, Verdict):
        return signed
    return _cosigned(request, signed, cosigner, now_s)


def extends(
    request: AddCheckpoint, log_keys: Sequence[Verifier] | None, recorded: Recorded | None
) -> list[Signature] | Verdict:
    """Every check of ``judge`` but the cosignature: the log's verified signatures if the
    checkpoint extends ``recorded``, else the refusal. A tlog-mirror's ``add-checkpoint``
    is this: it records the checkpoint as pending and signs nothing yet."""
    signed = _log_signatures(request, log_keys)
    if isinstance(signed, Verdict):
        return signed
    refused = _size_refusal(request, recorded)
    if refused is not None:
        return refused
    checkpoint = request.checkpoint
    known = recorded.size if recorded is not None else 0
    first_root = recorded.root_hash if recorded is not None else EMPTY_ROOT
    try:
        verify_consistency(known, checkpoint.size, first_root, checkpoint.root_hash, request.proof)
    except ProofError as error:
        return Verdict(422, f"{error}\n", conflict=_inconsistency(request, recorded, str(error)))
    return signed


def _log_signatures(
    request: AddCheckpoint, log_keys: Sequence[Verifier] | None
) -> list[Signature] | Verdict:
    """The log's verified signatures, or the refusal (404, 403)."""
    if log_keys is None:
        return refusal(404, f"unknown origin {request.origin!r}")
    try:
        return verify_note(request.note, log_keys)
    except NoteError as error:
        return refusal(403, f"the log's signature: {error}")


def _size_refusal(request: AddCheckpoint, recorded: Recorded | None) -> Verdict | None:
    """A refusal for the sizes (400, 422 for size 0, 409), or None."""
    checkpoint = request.checkpoint
    if request.old_size > checkpoint.size:
        return refusal(400, f"old size {request.old_size} exceeds size {checkpoint.size}")
    if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
        return refusal(422, "a checkpoint of size 0 must have the root of the empty tree")
    known = recorded.size if recorded is not None else 0
    if request.old_size != known:
        return Verdict(409, f"{known}\n", SIZE_MEDIA_TYPE, conflict=_fork(request, recorded))
    return None


def _cosigned(
    request: AddCheckpoint,
    log_signatures: Sequence[Signature],
    cosigner: CosignatureSigner,
    now_s: int,
) -> Verdict:
    cosignature = cosigner.sign(request.note.text, now_s)
    kept = format_note(Note(request.note.text, (*log_signatures, cosignature)))
    checkpoint = request.checkpoint
    record = Recorded(checkpoint.size, checkpoint.root_hash, kept)
    return Verdict(200, cosignature.line(), record=record)


def _fork(request: AddCheckpoint, recorded: Recorded | None) -> Conflict | None:
    """Evidence if the checkpoint has the recorded size and another root, else None."""
    checkpoint = request.checkpoint
    if recorded is None or checkpoint.size != recorded.size:
        return None
    if checkpoint.root_hash == recorded.root_hash:
        return None
    return _conflict(FORK, request, recorded, "the same size with another root hash")


def _inconsistency(
    request: AddCheckpoint, recorded: Recorded | None, reason: str
) -> Conflict | None:
    if recorded is None or recorded.size == 0:
        return None  # every tree extends the empty one: a bad proof from it shows nothing
    forked = _fork(request, recorded)
    return forked or _conflict(INCONSISTENT, request, recorded, reason)


def _conflict(kind: str, request: AddCheckpoint, recorded: Recorded, reason: str) -> Conflict:
    checkpoint = request.checkpoint
    return Conflict(
        kind=kind,
        origin=checkpoint.origin,
        recorded=recorded,
        presented_note=format_note(request.note),
        presented_size=checkpoint.size,
        presented_root=checkpoint.root_hash,
        old_size=request.old_size,
        proof=request.proof,
        reason=reason,
    )
