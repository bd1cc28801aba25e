"""Log entries as readers see them: decoded, with their leaf hash and the events they caused."""

from typing import Any

from krai.app.ports import Storage, StoredEntry
from krai.state.entry import decode_entry

MAX_ENTRIES_PER_PAGE = 1_000


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


def _with_events(storage: Storage, stored: StoredEntry | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    events = [event for _, _, event in storage.events(stored.index, stored.index + 1)]
    return entry_document(stored, events)
