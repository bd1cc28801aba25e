"""The payments audit on several processes, for ledgers with millions of accruals.

The parent reads what every part needs (programmes, rules, assignments, the drug chain, and
the fact sheets, read meanwhile by a forked process that sends them back) and the audit's day,
then forks one process per part (``krai.app.forked``): each inherits that data, checks its
share of the assignments — their decisions, their cards' accruals and the periods not accrued —
and sends back what it found. Meanwhile the parent makes the checks of the whole; then it joins
the findings. They are exactly those of
``krai.modules.payments.audit.audit`` in one process.
"""

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any

from krai.app.forked import Forked
from krai.app.ports import Storage
from krai.app.verify import ENTRIES_PER_READ as CHUNK
from krai.app.verify import replay_entry
from krai.modules.payments.audit import (
    Finding,
    audit,
    audit_day,
    audit_offset,
    audit_part,
    check_whole,
    collector_paused,
    conclude,
    count_by_kind,
    ledger_day,
    load,
    read_sheets,
)
from krai.modules.payments.model import zone_name
from krai.state.calendar import add_days, calendar_day, day_start_ms
from krai.state.engine import Engine
from krai.state.store import MemoryState, StateView

Reopen = Callable[[StateView], StateView]
"""Makes an inherited view safe to read in a forked process (drops database connections
opened before the fork); the identity for views held in memory."""

_today: "weakref.WeakKeyDictionary[Storage, tuple[int, list[Finding]]]" = (
    weakref.WeakKeyDictionary()
)
"""Each storage's latest audit as of its ledger's day, with the log size it was made at."""
_today_lock = threading.Lock()


def current_findings(storage: Storage) -> list[Finding]:
    """The audit as of the ledger's day (``audit(storage)``), made once per log size: pages
    read it again and again, and it changes only when an entry is appended."""
    with _today_lock:
        size = storage.log_size()
        cached = _today.get(storage)
        if cached is None or cached[0] != size:
            cached = (size, audit(storage))
            _today[storage] = cached
        return cached[1]


def findings_by_kind(storage: Storage) -> dict[str, int]:
    """How many findings of each kind today's audit makes (``current_findings``)."""
    return count_by_kind(current_findings(storage))


def default_parts() -> int:
    """One part per core."""
    return os.cpu_count() or 1


def run_audit(
    view: StateView,
    as_of: str | None = None,
    *,
    parts: int | None = None,
    reopen: Reopen | None = None,
) -> list[dict[str, Any]]:
    """Every finding, as ``audit`` gives them, computed by ``parts`` processes (default: one
    per core). Without ``fork`` (or with one part) the audit runs in this process."""
    count = default_parts() if parts is None else parts
    if count <= 1 or not hasattr(os, "fork"):
        return audit(view, as_of)
    read = reopen or _same
    with collector_paused(), Forked(1, lambda _: read_sheets(read(view))) as reader:
        # a forked process reads the fact sheets while this one reads the assignments, then
        # indexes their holders (for the checks of the whole) until the sheets come
        data = load(view, sheets={})
        while not reader.ready() and not data.index_some():
            pass
        data.sheets = reader.answers()[0]
        day = audit_day(view, as_of)
        with Forked(count, lambda part: audit_part(read(view), data, day, part, count)) as shares:
            whole = check_whole(view, data, day)
            return conclude(shares.answers(), whole)


def _same(view: StateView) -> StateView:
    return view


def audit_report(
    storage: Storage,
    origin: str,
    as_of: str | None = None,
    *,
    new_engine: Callable[[], Engine],
    parts: int | None = None,
) -> dict[str, Any]:
    """The audit as every surface shows it: the ledger it read (origin, checkpoint size and
    root, the day it audited as of — ``as_of``, or the newest payments transaction's day —
    the zone that day is read in with the ledger's own local day, and the cut: the last entry
    sequenced before that day ended, ``cut_index``, and the ``cut_size`` entries read), every
    finding with its sum at stake, and the sums by kind. A malformed ``as_of`` raises
    ``CalendarDayError`` before any work."""
    day = audit_day(storage, None if as_of is None else calendar_day(as_of, "as_of"))
    checkpoint = storage.latest_checkpoint()
    offset = audit_offset(storage)
    cut_size = entries_by_end_of(storage, day, offset)
    if cut_size < storage.log_size():
        findings = audit(replayed(storage, cut_size, new_engine()), day)
    else:
        findings = run_audit(storage, day, parts=parts, reopen=lambda _: storage.after_fork())
    ledger = {
        "as_of": day,
        "as_of_given": as_of is not None,
        "local_day": ledger_day(storage),
        "utc_offset_minutes": offset,
        "zone": zone_name(offset),
        "origin": origin,
        "size": checkpoint.size if checkpoint else 0,
        "root_hash": checkpoint.root_hash.hex() if checkpoint else "",
        "cut_index": cut_size - 1,
        "cut_size": cut_size,
    }
    return {"ledger": ledger, "findings": findings, "at_stake": at_stake_by_kind(findings)}


def at_stake_by_kind(findings: list[Finding]) -> dict[str, Any]:
    """The number of findings and the sum at stake of each kind, and the sum of all: a record
    found under two kinds (a dispensing both invalid and wrongly funded) counts once in it."""
    kinds: dict[str, dict[str, int]] = {}
    by_subject: dict[str, int] = {}
    for finding in findings:
        kind = kinds.setdefault(finding["kind"], {"count": 0, "at_stake_kopecks": 0})
        kind["count"] += 1
        kind["at_stake_kopecks"] += finding["at_stake_kopecks"]
        subject = finding["subject"]
        by_subject[subject] = max(by_subject.get(subject, 0), finding["at_stake_kopecks"])
    return {"kinds": kinds, "total_kopecks": sum(by_subject.values())}


def entries_by_end_of(storage: Storage, day: str, utc_offset_minutes: int) -> int:
    """How many entries were sequenced before ``day`` ended in the audit's zone: entries are
    sequenced in time order, so a binary search over their times finds the cut."""
    end_ms = day_start_ms(add_days(day, 1), utc_offset_minutes)
    low, high = 0, storage.log_size()
    while low < high:
        middle = (low + high) // 2
        entry = storage.entry(middle)
        assert entry is not None, "every index below the log's size is stored"
        if entry.time_ms < end_ms:
            low = middle + 1
        else:
            high = middle
    return low


def replayed(storage: Storage, size: int, engine: Engine) -> MemoryState:
    """The state after the first ``size`` entries, replayed in memory as ``krai verify``
    replays them."""
    state = MemoryState()
    for start in range(0, size, CHUNK):
        for stored in storage.entries(start, min(start + CHUNK, size)):
            replay_entry(engine, state, stored.data, stored.index)
    return state
