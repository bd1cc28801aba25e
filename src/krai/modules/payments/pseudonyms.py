"""People on the ledger without personal data: SNILS checks and keyed pseudonyms.

A person appears on the ledger only as a per-programme pseudonym, an HMAC-SHA256 of the SNILS
under the programme operator's key; a separate dedup key (another HMAC, under the secret of the
dedup service) lets one service match a person across programmes. A plain hash of a SNILS would
still be personal data: there are only 10⁹ SNILS bodies, so a hash is reversed by trying them all.
The normative text is ``docs/spec/pseudonyms.md``.
"""

import hashlib
import hmac
import re

SNILS_FORMATTED = re.compile(r"(\d{3})-(\d{3})-(\d{3})[ -](\d{2})", re.ASCII)
SNILS_DIGITS = re.compile(r"\d{11}", re.ASCII)
SNILS_CHECKED_ABOVE = 1_001_998
"""The check digits apply only to bodies above 001-001-998; older numbers carry none."""
PROGRAMME_ID = re.compile(r"[a-z0-9][a-z0-9._:-]{0,95}", re.ASCII)
"""The payments module's programme ids (lower-case slugs; never a newline)."""
MIN_KEY_BYTES = 32
PSEUDONYM_DOMAIN = b"krai/pseudonym/v1\n"
DEDUP_DOMAIN = b"krai/dedup/v1\n"
IDENTIFIER_HEX_CHARS = 32
"""128 bits of the HMAC, as 32 lower-case hex digits."""


class InvalidSnilsError(ValueError):
    """A text is not an 11-digit SNILS with valid check digits."""


def normalise_snils(text: str) -> str:
    """The 11 digits of ``text``, given as ``XXXXXXXXXXX`` or ``XXX-XXX-XXX YY``.

    Only the format is checked here; ``is_valid_snils`` checks the digits.
    """
    stripped = text.strip()
    if SNILS_DIGITS.fullmatch(stripped):
        return stripped
    formatted = SNILS_FORMATTED.fullmatch(stripped)
    if formatted is None:
        raise InvalidSnilsError("a SNILS is 11 digits, written XXXXXXXXXXX or XXX-XXX-XXX YY")
    return "".join(formatted.groups())


def snils_check_digits(body: str) -> int:
    """The check number (0..99) of a 9-digit SNILS body.

    S = Σ dᵢ·(10−i) over the nine digits (the first ×9 … the ninth ×1); S < 100 gives S,
    100 and 101 give 0, a larger S gives S mod 101 (and a remainder of 100 gives 0).
    """
    total = sum(int(digit) * (9 - position) for position, digit in enumerate(body))
    if total > 101:
        total %= 101
    return 0 if total in {100, 101} else total


def is_valid_snils(text: str) -> bool:
    """Whether ``text`` is a SNILS (either written form) with valid check digits.

    Numbers whose body is at most 001-001-998 were issued before check digits existed: any
    two final digits are accepted for them.
    """
    try:
        snils = normalise_snils(text)
    except InvalidSnilsError:
        return False
    body, check = snils[:9], int(snils[9:])
    if int(body) <= SNILS_CHECKED_ABOVE:
        return True
    return snils_check_digits(body) == check


def valid_snils(text: str) -> str:
    """The 11 digits of a valid SNILS, or ``InvalidSnilsError``."""
    snils = normalise_snils(text)
    if not is_valid_snils(snils):
        raise InvalidSnilsError("the SNILS check digits do not match its first nine digits")
    return snils


def pseudonym(programme_key: bytes, programme_id: str, snils: str) -> str:
    """The person's pseudonym in one programme: ``ps:`` and 32 hex digits.

    HMAC-SHA256(programme_key, "krai/pseudonym/v1\\n" ‖ programme_id ‖ "\\n" ‖ SNILS digits),
    truncated to 128 bits. Without the programme key, pseudonyms of two programmes cannot be
    linked to each other or to a SNILS.
    """
    _check_key(programme_key, "programme key")
    if not PROGRAMME_ID.fullmatch(programme_id):
        raise ValueError(f"a programme id must match {PROGRAMME_ID.pattern}")
    message = PSEUDONYM_DOMAIN + programme_id.encode("ascii") + b"\n" + _digits(snils)
    return "ps:" + _truncated_hmac(programme_key, message)


def dedup_key(dedup_secret: bytes, snils: str) -> str:
    """The person's dedup key across programmes: ``dd:`` and 32 hex digits.

    HMAC-SHA256(dedup_secret, "krai/dedup/v1\\n" ‖ SNILS digits), truncated to 128 bits.
    """
    _check_key(dedup_secret, "dedup secret")
    return "dd:" + _truncated_hmac(dedup_secret, DEDUP_DOMAIN + _digits(snils))


def _digits(snils: str) -> bytes:
    return valid_snils(snils).encode("ascii")


def _check_key(key: bytes, what: str) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the {what} must be at least {MIN_KEY_BYTES} bytes")


def _truncated_hmac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:IDENTIFIER_HEX_CHARS]
