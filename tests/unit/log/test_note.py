"""C2SP signed notes: round trips, key texts, verification policy, strict parsing, cosignatures."""

import base64

import pytest

from krai.crypto.hashing import sha256
from krai.crypto.keys import Ed25519PublicKey
from krai.log.note import (
    MAX_SIGNATURES,
    CosignatureSigner,
    CosignatureVerifier,
    Note,
    NoteError,
    NoteSigner,
    NoteVerifier,
    Signature,
    cosignature_message,
    cosignature_timestamp,
    format_note,
    format_skey,
    format_vkey,
    open_note,
    parse_cosignature_vkey,
    parse_note,
    parse_skey,
    parse_vkey,
    sign_note,
    verify_note,
)

LOG = NoteSigner("krai.example/log", bytes(32))
OTHER = NoteSigner("other.example/log", bytes([1]) * 32)
WITNESS = CosignatureSigner("witness.example/w1", bytes([7]) * 32)
TEXT = "krai.example/log\n42\n" + base64.b64encode(bytes(range(32))).decode() + "\n"
SIG = "AAAAAAAA"  # base64 of a 4-byte key id and two signature bytes


def test_key_id_is_the_c2sp_hash_of_name_type_and_key() -> None:
    public = LOG.verifier.public_key
    assert LOG.key_id == sha256(b"krai.example/log\n\x01" + public)[:4]
    assert WITNESS.key_id == sha256(b"witness.example/w1\n\x04" + WITNESS.verifier.public_key)[:4]


def test_sign_parse_format_round_trip() -> None:
    signed = sign_note(TEXT, [LOG, OTHER])
    note = parse_note(signed)
    assert note.text == TEXT
    assert [(s.name, s.key_id) for s in note.signatures] == [
        (LOG.name, LOG.key_id),
        (OTHER.name, OTHER.key_id),
    ]
    assert format_note(note) == signed
    assert signed.splitlines()[4].startswith("\u2014 krai.example/log ")


def test_text_may_hold_blank_lines_the_last_one_separates() -> None:
    text = "first\n\nsecond\n\n\n"
    signed = sign_note(text, [LOG])
    assert parse_note(signed).text == text
    assert open_note(signed, [LOG.verifier])[0].name == LOG.name


def test_vkey_and_skey_round_trip() -> None:
    assert parse_vkey(format_vkey(LOG.verifier)) == LOG.verifier
    restored = parse_skey(format_skey(LOG))
    assert (restored.name, restored.key_id, restored.seed) == (LOG.name, LOG.key_id, LOG.seed)
    vkey = format_vkey(WITNESS.verifier)
    assert parse_cosignature_vkey(vkey) == WITNESS.verifier
    with pytest.raises(NoteError, match="type 0x01"):
        parse_vkey(vkey)
    with pytest.raises(NoteError, match="type 0x04"):
        parse_cosignature_vkey(format_vkey(LOG.verifier))


def test_unknown_keys_are_ignored() -> None:
    verified = open_note(sign_note(TEXT, [OTHER, LOG]), [LOG.verifier])
    assert [s.name for s in verified] == [LOG.name]


def test_a_known_name_with_another_key_id_is_unknown() -> None:
    impostor = NoteSigner(LOG.name, bytes([2]) * 32)
    verified = open_note(sign_note(TEXT, [impostor, LOG]), [LOG.verifier])
    assert [s.key_id for s in verified] == [LOG.key_id]
    with pytest.raises(NoteError, match="no known key"):
        open_note(sign_note(TEXT, [impostor]), [LOG.verifier])


def test_a_known_key_id_under_another_name_is_unknown() -> None:
    forged = Signature("someone.else", LOG.key_id, LOG.sign(TEXT).sig)
    with pytest.raises(NoteError, match="no known key"):
        verify_note(Note(TEXT, (forged,)), [LOG.verifier])


def test_a_failing_known_signature_refuses_the_whole_note() -> None:
    bad = Signature(LOG.name, LOG.key_id, LOG.sign("another text\n").sig)
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(Note(TEXT, (OTHER.sign(TEXT), bad)), [LOG.verifier, OTHER.verifier])


def test_no_known_signature_refuses_the_note() -> None:
    with pytest.raises(NoteError, match="no known key"):
        open_note(sign_note(TEXT, [OTHER]), [LOG.verifier])
    with pytest.raises(NoteError, match="no known key"):
        open_note(sign_note(TEXT, [OTHER]), [])


def test_a_repeated_signature_counts_once_and_every_copy_is_checked() -> None:
    good = LOG.sign(TEXT)
    assert verify_note(Note(TEXT, (good, good)), [LOG.verifier]) == [good]
    bad = Signature(LOG.name, LOG.key_id, bytes(64))
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(Note(TEXT, (good, bad)), [LOG.verifier])


