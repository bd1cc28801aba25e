"""The admission channel's messages as bytes, not pickles (ADR 0050).

A request carries each transaction as the canonical bytes an API worker computed on
admission, which are the bytes the log stores, back to back in one buffer; the sequencer
reads each transaction's members from its own bytes with msgspec, so its fields and the bytes
logged cannot differ. A request (integers little-endian)::

    tag u64 · count u32 · key table length u32
    key table: each distinct verifying key "<type>:<base64>", separated by "\\n"
    count × u16: the key a transaction was verified with (its place in the table; 0xFFFF none)
    count × u32: the length of each transaction's canonical bytes
    count × 32 bytes: each transaction's id (SHA-256 of its canonical bytes, as computed)
    the canonical bytes, one transaction after the other

A reply::

    tag u64 · kind u8 (0 answers, 1 the sequencer could not commit) · count or text length u32
    answers: for each transaction, a receipt (0 u8, index u64, time u64, leaf hash 32 bytes)
    or a refusal (1 u8, code length u16, message length u32, code, message in UTF-8)
    kind 1: why, in UTF-8

A receipt's transaction id is not sent back: it is the id of the transaction the worker sent
in that place. Anything that does not read as such a message raises ``ChannelFormatError``.
"""

import struct
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec

from krai.app.sequencer import Outcome, Receipt
from krai.crypto.keys import PublicKey, decode_public_key, encode_public_key
from krai.tx.envelope import SIGNER_MEMBER, SIGNING_PREFIX, Transaction
from krai.tx.errors import Code, RejectedError

NO_KEY = 0xFFFF
"""The key number of a transaction the worker did not verify."""
MAX_KEYS = NO_KEY
"""The most distinct keys one request may name."""
_HEAD = struct.Struct("<QII")
_KEY_NUMBER = struct.Struct("<H")
_LENGTH = struct.Struct("<I")
_REPLY_HEAD = struct.Struct("<QBI")
_RECEIPT = struct.Struct("<BQQ32s")
_REFUSAL = struct.Struct("<BHI")
_ANSWERS, _FAILURE = 0, 1
_RECEIPT_KIND, _REFUSAL_KIND = 0, 1


class ChannelFormatError(ValueError):
    """Bytes that are not a message of the admission channel."""


class _Fields(msgspec.Struct, forbid_unknown_fields=True):
    """A transaction's members, read from the canonical bytes the worker computed."""

    body: dict[str, Any]
    key_id: str
    network: str
    nonce: str
    sig: str
    signer: str
    type: str
    v: Annotated[int, msgspec.Meta(ge=0)]
    version: Annotated[int, msgspec.Meta(ge=0)]


def _refuse_float(_text: str) -> Any:
    raise ChannelFormatError("a float in a transaction's canonical bytes")


_FIELDS = msgspec.json.Decoder(_Fields, float_hook=_refuse_float)


def request_bytes(
    tag: int, transactions: Sequence[Transaction], keys: Sequence[PublicKey | None]
) -> bytes:
    """A request: the transactions' canonical bytes and the key each was verified with."""
    table: dict[PublicKey, int] = {}
    numbers = [NO_KEY if key is None else table.setdefault(key, len(table)) for key in keys]
    if len(table) > MAX_KEYS or len(numbers) != len(transactions):
        raise ValueError("one key (or None) a transaction, at most 65,535 distinct keys")
    named = "\n".join(encode_public_key(key) for key in table).encode()
    canonical = [tx.canonical() for tx in transactions]
    count = len(canonical)
    return b"".join(
        [
            _HEAD.pack(tag, count, len(named)),
            named,
            struct.pack(f"<{count}H", *numbers),
            struct.pack(f"<{count}I", *map(len, canonical)),
            *(bytes.fromhex(tx.tx_id) for tx in transactions),
            *canonical,
        ]
    )


