"""C2SP tlog-checkpoint: text round trips, strict parsing, signing and opening."""

import base64

import pytest

from krai.log.checkpoint import (
    Checkpoint,
    CheckpointError,
    format_checkpoint_text,
    open_checkpoint,
    parse_checkpoint_text,
    sign_checkpoint,
)
from krai.log.hashing import EMPTY_ROOT
from krai.log.note import (
    CosignatureSigner,
    Note,
    NoteError,
    NoteSigner,
    format_note,
    parse_note,
)

ORIGIN = "krai.example/log"
LOG = NoteSigner(ORIGIN, bytes(32))
OTHER_LOG = NoteSigner("other.example/log", bytes([1]) * 32)
ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()


def test_format_is_origin_size_root_and_extensions() -> None:
    assert format_checkpoint_text(Checkpoint(ORIGIN, 42, ROOT)) == f"{ORIGIN}\n42\n{ROOT_B64}\n"
    with_extensions = Checkpoint(ORIGIN, 0, EMPTY_ROOT, ("ext one", "ext-2"))
    text = format_checkpoint_text(with_extensions)
    assert text.endswith("\next one\next-2\n")
    assert parse_checkpoint_text(text) == with_extensions


@pytest.mark.parametrize("size", [0, 1, 9, 10, 20852163, 2**64 - 1])
def test_round_trip(size: int) -> None:
    checkpoint = Checkpoint(ORIGIN, size, ROOT)
    assert parse_checkpoint_text(format_checkpoint_text(checkpoint)) == checkpoint


def test_the_c2sp_sample_round_trips() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert format_checkpoint_text(parse_checkpoint_text(text)) == text


MALFORMED = {
    "leading zero": f"{ORIGIN}\n01\n{ROOT_B64}\n",
    "plus sign": f"{ORIGIN}\n+1\n{ROOT_B64}\n",
    "negative": f"{ORIGIN}\n-1\n{ROOT_B64}\n",
    "space before size": f"{ORIGIN}\n 1\n{ROOT_B64}\n",
    "space after size": f"{ORIGIN}\n1 \n{ROOT_B64}\n",
    "underscore in size": f"{ORIGIN}\n1_000\n{ROOT_B64}\n",
    "non-ascii digits": f"{ORIGIN}\n\u0661\u0662\n{ROOT_B64}\n",
    "empty size": f"{ORIGIN}\n\n{ROOT_B64}\n",
    "size above 2^64-1": f"{ORIGIN}\n{2**64}\n{ROOT_B64}\n",
    "very long size": f"{ORIGIN}\n{'9' * 5000}\n{ROOT_B64}\n",
    "root of 31 bytes": f"{ORIGIN}\n1\n{base64.b64encode(bytes(31)).decode()}\n",
    "root of 33 bytes": f"{ORIGIN}\n1\n{base64.b64encode(bytes(33)).decode()}\n",
    "root in hex": f"{ORIGIN}\n1\n{ROOT.hex()}\n",
    "root without padding": f"{ORIGIN}\n1\n{ROOT_B64.rstrip('=')}\n",
    "root non-canonical": f"{ORIGIN}\n1\n{ROOT_B64[:-2]}J=\n",
    "root in url alphabet": f"{ORIGIN}\n1\n{base64.urlsafe_b64encode(bytes([251]) * 32).decode()}"
    "\n",
    "empty origin": f"\n1\n{ROOT_B64}\n",
    "missing root": f"{ORIGIN}\n1\n",
    "no final newline": f"{ORIGIN}\n1\n{ROOT_B64}",
    "empty extension": f"{ORIGIN}\n1\n{ROOT_B64}\n\next\n",
    "trailing blank line": f"{ORIGIN}\n1\n{ROOT_B64}\n\n",
    "control in origin": f"krai\x07\n1\n{ROOT_B64}\n",
    "control in extension": f"{ORIGIN}\n1\n{ROOT_B64}\next\ttab\n",
    "empty text": "",
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint_text(text)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("two\nlines", 1, ROOT, ()),
        (ORIGIN, -1, ROOT, ()),
        (ORIGIN, 2**64, ROOT, ()),
        (ORIGIN, 1, ROOT[:31], ()),
        (ORIGIN, 1, ROOT, ("",)),
        (ORIGIN, 1, ROOT, ("a\nb",)),
    ],
    ids=["empty origin", "origin newline", "negative", "huge", "short root", "empty ext", "ext nl"],
)
def test_checkpoint_fields_are_checked(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(origin, size, root, extensions)


def test_checkpoint_error_is_a_note_error() -> None:
    assert issubclass(CheckpointError, NoteError)
    assert issubclass(CheckpointError, ValueError)


def test_sign_and_open() -> None:
    checkpoint = Checkpoint(ORIGIN, 42, ROOT)
    signed = sign_checkpoint(checkpoint, LOG)
    assert signed.startswith(f"{ORIGIN}\n42\n{ROOT_B64}\n\n\u2014 {ORIGIN} ")
    assert open_checkpoint(signed, [LOG.verifier], ORIGIN) == checkpoint
    assert open_checkpoint(signed, [OTHER_LOG.verifier, LOG.verifier], ORIGIN) == checkpoint


def test_an_empty_tree_checkpoint() -> None:
    checkpoint = Checkpoint(ORIGIN, 0, EMPTY_ROOT)
    assert open_checkpoint(sign_checkpoint(checkpoint, LOG), [LOG.verifier], ORIGIN) == checkpoint


def test_open_refuses_another_origin() -> None:
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), LOG)
    with pytest.raises(CheckpointError, match="expected"):
        open_checkpoint(signed, [LOG.verifier], "krai.example/other")


def test_open_refuses_a_checkpoint_without_a_trusted_signature() -> None:
    signed = sign_checkpoint(Checkpoint(ORIGIN, 1, ROOT), OTHER_LOG)
    with pytest.raises(NoteError, match="no known key"):
        open_checkpoint(signed, [LOG.verifier], ORIGIN)


def test_open_refuses_a_tampered_checkpoint() -> None:
    signed = sign_checkpoint(Checkpoint(ORIGIN, 41, ROOT), LOG)
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(signed.replace("\n41\n", "\n42\n"), [LOG.verifier], ORIGIN)


def test_open_refuses_signed_text_that_is_not_a_checkpoint() -> None:
    signed = format_note(
        Note(f"{ORIGIN}\n01\n{ROOT_B64}\n", (LOG.sign(f"{ORIGIN}\n01\n{ROOT_B64}\n"),))
    )
    with pytest.raises(CheckpointError, match="leading zeros"):
        open_checkpoint(signed, [LOG.verifier], ORIGIN)


def test_a_cosigned_checkpoint_opens_with_the_log_key() -> None:
    checkpoint = Checkpoint(ORIGIN, 42, ROOT)
    signed = sign_checkpoint(checkpoint, LOG)
    note = parse_note(signed)
    witness = CosignatureSigner("witness.example/w1", bytes([3]) * 32)
    cosigned = format_note(
        Note(note.text, (*note.signatures, witness.sign(note.text, 1_700_000_000)))
    )
    assert open_checkpoint(cosigned, [LOG.verifier], ORIGIN) == checkpoint
    assert open_checkpoint(cosigned, [LOG.verifier, witness.verifier], ORIGIN) == checkpoint
