""" "Today" for every surface: the day of the ledger's newest entry (docs/api.md).

A read that names no date reads the ledger as of its own time, never a server's clock: the
CLI, the API and the dashboard then answer the same on any machine, a mirror or a replica
answers as its source does, and a simulated world (the demo's ends in 2026-06) reads as of
its last day. The calendar is UTC, as every date the modules derive from the sequencer's time.
"""

from krai.app.ports import Storage
from krai.state.calendar import local_date


def ledger_today(storage: Storage) -> str:
    """The UTC date ``YYYY-MM-DD`` of the newest entry's sequenced time (1970-01-01 for an
    empty log)."""
    size = storage.log_size()
    newest = storage.entry(size - 1) if size else None
    return local_date(newest.time_ms if newest else 0)
