"""C2SP signed notes: a text, a blank line, then signature lines ``— <name> <base64>``.

A note is UTF-8 text ending in a newline, with no control character but the newline. The
text is separated from the signatures by the note's last blank line; each signature line
is an em dash (U+2014), a space, the key name, a space and base64(4-byte key id ‖
signature). Key names are non-empty, without Unicode spaces or ``+``. A key id is
SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]; a verifier key (vkey) is
``name+hex(key id)+base64(type ‖ public key)``.

Two signature types are implemented, both Ed25519 (RFC 8032):

* 0x01 (``NoteSigner``, ``NoteVerifier``): signs the text's bytes.
* 0x04 (``CosignatureSigner``, ``CosignatureVerifier``), C2SP tlog-cosignature/v1: signs
  ``"cosignature/v1\\ntime <unix seconds>\\n" + text``; the signature bytes are the 8-byte
  big-endian timestamp then the 64-byte signature. The caller supplies the timestamp.

``open_note`` ignores signatures of unknown (name, key id) pairs, refuses the whole note if
a known key's signature fails, and refuses it if no known key signed. Parsing is strict:
base64 must be canonical, and a note may carry at most 100 signature lines.
"""

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from krai.crypto.hashing import sha256
from krai.crypto.keys import Ed25519PrivateKey, Ed25519PublicKey

ED25519_TYPE = 0x01
COSIGNATURE_TYPE = 0x04
MAX_SIGNATURES = 100
MAX_TIMESTAMP = 2**63 - 1
SIGNATURE_PREFIX = "\u2014 "
SKEY_PREFIX = "PRIVATE+KEY+"
KEY_ID_SIZE = 4
ED25519_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")
_V = TypeVar("_V", "NoteVerifier", "CosignatureVerifier")


class NoteError(ValueError):
    """A note, key or signature is malformed, or the note is not signed by a trusted key."""


def check_key_name(name: str) -> None:
    """Refuse a key name that is empty or holds a Unicode space, a ``+`` or a control."""
    if not name or "+" in name or any(c.isspace() for c in name) or _CONTROL.search(name):
        raise NoteError(f"invalid key name {name!r}")


def check_note_text(text: str) -> None:
    """Refuse note text not ending in a newline, not UTF-8, or holding a control character."""
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if _CONTROL.search(text):
        raise NoteError("note text holds a control character other than newline")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise NoteError("note text is not valid UTF-8") from error


def decode_base64(text: str) -> bytes:
    """Decode canonical standard base64 (RFC 4648 §4, padded), refusing anything else."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError("not valid base64") from error
    if base64.b64encode(raw).decode() != text:
        raise NoteError("base64 is not in its canonical form")
    return raw


def note_key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]."""
    return sha256(name.encode() + b"\n" + bytes([key_type]) + public_key)[:KEY_ID_SIZE]


def cosignature_message(text: str, timestamp: int) -> bytes:
    """What a tlog-cosignature/v1 (type 0x04) signs: header, time line, then the text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosignature_timestamp(sig: bytes) -> int:
    """The Unix time a type 0x04 cosignature states (its first 8 bytes, big-endian)."""
    if len(sig) != 8 + ED25519_SIGNATURE_SIZE:
        raise NoteError("a cosignature is an 8-byte timestamp and a 64-byte signature")
    timestamp = int.from_bytes(sig[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        raise NoteError("a cosignature timestamp must not exceed 2^63 - 1")
    return timestamp


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, 4-byte key id, and the signature bytes after the id."""

    name: str
    key_id: bytes
    sig: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.key_id) != KEY_ID_SIZE or not self.sig:
            raise NoteError("a signature has a 4-byte key id and at least one signature byte")

    def line(self) -> str:
        """The signature line, ending in a newline."""
        encoded = base64.b64encode(self.key_id + self.sig).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """A note's text (ending in a newline) and its signatures, in order."""

    text: str
    signatures: tuple[Signature, ...] = ()

    def __post_init__(self) -> None:
        check_note_text(self.text)


def format_note(note: Note) -> str:
    """The signed note: text, a blank line, one line per signature."""
    if not note.signatures:
        raise NoteError("a signed note needs at least one signature")
    if len(note.signatures) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return note.text + "\n" + "".join(s.line() for s in note.signatures)


