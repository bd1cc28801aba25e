"""A compiled decoder for transaction entries, which steps aside for every refusal (ADR 0030).

``compiled_entry`` returns exactly what ``decode_entry``'s strict path returns for the bytes,
or None whenever it is not sure the strict path would accept them; the caller then runs the
strict path, whose refusals and their words are unchanged (ADR 0038). msgspec parses the
bytes into structs with the envelope's members (no unknown member, floats refused by a
hook); the bytes are accepted only if they are exactly the entry assembled again around
the sorted-key form of the transaction (msgspec's, which orjson's is too), which is RFC 8785
when every integer is within ±(2^53 − 1) and every object key is ASCII — what
``canonical_bytes`` itself relies on. So:

- a repeated member cannot pass: the form assembled again names each member once;
- an integer beyond 2^53 − 1 cannot pass: the body is walked once (``ensure_integers_only``)
  and steps aside for one, as it does for a non-ASCII object key (the envelope's other
  members are strings and bounded integers);
- the envelope's own checks (``Transaction.__post_init__``: lengths, the size, and the
  patterns — the signature's canonical base64 form among them — matched whole after
  decoding, as the constructor matches them) are made here, so the constructor's checks
  are not run a second time; anything out of bounds steps aside.

``compiled_submission`` does the same for an HTTP submission's body (ADR 0044): one signed
transaction, or ``{"transactions":[...]}``, in compact JSON as ``JSON.stringify`` and httpx
write it; any other spelling steps aside to the strict decoder.
"""

import re
from typing import Annotated, Any

import msgspec
import orjson

from krai.crypto.canonical import MAX_SAFE_INTEGER, CanonicalFormError, ensure_integers_only
from krai.crypto.hashing import sha256_hex
from krai.tx.envelope import (
    ENVELOPE_VERSION,
    KEY_ID_PATTERN,
    MAX_TEXT_CHARS,
    MAX_TRANSACTION_BYTES,
    NONCE_PATTERN,
    SIGNER_MEMBER,
    SIGNING_PREFIX,
    TYPE_PATTERN,
    Transaction,
)

_TAIL = b',"v":1}'
"""The end of every version 1 transaction entry's bytes."""


class _FloatFoundError(ValueError):
    """A float literal: the strict path refuses it, so this path steps aside."""


def _refuse_float(_text: str) -> Any:
    raise _FloatFoundError


_Text = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT_CHARS)]
"""A non-empty string of at most ``MAX_TEXT_CHARS`` characters. Patterns are matched whole
after decoding (``_matches_patterns``): msgspec's own pattern check searched an anchored
pattern, at about four times the cost of ``fullmatch``."""
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{85}[AQgw]==")
"""The canonical base64 of 64 bytes: 85 whole characters, one holding the last byte's two
low bits and four zero bits, and the padding."""


class _Envelope(msgspec.Struct, forbid_unknown_fields=True):
    """The members of a transaction envelope, bounded as ``Transaction.__post_init__``
    checks them, with ``_matches_patterns`` (a property test holds the two to each other)."""

    body: dict[str, Any]
    key_id: _Text
    network: _Text
    nonce: _Text
    sig: _Text
    signer: _Text
    type: _Text
    v: Annotated[int, msgspec.Meta(ge=ENVELOPE_VERSION, le=ENVELOPE_VERSION)]
    version: Annotated[int, msgspec.Meta(ge=0, le=MAX_SAFE_INTEGER)]


_MATCHED_KEY_IDS: set[str] = set()
_MATCHED_TYPES: set[str] = set()
"""Key ids and types found to match their pattern: a log repeats a few of each (ADR 0048)."""
MATCHES_KEPT = 1024
"""How many of each are kept, at most."""


def _matches_patterns(envelope: _Envelope) -> bool:
    """Whether the key id, nonce, type and signature each match their pattern whole."""
    return bool(
        _matches(envelope.key_id, KEY_ID_PATTERN, _MATCHED_KEY_IDS)
        and NONCE_PATTERN.fullmatch(envelope.nonce)
        and _matches(envelope.type, TYPE_PATTERN, _MATCHED_TYPES)
        and _SIGNATURE.fullmatch(envelope.sig)
    )


def _matches(text: str, pattern: re.Pattern[str], matched: set[str]) -> bool:
    """Whether ``text`` matches ``pattern`` whole, remembered in ``matched`` if it does."""
    if text in matched:
        return True
    if pattern.fullmatch(text) is None:
        return False
    if len(matched) >= MATCHES_KEPT:
        matched.clear()
    matched.add(text)
    return True


class _TransactionEntry(msgspec.Struct, forbid_unknown_fields=True):
    """A transaction entry's members (a genesis entry does not decode here: it steps aside)."""

    index: int
    time_ms: int
    tx: _Envelope
    v: int


