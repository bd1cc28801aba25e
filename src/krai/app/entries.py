"""Log entries as readers see them: decoded, with their leaf hash and the events they caused."""

import re
from typing import Any

from krai.app.ports import Storage, StoredEntry
from krai.modules.notary.queries import anchor
from krai.state.entry import decode_entry

MAX_ENTRIES_PER_PAGE = 1_000
MAX_QUERY_LENGTH = 200
HASH = re.compile(r"[0-9a-f]{64}")


def entry_document(stored: StoredEntry, events: list[dict[str, Any]]) -> dict[str, Any]:
    """One entry: where it sits, its leaf hash, the decoded entry and its events."""
    return {
        "index": stored.index,
        "leaf_hash": stored.leaf_hash.hex(),
        "tx_id": stored.tx_id,
        "tx_type": stored.tx_type,
        "signer": stored.signer,
        "time_ms": stored.time_ms,
        "entry": decode_entry(stored.data).to_json(),
        "events": events,
    }


def entry_at(storage: Storage, index: int) -> dict[str, Any] | None:
    """The entry at ``index``, or None past the end of the log."""
    return _with_events(storage, storage.entry(index))


def entry_of_transaction(storage: Storage, tx_id: str) -> dict[str, Any] | None:
    """The entry holding transaction ``tx_id`` (its SHA-256 in hex), or None."""
    return _with_events(storage, storage.entry_by_tx_id(tx_id))


def entry_page(storage: Storage, start: int, limit: int) -> dict[str, Any]:
    """Up to ``limit`` (at most ``MAX_ENTRIES_PER_PAGE``) entries from ``start`` on, the log's
    size, and where the next page starts (None at the end)."""
    size = storage.log_size()
    end = min(size, start + min(limit, MAX_ENTRIES_PER_PAGE))
    events: dict[int, list[dict[str, Any]]] = {}
    for index, _, event in storage.events(start, end):
        events.setdefault(index, []).append(event)
    found = [
        entry_document(stored, events.get(stored.index, []))
        for stored in storage.entries(start, end)
    ]
    return {
        "start": start,
        "size": size,
        "entries": found,
        "next": end if end < size else None,
    }


def find_entries(storage: Storage, query: str) -> dict[str, Any]:
    """The entries a log engineer's search names: a decimal entry index, or 64 hex digits
    that are a transaction id, an entry's leaf hash or an anchored document's SHA-256 (each
    tried; every match is listed with what matched)."""
    text = query.strip().lower()[:MAX_QUERY_LENGTH]
    found: list[dict[str, Any]] = []
    if text.isdecimal() and len(text) <= 19:
        found += _match("index", storage.entry(int(text)))
    if HASH.fullmatch(text):
        found += _match("tx_id", storage.entry_by_tx_id(text))
        found += _match("leaf_hash", storage.entry_by_leaf_hash(bytes.fromhex(text)))
        document = anchor(storage, text)
        if document is not None:
            found += _match("document", storage.entry(document.index), title=document.title)
            for signature in document.countersignatures:
                found += _match("countersignature", storage.entry(signature.index))
    return {"query": query[:MAX_QUERY_LENGTH], "matches": found}


def _match(kind: str, stored: StoredEntry | None, **extra: str) -> list[dict[str, Any]]:
    if stored is None:
        return []
    return [
        {
            "matched": kind,
            "index": stored.index,
            "tx_id": stored.tx_id,
            "tx_type": stored.tx_type,
            "signer": stored.signer,
            "time_ms": stored.time_ms,
            **extra,
        }
    ]


def _with_events(storage: Storage, stored: StoredEntry | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    events = [event for _, _, event in storage.events(stored.index, stored.index + 1)]
    return entry_document(stored, events)