def parse_note(data: str) -> Note:
    """Split a signed note into its text and signatures, strictly; verify nothing."""
    check_note_text(data)
    split = data.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note is text, a blank line, then signature lines")
    text, block = data[: split + 1], data[split + 2 :]
    if not block:
        raise NoteError("a signed note has at least one signature line")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return Note(text, tuple(_parse_signature_line(line) for line in lines))


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError("a signature line starts with an em dash (U+2014) and a space")
    name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise NoteError("a signature line is '— <name> <base64>'")
    check_key_name(name)
    raw = decode_base64(encoded)
    if len(raw) <= KEY_ID_SIZE:
        raise NoteError("a signature holds a 4-byte key id and signature bytes")
    return Signature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


class Verifier(Protocol):
    """A trusted key: it checks the signatures of one (name, key id) pair."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    @property
    def key_type(self) -> int: ...

    @property
    def public_key(self) -> bytes: ...

    def verify(self, text: str, sig: bytes) -> bool:
        """Whether ``sig`` (the bytes after the key id) is valid for the note ``text``."""
        ...


@dataclass(frozen=True)
class NoteVerifier:
    """Checks type 0x01 Ed25519 note signatures by one key."""

    name: str
    public_key: bytes
    key_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "key_id", _ed25519_key_id(self.name, ED25519_TYPE, self.public_key)
        )

    @property
    def key_type(self) -> int:
        """0x01."""
        return ED25519_TYPE

    def verify(self, text: str, sig: bytes) -> bool:
        """Whether ``sig`` is this key's Ed25519 signature of ``text``'s UTF-8 bytes."""
        return Ed25519PublicKey(self.public_key).verify(text.encode(), sig)


@dataclass(frozen=True)
class CosignatureVerifier:
    """Checks type 0x04 (tlog-cosignature/v1) timestamped Ed25519 cosignatures by one key."""

    name: str
    public_key: bytes
    key_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "key_id", _ed25519_key_id(self.name, COSIGNATURE_TYPE, self.public_key)
        )

    @property
    def key_type(self) -> int:
        """0x04."""
        return COSIGNATURE_TYPE

    def verify(self, text: str, sig: bytes) -> bool:
        """Whether ``sig`` (timestamp ‖ signature) cosigns ``text`` at its stated time."""
        try:
            timestamp = cosignature_timestamp(sig)
        except NoteError:
            return False
        message = cosignature_message(text, timestamp)
        return Ed25519PublicKey(self.public_key).verify(message, sig[8:])


def _ed25519_key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    check_key_name(name)
    if len(public_key) != ED25519_KEY_SIZE:
        raise NoteError(f"an Ed25519 public key has {ED25519_KEY_SIZE} bytes")
    return note_key_id(name, key_type, public_key)


class NoteSigner:
    """Signs notes with an Ed25519 key (type 0x01) under a key name."""

    def __init__(self, name: str, seed: bytes) -> None:
        self._key = Ed25519PrivateKey(seed)
        self.verifier = NoteVerifier(name, self._key.public_key.raw)

    @property
    def name(self) -> str:
        """The key name."""
        return self.verifier.name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key id."""
        return self.verifier.key_id

    @property
    def seed(self) -> bytes:
        """The 32-byte Ed25519 seed (private)."""
        return self._key.seed

    def sign(self, text: str) -> Signature:
        """The signature of the note ``text``."""
        check_note_text(text)
        return Signature(self.name, self.key_id, self._key.sign(text.encode()))


class CosignatureSigner:
    """Cosigns checkpoints (tlog-cosignature/v1, type 0x04) with an Ed25519 key."""

    def __init__(self, name: str, seed: bytes) -> None:
        self._key = Ed25519PrivateKey(seed)
        self.verifier = CosignatureVerifier(name, self._key.public_key.raw)

    @property
    def name(self) -> str:
        """The cosigner's key name."""
        return self.verifier.name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key id."""
        return self.verifier.key_id

    def sign(self, text: str, timestamp: int) -> Signature:
        """The cosignature of checkpoint ``text`` at ``timestamp`` (Unix seconds)."""
        check_note_text(text)
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise NoteError("a cosignature timestamp lies in 0..2^63-1")
        signature = self._key.sign(cosignature_message(text, timestamp))
        return Signature(self.name, self.key_id, timestamp.to_bytes(8, "big") + signature)


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note of ``text`` by every signer, in order."""
    return format_note(Note(text, tuple(signer.sign(text) for signer in signers)))


