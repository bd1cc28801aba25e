"""C2SP tlog-checkpoint: the text of a signed note stating a log's size and root hash.

The text is at least three non-empty lines, each ending in a newline: the origin (the log's
identity, non-empty), the tree size in ASCII decimal without leading zeros, the base64 root
hash (32 bytes), then optional non-empty extension lines. The log signs it as a note
(``sign_checkpoint``); readers verify the signature before trusting the text
(``open_checkpoint``).
"""

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from krai.log.hashing import HASH_SIZE
from krai.log.note import (
    NoteError,
    NoteSigner,
    Verifier,
    check_note_text,
    decode_base64,
    parse_note,
    sign_note,
    verify_note,
)

MAX_SIZE = 2**64 - 1
_SIZE = re.compile(r"0|[1-9][0-9]*")


class CheckpointError(NoteError):
    """Checkpoint text is malformed, or names another log."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's statement of its size and root hash, with optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for line in (self.origin, *self.extensions):
            _check_line(line)
        if not 0 <= self.size <= MAX_SIZE:
            raise CheckpointError(f"a tree size lies in 0..2^64-1, not {self.size}")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"a root hash has {HASH_SIZE} bytes")


def _check_line(line: str) -> None:
    if not line or "\n" in line:
        raise CheckpointError("checkpoint origin and extension lines are non-empty single lines")
    try:
        check_note_text(line + "\n")
    except NoteError as error:
        raise CheckpointError(f"checkpoint line {line!r}: {error}") from error


def format_checkpoint_text(checkpoint: Checkpoint) -> str:
    """The checkpoint's note text: origin, size, base64 root, extensions, one per line."""
    root = base64.b64encode(checkpoint.root_hash).decode()
    lines = [checkpoint.origin, str(checkpoint.size), root, *checkpoint.extensions]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Parse checkpoint text strictly; raise ``CheckpointError`` if malformed."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has origin, size and root hash lines")
    origin, size, root, *extensions = lines
    if len(size) > len(str(MAX_SIZE)) or not _SIZE.fullmatch(size):
        raise CheckpointError(f"tree size {size!r} is not a decimal without leading zeros")
    try:
        root_hash = decode_base64(root)
    except NoteError as error:
        raise CheckpointError(f"checkpoint root hash: {error}") from error
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The signed note of ``checkpoint`` by the log's key."""
    return sign_note(format_checkpoint_text(checkpoint), [signer])


def open_checkpoint(note_text: str, verifiers: Sequence[Verifier], origin: str) -> Checkpoint:
    """Verify a signed checkpoint of the log ``origin`` (see ``open_note``) and parse it.

    ``verifiers`` are the log's own keys: any one of them verifying is enough.
    """
    note = parse_note(note_text)
    verify_note(note, verifiers)
    checkpoint = parse_checkpoint_text(note.text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint of {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint
