"""A replay may ask the engine for the writes alone, without the events as JSON (ADR 0048)."""

from tests.unit.app import ledgers

from krai.bootstrap import new_engine
from krai.state.entry import decode_entry
from krai.state.store import MemoryState


def test_without_events_an_entry_writes_the_same_and_reports_no_event() -> None:
    sequencer, storage = ledgers.founded()
    ledgers.grow(sequencer, 0, 5)
    engine, state = new_engine(), MemoryState()
    stored_events = list(storage.events(0, storage.log_size()))
    for stored in storage.entries(0, storage.log_size()):
        entry = decode_entry(stored.data)
        full = engine.execute(state, entry, authorised=entry.tx is not None)
        bare = engine.execute(state, entry, authorised=entry.tx is not None, events=False)
        assert bare.writes == full.writes and bare.events == ()
        assert list(full.events) == [e for i, _, e in stored_events if i == entry.index]
        state.apply_writes(full.writes)
    assert list(state.items()) == list(storage.scan_bytes("")) and len(stored_events) > 5