def test_verifiers_sharing_a_name_and_key_id_are_refused() -> None:
    twin = NoteVerifier(LOG.name, OTHER.verifier.public_key)
    object.__setattr__(twin, "key_id", LOG.key_id)
    with pytest.raises(NoteError, match="share the name"):
        open_note(sign_note(TEXT, [LOG]), [LOG.verifier, twin])
    assert open_note(sign_note(TEXT, [LOG]), [LOG.verifier, LOG.verifier])


def test_up_to_100_signatures_are_accepted_and_101_refused() -> None:
    signers = [NoteSigner(f"s{i}.example", i.to_bytes(32, "big")) for i in range(101)]
    signatures = tuple(s.sign(TEXT) for s in signers)
    full = Note(TEXT, signatures[:MAX_SIGNATURES])
    verified = open_note(format_note(full), [s.verifier for s in signers])
    assert len(verified) == MAX_SIGNATURES
    too_many = format_note(full) + signatures[100].line()
    with pytest.raises(NoteError, match="at most 100"):
        parse_note(too_many)
    with pytest.raises(NoteError, match="at most 100"):
        format_note(Note(TEXT, signatures))


MALFORMED_NOTES = {
    "no final newline": f"text\n\n\u2014 name {SIG}",
    "no blank line": f"text\n\u2014 name {SIG}\n",
    "no signature line": "text\n\n",
    "blank line after signatures": f"text\n\n\u2014 name {SIG}\n\n",
    "ascii dash": f"text\n\n- name {SIG}\n",
    "en dash": f"text\n\n\u2013 name {SIG}\n",
    "no space after dash": f"text\n\n\u2014name {SIG}\n",
    "no signature after name": "text\n\n\u2014 name\n",
    "empty name": f"text\n\n\u2014  {SIG}\n",
    "plus in name": f"text\n\n\u2014 na+me {SIG}\n",
    "no-break space in name": f"text\n\n\u2014 na\u00a0me {SIG}\n",
    "em space in name": f"text\n\n\u2014 na\u2003me {SIG}\n",
    "two spaces before signature": f"text\n\n\u2014 name  {SIG}\n",
    "space after signature": f"text\n\n\u2014 name {SIG} \n",
    "base64 alphabet": "text\n\n\u2014 name AAAA!AAA\n",
    "base64 url alphabet": "text\n\n\u2014 name AAAA_-AA\n",
    "base64 without padding": "text\n\n\u2014 name AAAAAAA\n",
    "base64 non-canonical bits": "text\n\n\u2014 name AAAAAAB=\n",
    "key id only": "text\n\n\u2014 name AAAAAA==\n",
    "tab in text": f"te\txt\n\n\u2014 name {SIG}\n",
    "carriage return in text": f"text\r\n\n\u2014 name {SIG}\n",
    "nul in text": f"te\x00xt\n\n\u2014 name {SIG}\n",
    "escape in signature line": f"text\n\n\u2014 na\x1bme {SIG}\n",
    "lone surrogate": f"te\ud800xt\n\n\u2014 name {SIG}\n",
    "empty note": "",
}


@pytest.mark.parametrize("note", MALFORMED_NOTES.values(), ids=MALFORMED_NOTES.keys())
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError):
        parse_note(note)


def test_the_smallest_well_formed_note_parses() -> None:
    note = parse_note(f"\n\n\u2014 name {SIG}\n")
    assert note.text == "\n"
    assert note.signatures == (Signature("name", bytes(4), bytes(2)),)


@pytest.mark.parametrize(
    "text", ["no newline", "tab\there\n", "nul\x00\n", ""], ids=["end", "tab", "nul", "empty"]
)
def test_signing_refuses_malformed_text(text: str) -> None:
    with pytest.raises(NoteError):
        LOG.sign(text)


def test_delete_and_non_ascii_are_text() -> None:
    text = "caf\u00e9 \u2014 \u0444\u0430\u0439\u043b\x7f\n"
    assert open_note(sign_note(text, [LOG]), [LOG.verifier])


def test_format_note_needs_a_signature() -> None:
    with pytest.raises(NoteError, match="at least one"):
        format_note(Note(TEXT))


@pytest.mark.parametrize(
    ("name", "key_id", "sig"),
    [("", bytes(4), b"s"), ("a b", bytes(4), b"s"), ("n", bytes(3), b"s"), ("n", bytes(4), b"")],
    ids=["empty name", "space", "short id", "no signature"],
)
def test_signature_fields_are_checked(name: str, key_id: bytes, sig: bytes) -> None:
    with pytest.raises(NoteError):
        Signature(name, key_id, sig)


