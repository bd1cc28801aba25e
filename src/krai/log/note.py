"""C2SP signed notes: text, a blank line, and signature lines ``— <name> <base64>``.

Ed25519 signatures are key type 0x01 (the text's bytes are signed); witness cosignatures
are type 0x04 (C2SP tlog-cosignature: ``cosignature/v1``, a timestamp line, then the
checkpoint text; the signature bytes are the 8-byte timestamp followed by the signature).
A key id is SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4].
"""

import base64
import binascii
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from krai.crypto.hashing import sha256
from krai.crypto.keys import Ed25519PrivateKey, Ed25519PublicKey

ED25519_TYPE = 0x01
COSIGNATURE_TYPE = 0x04
SIGNATURE_PREFIX = "\u2014 "
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, key or signature is malformed, or no trusted key signed the note."""


@dataclass(frozen=True)
class Signature:
    """One signature line: the key's name, its 4-byte id and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The signature line, with its final newline."""
        encoded = base64.b64encode(self.key_id + self.signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """A note's text (ending in a newline) and its signatures."""

    text: str
    signatures: tuple[Signature, ...]

    def format(self) -> str:
        """The note as C2SP writes it."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def note_key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]."""
    return sha256(name.encode() + b"\n" + bytes([key_type]) + public_key)[:4]


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted key: its name, id, type and public key."""

    name: str
    key_id: bytes
    key_type: int
    public_key: bytes

    def verify(self, text: str, signature: bytes) -> bool:
        """Whether ``signature`` (type 0x01) signs ``text``."""
        return Ed25519PublicKey(self.public_key).verify(text.encode(), signature)


class NoteSigner:
    """Signs notes with an Ed25519 key (type 0x01) under a key name."""

    def __init__(self, name: str, seed: bytes) -> None:
        check_key_name(name)
        self.name = name
        self._key = Ed25519PrivateKey(seed)
        public = self._key.public_key.raw
        self.verifier = NoteVerifier(
            name, note_key_id(name, ED25519_TYPE, public), ED25519_TYPE, public
        )

    def sign(self, text: str) -> Signature:
        """The signature of ``text``."""
        check_text(text)
        return Signature(self.name, self.verifier.key_id, self._key.sign(text.encode()))


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note of ``text`` by every signer."""
    return Note(text, tuple(s.sign(text) for s in signers)).format()


def format_vkey(verifier: NoteVerifier) -> str:
    """``name+hex(key id)+base64(type ‖ public key)``."""
    material = base64.b64encode(bytes([verifier.key_type]) + verifier.public_key).decode()
    return f"{verifier.name}+{verifier.key_id.hex()}+{material}"


def parse_vkey(vkey: str) -> NoteVerifier:
    """Parse a verifier key, checking that its id matches its name and key."""
    name, key_id_hex, material = _split_key(vkey, 3)
    raw = _b64(material)
    if len(raw) != 33 or raw[0] != ED25519_TYPE:
        raise NoteError("only Ed25519 (type 0x01) verifier keys of 32 bytes are supported")
    verifier = NoteVerifier(name, note_key_id(name, raw[0], raw[1:]), raw[0], raw[1:])
    if verifier.key_id.hex() != key_id_hex:
        raise NoteError(f"verifier key id {key_id_hex} does not match its name and key")
    return verifier


def parse_skey(skey: str) -> NoteSigner:
    """Parse a Go-style ``PRIVATE+KEY+name+hexid+base64(0x01 ‖ seed)`` signer key."""
    if not skey.startswith("PRIVATE+KEY+"):
        raise NoteError("a signer key starts with PRIVATE+KEY+")
    name, key_id_hex, material = _split_key(skey.removeprefix("PRIVATE+KEY+"), 3)
    raw = _b64(material)
    if len(raw) != 33 or raw[0] != ED25519_TYPE:
        raise NoteError("only Ed25519 signer keys are supported")
    signer = NoteSigner(name, raw[1:])
    if signer.verifier.key_id.hex() != key_id_hex:
        raise NoteError("signer key id does not match its name and key")
    return signer


def parse_note(data: str) -> Note:
    """Split a signed note into its text and signatures, strictly."""
    check_text(data)
    text, separator, block = data.rpartition("\n\n")
    if not separator or not block.endswith("\n"):
        raise NoteError("a signed note is text, a blank line and signature lines")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return Note(text + "\n", tuple(_parse_signature(line) for line in lines))


def open_note(data: str, verifiers: Sequence[NoteVerifier]) -> tuple[Note, list[Signature]]:
    """Verify a note: ignore unknown keys, refuse a failing known key or no known key."""
    note = parse_note(data)
    trusted = {(v.name, v.key_id): v for v in verifiers}
    verified: list[Signature] = []
    for signature in note.signatures:
        verifier = trusted.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        if not verifier.verify(note.text, signature.signature):
            raise NoteError(f"the signature of {signature.name} does not verify")
        verified.append(signature)
    if not verified:
        raise NoteError("no trusted key signed the note")
    return note, verified


def check_key_name(name: str) -> None:
    """Key names are non-empty, without spaces, '+' or control characters."""
    if not name or any(c in name for c in " +\n\t") or not name.isprintable():
        raise NoteError(f"invalid key name {name!r}")


def check_text(text: str) -> None:
    """Note text ends in a newline and holds no control characters but newlines."""
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any((ord(c) < 0x20 and c != "\n") or c == "\x7f" for c in text):
        raise NoteError("note text holds a control character")


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The bytes a tlog-cosignature (type 0x04) signs."""
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


def cosign(checkpoint_text: str, name: str, seed: bytes, timestamp: int) -> Signature:
    """A C2SP tlog-cosignature/v1 of a checkpoint at ``timestamp`` (Unix seconds)."""
    key = Ed25519PrivateKey(seed)
    identifier = note_key_id(name, COSIGNATURE_TYPE, key.public_key.raw)
    signature = key.sign(cosignature_message(checkpoint_text, timestamp))
    return Signature(name, identifier, struct.pack(">Q", timestamp) + signature)


def verify_cosignature(checkpoint_text: str, signature: Signature, public_key: bytes) -> int:
    """Check a type 0x04 cosignature; return its timestamp."""
    if signature.key_id != note_key_id(signature.name, COSIGNATURE_TYPE, public_key):
        raise NoteError("cosignature key id does not match the witness key")
    if len(signature.signature) != 72:
        raise NoteError("a cosignature is an 8-byte timestamp and a 64-byte signature")
    (timestamp,) = struct.unpack(">Q", signature.signature[:8])
    message = cosignature_message(checkpoint_text, timestamp)
    if not Ed25519PublicKey(public_key).verify(message, signature.signature[8:]):
        raise NoteError(f"the cosignature of {signature.name} does not verify")
    return int(timestamp)


def _parse_signature(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError("a signature line starts with an em dash and a space")
    name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    check_key_name(name)
    raw = _b64(encoded)
    if len(raw) < 5:
        raise NoteError("a signature holds a 4-byte key id and signature bytes")
    return Signature(name, raw[:4], raw[4:])


def _split_key(text: str, parts: int) -> list[str]:
    pieces = text.split("+", parts - 1)
    if len(pieces) != parts:
        raise NoteError("a key is name+hexid+base64")
    check_key_name(pieces[0])
    if len(pieces[1]) != 8:
        raise NoteError("a key id has 8 hex digits")
    return pieces


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError("not valid base64") from error