def verify_note(note: Note, verifiers: Sequence[Verifier]) -> list[Signature]:
    """The signatures of known keys, each key once; raise ``NoteError`` as ``open_note``."""
    known = _index(verifiers)
    verified: dict[tuple[str, bytes], Signature] = {}
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        if not verifier.verify(note.text, signature.sig):
            raise NoteError(
                f"the signature by {signature.name} ({signature.key_id.hex()}) does not verify"
            )
        verified.setdefault((signature.name, signature.key_id), signature)
    if not verified:
        raise NoteError("no known key signed the note")
    return list(verified.values())


def open_note(note_text: str, verifiers: Sequence[Verifier]) -> list[Signature]:
    """Parse and verify a signed note; return the verified signatures of known keys.

    Unknown (name, key id) pairs are ignored; a known key whose signature fails refuses the
    whole note, and so does the absence of any known key's signature.
    """
    return verify_note(parse_note(note_text), verifiers)


def _index(verifiers: Sequence[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    known: dict[tuple[str, bytes], Verifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_id)
        other = known.setdefault(key, verifier)
        if (other.key_type, other.public_key) != (verifier.key_type, verifier.public_key):
            raise NoteError(f"two verifiers share the name {key[0]} and key id {key[1].hex()}")
    return known


def format_vkey(verifier: Verifier) -> str:
    """``name+hex(key id)+base64(type ‖ public key)``."""
    material = base64.b64encode(bytes([verifier.key_type]) + verifier.public_key).decode()
    return f"{verifier.name}+{verifier.key_id.hex()}+{material}"


def parse_vkey(vkey: str) -> NoteVerifier:
    """Parse an Ed25519 (type 0x01) verifier key, checking its id against name and key."""
    name, key_id_hex, public_key = _parse_key_text(vkey, ED25519_TYPE)
    return _matching(NoteVerifier(name, public_key), key_id_hex)


def parse_cosignature_vkey(vkey: str) -> CosignatureVerifier:
    """Parse a tlog-cosignature (type 0x04) verifier key, checking its id."""
    name, key_id_hex, public_key = _parse_key_text(vkey, COSIGNATURE_TYPE)
    return _matching(CosignatureVerifier(name, public_key), key_id_hex)


def format_skey(signer: NoteSigner) -> str:
    """Go's signer key text: ``PRIVATE+KEY+name+hex(key id)+base64(0x01 ‖ seed)``."""
    material = base64.b64encode(bytes([ED25519_TYPE]) + signer.seed).decode()
    return f"{SKEY_PREFIX}{signer.name}+{signer.key_id.hex()}+{material}"


def parse_skey(skey: str) -> NoteSigner:
    """Parse Go's ``PRIVATE+KEY+name+hexid+base64(0x01 ‖ seed)``, checking its key id."""
    if not skey.startswith(SKEY_PREFIX):
        raise NoteError(f"a signer key starts with {SKEY_PREFIX}")
    name, key_id_hex, seed = _parse_key_text(skey.removeprefix(SKEY_PREFIX), ED25519_TYPE)
    signer = NoteSigner(name, seed)
    if signer.key_id.hex() != key_id_hex:
        raise NoteError(f"signer key id {key_id_hex} does not match its name and key")
    return signer


def _parse_key_text(text: str, key_type: int) -> tuple[str, str, bytes]:
    """(name, key id hex, key material) of ``name+hexid+base64(type ‖ material)``."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise NoteError("a key is name+hex(key id)+base64(type ‖ key)")
    name, key_id_hex, encoded = parts
    check_key_name(name)
    if not _KEY_ID_HEX.fullmatch(key_id_hex):
        raise NoteError("a key id is 8 lower-case hex digits")
    raw = decode_base64(encoded)
    if len(raw) != 1 + ED25519_KEY_SIZE or raw[0] != key_type:
        raise NoteError(f"expected a type 0x{key_type:02x} key of {ED25519_KEY_SIZE} bytes")
    return name, key_id_hex, raw[1:]


def _matching(verifier: _V, key_id_hex: str) -> _V:
    if verifier.key_id.hex() != key_id_hex:
        raise NoteError(f"verifier key id {key_id_hex} does not match its name and key")
    return verifier