VKEY = format_vkey(LOG.verifier)
_NAME, _ID, _MATERIAL = VKEY.split("+", 2)
MALFORMED_VKEYS = {
    "two parts": f"{_NAME}+{_ID}",
    "empty name": f"+{_ID}+{_MATERIAL}",
    "short id": f"{_NAME}+{_ID[:7]}+{_MATERIAL}",
    "upper-case id": f"{_NAME}+{_ID.upper() if _ID.upper() != _ID else 'ABCDEF01'}+{_MATERIAL}",
    "wrong id": f"{_NAME}+{'0' * 8 if _ID != '0' * 8 else '1' * 8}+{_MATERIAL}",
    "other name": f"other.example+{_ID}+{_MATERIAL}",
    "bad base64": f"{_NAME}+{_ID}+{_MATERIAL[:-1]}",
    "short key": f"{_NAME}+{_ID}+" + base64.b64encode(b"\x01" + bytes(31)).decode(),
    "unknown type": f"{_NAME}+{_ID}+" + base64.b64encode(b"\x02" + bytes(32)).decode(),
}


@pytest.mark.parametrize("vkey", MALFORMED_VKEYS.values(), ids=MALFORMED_VKEYS.keys())
def test_malformed_vkeys_are_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        parse_vkey(vkey)


SKEY = format_skey(LOG)
MALFORMED_SKEYS = {
    "no prefix": SKEY.removeprefix("PRIVATE+KEY+"),
    "private only": SKEY.replace("PRIVATE+KEY+", "PRIVATE+"),
    "wrong id": SKEY.replace(f"+{LOG.key_id.hex()}+", "+00000000+"),
    "cosignature type": SKEY.replace(
        base64.b64encode(b"\x01" + LOG.seed).decode(),
        base64.b64encode(b"\x04" + LOG.seed).decode(),
    ),
}


@pytest.mark.parametrize("skey", MALFORMED_SKEYS.values(), ids=MALFORMED_SKEYS.keys())
def test_malformed_skeys_are_refused(skey: str) -> None:
    with pytest.raises(NoteError):
        parse_skey(skey)


def test_verifier_keys_are_checked() -> None:
    with pytest.raises(NoteError, match="32 bytes"):
        NoteVerifier("n", bytes(31))
    with pytest.raises(NoteError, match="key name"):
        CosignatureVerifier("a+b", bytes(32))


# cosignatures (type 0x04)


def test_cosignature_signs_the_c2sp_message() -> None:
    signature = WITNESS.sign(TEXT, 1_679_315_147)
    assert cosignature_message(TEXT, 1_679_315_147) == (
        b"cosignature/v1\ntime 1679315147\n" + TEXT.encode()
    )
    assert signature.sig[:8] == (1_679_315_147).to_bytes(8, "big")
    assert len(signature.sig) == 72
    public = Ed25519PublicKey(WITNESS.verifier.public_key)
    assert public.verify(cosignature_message(TEXT, 1_679_315_147), signature.sig[8:])
    assert cosignature_timestamp(signature.sig) == 1_679_315_147


def test_a_cosigned_checkpoint_opens_with_log_and_witness_keys() -> None:
    note = Note(TEXT, (LOG.sign(TEXT), WITNESS.sign(TEXT, 1_700_000_000)))
    signed = format_note(note)
    verified = open_note(signed, [LOG.verifier, WITNESS.verifier])
    assert [s.name for s in verified] == [LOG.name, WITNESS.name]
    assert cosignature_timestamp(verified[1].sig) == 1_700_000_000
    assert [s.name for s in open_note(signed, [WITNESS.verifier])] == [WITNESS.name]


def test_a_tampered_cosignature_fails() -> None:
    signature = WITNESS.sign(TEXT, 1_700_000_000)
    assert WITNESS.verifier.verify(TEXT, signature.sig)
    assert not WITNESS.verifier.verify(TEXT.replace("42", "43"), signature.sig)
    later = (1_700_000_001).to_bytes(8, "big") + signature.sig[8:]
    assert not WITNESS.verifier.verify(TEXT, later)
    assert not WITNESS.verifier.verify(TEXT, signature.sig[:71])
    huge = (2**63).to_bytes(8, "big") + signature.sig[8:]
    assert not WITNESS.verifier.verify(TEXT, huge)


def test_a_cosignature_is_not_a_note_signature_of_the_same_key() -> None:
    same_key = NoteSigner(WITNESS.name, bytes([7]) * 32)
    assert same_key.verifier.public_key == WITNESS.verifier.public_key
    assert same_key.key_id != WITNESS.key_id
    with pytest.raises(NoteError, match="no known key"):
        open_note(sign_note(TEXT, [same_key]), [WITNESS.verifier])


@pytest.mark.parametrize("timestamp", [-1, 2**63])
def test_cosignature_timestamps_lie_in_range(timestamp: int) -> None:
    with pytest.raises(NoteError, match="timestamp"):
        WITNESS.sign(TEXT, timestamp)


def test_cosignature_timestamp_checks_its_input() -> None:
    with pytest.raises(NoteError, match="8-byte"):
        cosignature_timestamp(bytes(71))
    with pytest.raises(NoteError, match="2\\^63"):
        cosignature_timestamp((2**63).to_bytes(8, "big") + bytes(64))
    assert cosignature_timestamp((2**63 - 1).to_bytes(8, "big") + bytes(64)) == 2**63 - 1