def read_request(data: bytes) -> tuple[int, list[Transaction], list[PublicKey | None]]:
    """A request's tag, transactions (their canonical bytes, signed message and id set) and
    the key each was verified with."""
    try:
        tag, count, named_length = _HEAD.unpack_from(data)
        at = _HEAD.size + named_length
        named = data[_HEAD.size : at].decode()
        table = [decode_public_key(text) for text in named.split("\n")] if named else []
        numbers = struct.unpack_from(f"<{count}H", data, at)
        lengths = struct.unpack_from(f"<{count}I", data, at + 2 * count)
        keys = [None if number == NO_KEY else table[number] for number in numbers]
    except (struct.error, UnicodeDecodeError, IndexError, ValueError) as error:
        raise ChannelFormatError(f"not an admission request: {error}") from None
    ids = at + 6 * count
    start = ids + 32 * count
    if start + sum(lengths) != len(data):
        raise ChannelFormatError("the transactions' lengths do not add up to the message")
    transactions = []
    for length in lengths:
        tx_id = data[ids : ids + 32].hex()
        transactions.append(_transaction(data[start : start + length], tx_id))
        start += length
        ids += 32
    return tag, transactions, keys


def _transaction(canonical: bytes, tx_id: str) -> Transaction:
    """The transaction whose canonical bytes are ``canonical``, its members read from them."""
    try:
        fields = _FIELDS.decode(canonical)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ChannelFormatError(f"not a transaction's canonical bytes: {error}") from None
    member = b',"sig":"%s"' % fields.sig.encode()
    at = canonical.rfind(SIGNER_MEMBER)
    if at < len(member) or canonical[at - len(member) : at] != member:
        raise ChannelFormatError("the signature is not where the canonical form puts it")
    transaction: Transaction = object.__new__(Transaction)
    vars(transaction).update(
        body=fields.body,
        key_id=fields.key_id,
        network=fields.network,
        nonce=fields.nonce,
        sig=fields.sig,
        signer=fields.signer,
        type=fields.type,
        v=fields.v,
        version=fields.version,
        _canonical=canonical,
        _signing_message=SIGNING_PREFIX + canonical[: at - len(member)] + canonical[at:],
        _tx_id=tx_id,
    )
    return transaction


def answers_bytes(tag: int, outcomes: Sequence[Outcome]) -> bytes:
    """A reply: each transaction's receipt or refusal, in order."""
    parts = [_REPLY_HEAD.pack(tag, _ANSWERS, len(outcomes))]
    for outcome in outcomes:
        if isinstance(outcome, RejectedError):
            code, message = outcome.code.value.encode(), outcome.message.encode()
            parts += [_REFUSAL.pack(_REFUSAL_KIND, len(code), len(message)), code, message]
        else:
            leaf = bytes.fromhex(outcome.leaf_hash)
            parts.append(_RECEIPT.pack(_RECEIPT_KIND, outcome.index, outcome.time_ms, leaf))
    return b"".join(parts)


def failure_bytes(tag: int, why: str) -> bytes:
    """A reply saying why the sequencer could not commit the request."""
    text = why.encode()
    return _REPLY_HEAD.pack(tag, _FAILURE, len(text)) + text


def reply_tag(data: bytes) -> int:
    """The tag of the request a reply answers."""
    try:
        tag: int = _REPLY_HEAD.unpack_from(data)[0]
    except struct.error as error:
        raise ChannelFormatError(f"not an admission reply: {error}") from None
    return tag


def read_reply(data: bytes, transactions: Sequence[Transaction]) -> list[Outcome] | str:
    """The outcomes of ``transactions`` in a reply, or why the sequencer could not commit."""
    try:
        _, kind, count = _REPLY_HEAD.unpack_from(data)
        if kind == _FAILURE:
            return data[_REPLY_HEAD.size :].decode()
        if kind != _ANSWERS or count != len(transactions):
            raise ChannelFormatError("a reply that does not answer its request")
        return _outcomes(data, transactions)
    except (struct.error, UnicodeDecodeError, IndexError, ValueError) as error:
        raise ChannelFormatError(f"not an admission reply: {error}") from None


def _outcomes(data: bytes, transactions: Sequence[Transaction]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    at = _REPLY_HEAD.size
    for tx in transactions:
        if data[at] == _RECEIPT_KIND:
            _, index, time_ms, leaf = _RECEIPT.unpack_from(data, at)
            outcomes.append(Receipt(tx.tx_id, index, leaf.hex(), time_ms))
            at += _RECEIPT.size
        else:
            _, code_length, message_length = _REFUSAL.unpack_from(data, at)
            at += _REFUSAL.size
            code = data[at : at + code_length].decode()
            message = data[at + code_length : at + code_length + message_length].decode()
            outcomes.append(RejectedError(Code(code), message))
            at += code_length + message_length
    if at != len(data):
        raise ChannelFormatError("a reply longer than its answers")
    return outcomes