_DECODER = msgspec.json.Decoder(_TransactionEntry, float_hook=_refuse_float)
_ANY_DECODER = msgspec.json.Decoder(float_hook=_refuse_float)
_SORTED_ENCODER = msgspec.json.Encoder(order="sorted")
"""Writes an envelope with its members and every object's keys sorted, strings escaped as
orjson and RFC 8785 escape them (a test holds the two to each other for every code point):
at a third of the cost of ``orjson.dumps`` of the envelope's members as a ``dict`` (ADR 0048)."""


def compiled_entry(data: bytes) -> tuple[int, int, Transaction] | None:
    """The index, time and transaction of a transaction entry's bytes, or None to step aside.

    Whatever msgspec, orjson or the key walk raise (malformed JSON, a float, an integer
    orjson cannot write, nesting too deep) steps aside too: the strict path says why.
    """
    try:
        return _compiled_entry(data)
    except (ValueError, TypeError, RecursionError):  # msgspec's and orjson's errors among them
        return None


def _compiled_entry(data: bytes) -> tuple[int, int, Transaction] | None:
    decoded = _DECODER.decode(data)
    head = b'{"index":%d,"time_ms":%d,"tx":' % (decoded.index, decoded.time_ms)
    if decoded.v != 1 or not data.startswith(head) or not data.endswith(_TAIL):
        return None
    transaction = _transaction(decoded.tx, data[len(head) : -len(_TAIL)])
    if transaction is None:
        return None
    return decoded.index, decoded.time_ms, transaction


def compiled_submission(data: bytes) -> tuple[list[Transaction], bool] | None:
    """An HTTP submission's transactions and whether it was a batch, or None to step aside.

    Only compact JSON is taken: bytes that orjson writes again exactly from what msgspec
    read (so no member is repeated — a repeated one would be written once — and no float,
    whitespace or other spelling is there), one transaction or ``{"transactions":[...]}``;
    then each transaction as ``compiled_entry`` takes it, its members in any order. A batch
    that is empty or holds anything the strict decoder would refuse steps aside whole.
    """
    try:
        return _compiled_submission(data)
    except (ValueError, TypeError, RecursionError):  # as in ``compiled_entry``
        return None


def _compiled_submission(data: bytes) -> tuple[list[Transaction], bool] | None:
    parsed = _ANY_DECODER.decode(data)
    if orjson.dumps(parsed) != data:
        return None
    if isinstance(parsed, dict) and parsed.keys() == {"transactions"}:
        items, batch = parsed["transactions"], True
        if not isinstance(items, list) or not items:
            return None
    elif len(data) <= MAX_TRANSACTION_BYTES:
        items, batch = [parsed], False
    else:
        return None
    transactions = []
    for item in items:
        form = orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
        transaction = _transaction(msgspec.convert(item, _Envelope), form)
        if transaction is None:
            return None
        transactions.append(transaction)
    return transactions, batch


def _transaction(envelope: _Envelope, canonical: bytes) -> Transaction | None:
    """The transaction of ``envelope`` if ``canonical`` is its canonical form, else None."""
    if len(canonical) > MAX_TRANSACTION_BYTES or not _matches_patterns(envelope):
        return None
    if not _has_safe_integers_and_ascii_keys(envelope.body):
        return None
    if _SORTED_ENCODER.encode(envelope) != canonical:
        return None
    signing_message = _signing_message(canonical, envelope.sig)
    if signing_message is None:
        return None
    # The checks of ``Transaction.__post_init__`` are made above: not run twice.
    transaction: Transaction = object.__new__(Transaction)
    fields = msgspec.structs.asdict(envelope)
    fields["_canonical"] = canonical
    fields["_signing_message"] = signing_message
    fields["_tx_id"] = sha256_hex(canonical)
    object.__setattr__(transaction, "__dict__", fields)
    return transaction


def _has_safe_integers_and_ascii_keys(body: dict[str, Any]) -> bool:
    """Whether every integer of the body is within ±(2^53 − 1) and every key is ASCII."""
    try:
        return ensure_integers_only(body)
    except CanonicalFormError:
        return False


def _signing_message(canonical: bytes, sig: str) -> bytes | None:
    """``SIGNING_PREFIX`` and the canonical bytes of every member but ``sig``: ``sig``'s
    member cut out of them.

    RFC 8785 puts ``sig`` just before the envelope's own ``signer``, the last ``,"signer":``
    in the bytes (as ``with_canonical`` puts it back), and base64 is written as it is; None
    if the bytes there are not that member.
    """
    member = b',"sig":"%s"' % sig.encode()
    at = canonical.rfind(SIGNER_MEMBER)
    cut = at - len(member)
    if cut < 0 or canonical[cut:at] != member:
        return None
    return b"".join((SIGNING_PREFIX, canonical[:cut], canonical[at:]))
