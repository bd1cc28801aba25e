"""Signed notes, checkpoints, cosignatures and tile paths."""

import base64

import pytest

from krai.log.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint_text, sign_checkpoint
from krai.log.note import (
    NoteError,
    NoteSigner,
    cosign,
    format_vkey,
    open_note,
    parse_note,
    parse_vkey,
    sign_note,
    verify_cosignature,
)
from krai.log.tiles import TilePathError, encode_index, parse_tile_path, tile_path

LOG = NoteSigner("krai.example/log", bytes(32))
OTHER = NoteSigner("other.example/log", bytes([1]) * 32)


def test_vkey_round_trip() -> None:
    assert parse_vkey(format_vkey(LOG.verifier)) == LOG.verifier


def test_checkpoint_sign_and_open() -> None:
    checkpoint = Checkpoint("krai.example/log", 42, bytes(range(32)))
    note = sign_checkpoint(checkpoint, LOG)
    assert note.startswith("krai.example/log\n42\n")
    assert open_checkpoint(note, [LOG.verifier], "krai.example/log") == checkpoint


def test_unknown_signatures_are_ignored_but_a_known_failing_one_refuses() -> None:
    text = "hello\n"
    both = sign_note(text, [OTHER, LOG])
    _, verified = open_note(both, [LOG.verifier])
    assert [s.name for s in verified] == ["krai.example/log"]
    forged = sign_note("hellO\n", [LOG]).replace("hellO", "hello")
    with pytest.raises(NoteError, match="does not verify"):
        open_note(forged, [LOG.verifier])
    with pytest.raises(NoteError, match="no trusted key"):
        open_note(sign_note(text, [OTHER]), [LOG.verifier])


def test_checkpoint_of_another_origin_is_refused() -> None:
    note = sign_checkpoint(Checkpoint("krai.example/log", 1, bytes(32)), LOG)
    with pytest.raises(NoteError, match="expected"):
        open_checkpoint(note, [LOG.verifier], "krai.example/other")


@pytest.mark.parametrize(
    "text",
    [
        "origin\n01\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1\n" + base64.b64encode(bytes(31)).decode() + "\n",
        "\n1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n1\n",
        "origin\n1\n" + base64.b64encode(bytes(32)).decode(),
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint_text(text)


@pytest.mark.parametrize(
    "note",
    [
        "no blank line\n",
        "text\n\n- dash name AAAA\n",
        "text\n\n— name !!!\n",
        "te\x01xt\n\n— n AAAAAAA=\n",
        "text",
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError):
        parse_note(note)


def test_cosignature_round_trip_and_tamper() -> None:
    text = Checkpoint("krai.example/log", 7, bytes(32)).text()
    witness_seed = bytes([9]) * 32
    signature = cosign(text, "witness.example", witness_seed, 1_700_000_000)
    from krai.crypto.keys import Ed25519PrivateKey

    public = Ed25519PrivateKey(witness_seed).public_key.raw
    assert verify_cosignature(text, signature, public) == 1_700_000_000
    with pytest.raises(NoteError):
        verify_cosignature(text.replace("7", "8"), signature, public)


def test_tile_paths() -> None:
    assert encode_index(1234067) == "x001/x234/067"
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(1, 5, 17) == "tile/1/005.p/17"
    assert parse_tile_path("tile/0/x001/x234/067") == (0, 1234067, 256)
    assert parse_tile_path("tile/2/005.p/17") == (2, 5, 17)
    for bad in ["tile/0/1234", "tile/0/005.p/256", "tile/0/005.p/0", "tiles/0/005"]:
        with pytest.raises(TilePathError):
            parse_tile_path(bad)
