"""C2SP tlog-checkpoint: origin, size, base64 root hash — the text of a signed note."""

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from krai.log.hashing import HASH_SIZE
from krai.log.note import NoteError, NoteSigner, NoteVerifier, open_note, sign_note

SIZE_PATTERN = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the log's size and root hash."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint's note text."""
        root = base64.b64encode(self.root_hash).decode()
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Parse checkpoint text strictly."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has origin, size and root lines, each ending in a newline")
    origin, size, root, *extensions = lines[:-1]
    if not origin:
        raise NoteError("empty checkpoint origin")
    if not SIZE_PATTERN.fullmatch(size):
        raise NoteError(f"checkpoint size {size!r} is not a decimal without leading zeros")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError("checkpoint root is not base64") from error
    if len(root_hash) != HASH_SIZE or any(not line for line in extensions):
        raise NoteError("checkpoint root must have 32 bytes and extension lines text")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The signed note of ``checkpoint``."""
    return sign_note(checkpoint.text(), [signer])


def open_checkpoint(note: str, verifiers: Sequence[NoteVerifier], origin: str) -> Checkpoint:
    """Verify a signed checkpoint of the log ``origin`` and parse it."""
    opened, _ = open_note(note, verifiers)
    checkpoint = parse_checkpoint_text(opened.text)
    if checkpoint.origin != origin:
        raise NoteError(f"checkpoint of {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint
