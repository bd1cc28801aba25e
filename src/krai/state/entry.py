"""Log entries: what the Merkle log holds, one per leaf.

An entry is the RFC 8785 JSON object ``{"v": 1, "index": n, "time_ms": t, "tx": {...}}`` for
a transaction, or ``{"v": 1, "index": 0, "time_ms": t, "genesis": {...}}`` for the first
entry. ``time_ms`` is the sequencer's time (Unix milliseconds); state transitions read that
time and never a clock. The leaf hash is SHA-256(0x00 ‖ entry bytes).
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from krai.crypto.canonical import canonical_bytes
from krai.state.compiled_entry import compiled_entry
from krai.tx.codec import transaction_from_json
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError
from krai.tx.strict_json import parse_strict_json

ENTRY_VERSION = 1
MAX_ENTRY_BYTES = 0xFFFF
"""The longest entry a C2SP tlog-tiles entry bundle can hold (a 16-bit length)."""


class Entry(NamedTuple):
    """One leaf of the log: a signed transaction, or the genesis document at index 0."""

    index: int  # type: ignore[assignment]  # shadows tuple.index(), which nothing calls
    time_ms: int
    tx: Transaction | None = None
    genesis: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON object."""
        document: dict[str, Any] = {
            "v": ENTRY_VERSION,
            "index": self.index,
            "time_ms": self.time_ms,
        }
        if self.tx is not None:
            document["tx"] = self.tx.to_json()
        else:
            document["genesis"] = self.genesis
        return document

    def committable_bytes(self) -> bytes:
        """The entry's bytes, refused as ``oversize`` when a C2SP entry bundle cannot hold them.

        The sequencer appends only what this returns, so every entry it commits can be
        published as tiles and decoded again by ``decode_entry``.
        """
        if self.tx is not None:
            self.tx.check_size()
        data = self.encode()
        if len(data) > MAX_ENTRY_BYTES:
            raise _oversize_entry(len(data))
        return data

    def encode(self) -> bytes:
        """The entry's exact bytes in the log.

        For a transaction these are assembled around the transaction's canonical bytes,
        computed once on decoding: the keys ``index``, ``time_ms``, ``tx``, ``v`` are already
        in RFC 8785 order.
        """
        if self.tx is None:
            return canonical_bytes(self.to_json())
        head = b'{"index":%d,"time_ms":%d,"tx":' % (self.index, self.time_ms)
        return head + self.tx.canonical() + b',"v":%d}' % ENTRY_VERSION


def decode_entry(data: bytes) -> Entry:
    """Decode an entry from its log bytes, refusing any other byte form or length.

    A transaction entry is decoded by the compiled decoder; whatever it is not sure of (and
    every refusal) by the strict one (ADR 0038).
    """
    if len(data) > MAX_ENTRY_BYTES:
        raise _oversize_entry(len(data))
    compiled = compiled_entry(data)
    if compiled is not None:
        index, time_ms, tx = compiled
        return Entry(index, time_ms, tx=tx)
    return strict_entry(data)


def strict_entry(data: bytes) -> Entry:
    """``decode_entry`` by the strict JSON parser and envelope checks alone."""
    if len(data) > MAX_ENTRY_BYTES:
        raise _oversize_entry(len(data))
    document = parse_strict_json(data)
    if not isinstance(document, dict) or document.get("v") != ENTRY_VERSION:
        raise RejectedError(Code.MALFORMED, "not a version 1 entry")
    index, time_ms = document.get("index"), document.get("time_ms")
    if not isinstance(index, int) or not isinstance(time_ms, int):
        raise RejectedError(Code.MALFORMED, "entry index and time_ms must be integers")
    if "tx" in document:
        entry = Entry(index, time_ms, tx=transaction_from_json(document["tx"]))
    elif "genesis" in document and index == 0:
        entry = Entry(index, time_ms, genesis=document["genesis"])
    else:
        raise RejectedError(Code.MALFORMED, "an entry holds a tx, or genesis at index 0")
    if entry.encode() != data:
        raise RejectedError(Code.MALFORMED, "entry bytes are not canonical")
    return entry


def _oversize_entry(length: int) -> RejectedError:
    return RejectedError(
        Code.OVERSIZE,
        f"the entry is {length} bytes, a C2SP entry bundle holds at most {MAX_ENTRY_BYTES}",
    )
