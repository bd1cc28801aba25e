"""A compiled decoder for transaction entries, which steps aside for every refusal (ADR 0030).

``compiled_entry`` returns exactly what ``decode_entry``'s strict path returns for the bytes,
or None whenever it is not sure the strict path would accept them; the caller then runs the
strict path, whose refusals and their words are unchanged (ADR 0038). msgspec parses the
bytes into structs with the envelope's members (no unknown member, floats refused by a
hook); the bytes are accepted only if they are exactly the entry assembled again around
orjson's sorted-key form of the transaction, which is RFC 8785 when every integer is within
±(2^53 − 1) and every object key is ASCII — what ``canonical_bytes`` itself relies on. So:

- a repeated member cannot pass: the form assembled again names each member once;
- an integer beyond 2^53 − 1 cannot pass: in canonical bytes it is a run of 16 or more
  digits after ``:``, ``[`` or ``,``, and any such run (even one inside a string) steps
  aside;
- a non-ASCII object key cannot pass: bytes that are not ASCII are checked member by member
  (``ensure_integers_only``) and step aside if a key is not ASCII;
- the envelope's own checks (patterns, lengths, the signature's form, the size) are the
  ``Transaction`` constructor's and ``with_canonical``'s own, and any refusal steps aside.
"""

import re
from typing import Any

import msgspec
import orjson

from krai.crypto.canonical import CanonicalFormError, ensure_integers_only
from krai.crypto.hashing import sha256_hex
from krai.tx.envelope import MAX_TRANSACTION_BYTES, SIGNING_PREFIX, Transaction
from krai.tx.errors import RejectedError

_TAIL = b',"v":1}'
"""The end of every version 1 transaction entry's bytes."""
_LONG_INTEGER = re.compile(rb"[:\[,]-?[0-9]{16}")
"""Where an integer of 16 or more digits may start (2^53 − 1 has 16)."""


class _FloatFoundError(ValueError):
    """A float literal: the strict path refuses it, so this path steps aside."""


def _refuse_float(_text: str) -> Any:
    raise _FloatFoundError


class _Envelope(msgspec.Struct, forbid_unknown_fields=True):
    """The members of a transaction envelope, typed as ``Transaction`` needs them."""

    body: dict[str, Any]
    key_id: str
    network: str
    nonce: str
    sig: str
    signer: str
    type: str
    v: int
    version: int


class _TransactionEntry(msgspec.Struct, forbid_unknown_fields=True):
    """A transaction entry's members (a genesis entry does not decode here: it steps aside)."""

    index: int
    time_ms: int
    tx: _Envelope
    v: int


_DECODER = msgspec.json.Decoder(_TransactionEntry, float_hook=_refuse_float)


def compiled_entry(data: bytes) -> tuple[int, int, Transaction] | None:
    """The index, time and transaction of a transaction entry's bytes, or None to step aside."""
    try:
        decoded = _DECODER.decode(data)
    except (msgspec.DecodeError, _FloatFoundError):
        return None
    head = b'{"index":%d,"time_ms":%d,"tx":' % (decoded.index, decoded.time_ms)
    if decoded.v != 1 or not data.startswith(head) or not data.endswith(_TAIL):
        return None
    transaction = _transaction(decoded.tx, data[len(head) : -len(_TAIL)])
    if transaction is None:
        return None
    return decoded.index, decoded.time_ms, transaction


def _transaction(envelope: _Envelope, canonical: bytes) -> Transaction | None:
    """The transaction of ``envelope`` if ``canonical`` is its canonical form, else None."""
    if len(canonical) > MAX_TRANSACTION_BYTES or _LONG_INTEGER.search(canonical):
        return None
    try:
        transaction = Transaction(**msgspec.structs.asdict(envelope))
    except RejectedError:
        return None
    if not transaction.sig or not _has_ascii_keys(canonical, transaction):
        return None
    document = transaction.to_json()
    if orjson.dumps(document, option=orjson.OPT_SORT_KEYS) != canonical:
        return None
    del document["sig"]
    unsigned = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    object.__setattr__(transaction, "_canonical", canonical)
    object.__setattr__(transaction, "_signing_message", SIGNING_PREFIX + unsigned)
    object.__setattr__(transaction, "_tx_id", sha256_hex(canonical))
    return transaction


def _has_ascii_keys(canonical: bytes, transaction: Transaction) -> bool:
    """Whether every object key of the transaction is ASCII and its integers in range."""
    if canonical.isascii():
        return True
    try:
        return ensure_integers_only(transaction.to_json())
    except CanonicalFormError:
        return False
