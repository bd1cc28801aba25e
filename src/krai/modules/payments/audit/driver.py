"""How the audit runs: its day (``audit_day``, ``ledger_day``, ``audit_offset``), the share of the
assignments each part checks (``cards_share``, ``audit_part``), the checks of the whole
(``check_whole``) and the findings of both joined (``conclude``). ``audit`` runs them in one
process, ``krai.app.payments_audit`` the parts in several.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from krai.modules.payments.audit.accruals import check_assignment
from krai.modules.payments.audit.bank import incomplete_statements, unmatched_lines, unreconciled
from krai.modules.payments.audit.data import CARDS, AuditData, Decoded, by_id
from krai.modules.payments.audit.drugs import dispensed_after_death, drugs
from krai.modules.payments.audit.findings import Finding
from krai.modules.payments.audit.people import (
    duplicate_candidates,
    duplicates,
    incompatible,
    paid_after_death,
)
from krai.modules.payments.model import LATEST_KEY
from krai.modules.payments.records import CardAccrual, CardAccruals, Latest, Programme
from krai.state.calendar import local_date
from krai.state.records import decode_record, read_record
from krai.state.store import SCAN_END, RangedView, StateView, scan_range


def count_by_kind(findings: list[Finding]) -> dict[str, int]:
    """How many findings there are of each kind."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
    return counts


def audit_day(view: StateView, as_of: str | None) -> str:
    """``as_of``, or else the day of the latest payments transaction (``ledger_day``)."""
    return ledger_day(view) if as_of is None else as_of


def ledger_day(view: StateView) -> str:
    """The local day, in ``audit_offset``, of the latest payments transaction (1970-01-01
    before the first)."""
    latest = read_record(view, LATEST_KEY, Latest)
    return local_date(0 if latest is None else latest.time_ms, audit_offset(view))


def audit_offset(view: StateView) -> int:
    """The UTC offset the audit reads the ledger's clock in: its programmes' region's — the
    westernmost when they differ, so that no programme is judged on a day it has not reached
    — or UTC before any programme."""
    offsets = [scheme.offset_minutes() for scheme in by_id(view, "programme", Programme).values()]
    return min(offsets, default=0)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Millions of small records: the garbage collector's passes would find nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def check_whole(view: StateView, data: AuditData, day: str) -> list[Finding]:
    """The checks that need only the small kinds, and records read by the keys of the
    payments state's indexes: what the parent process does while the parts run."""
    return [
        *dispensed_after_death(data),
        *incompatible(data),
        *duplicates(duplicate_candidates(view, data)),
        *paid_after_death(view, data),
        *unreconciled(view, day),
        *unmatched_lines(view),
        *incomplete_statements(view),
        *drugs(data, day),
    ]


def audit_part(view: StateView, data: AuditData, day: str, part: int, parts: int) -> list[Finding]:
    """Check the ``part``-th of ``parts`` runs of assignments, in their cards' order: each
    assignment's decision date, every accrual its cards hold and every period it was owed and
    not accrued. Only the records of the share are decoded, each once, and an accrual's own
    record only when it is a finding."""
    share, start, end = cards_share(data, part, parts)
    if not share:
        return []
    findings: list[Finding] = []
    read = data.assignments.fresh if isinstance(data.assignments, Decoded) else None
    cards = _cards(view, share, start, end)
    card = next(cards, None)
    for assignment_id in share:
        accruals: dict[str, CardAccrual] = {}
        prefix = f"{CARDS}{assignment_id}/"
        while card is not None and _held(card[0], prefix):  # in the share's order
            accruals = _with_card(accruals, card)
            card = next(cards, None)
        assignment = data.assignments[assignment_id] if read is None else read(assignment_id)
        findings.extend(
            check_assignment(view, data, day, assignment_id, assignment, accruals=accruals)
        )
    assert card is None, f"a card of {_card_owner(card)}, an assignment the state does not hold"
    return findings


CARDS_PER_READ = 2048
"""The assignments whose cards one read takes: a part reads its share's cards a slice at a
time, so that their rows never fill its memory at once (every page of it a fault to map)."""


def _cards(view: StateView, share: list[str], start: str, end: str) -> Iterator[tuple[str, bytes]]:
    """The cards of ``share`` (from ``start`` to ``end``, ``cards_share``), in key order, read
    ``CARDS_PER_READ`` assignments' at a time where the view reads a range alone."""
    if not isinstance(view, RangedView):  # each read would scan the whole prefix
        yield from scan_range(view, CARDS, start, end)
        return
    for first in range(0, len(share), CARDS_PER_READ):
        after = first + CARDS_PER_READ
        until = f"{CARDS}{share[after]}/" if after < len(share) else end
        yield from scan_range(view, CARDS, start, until)
        start = until


def _held(key: str, prefix: str) -> bool:
    """Whether the card under ``key`` is one of the assignment whose cards' keys begin with
    ``prefix`` (``{CARDS}{id}/``): the rest is its year, without another ``/``."""
    return key.startswith(prefix) and key.find("/", len(prefix)) < 0


def _card_owner(item: tuple[str, bytes]) -> str:
    """The id of the assignment whose card is under the key (``{CARDS}{id}/{year}``)."""
    return item[0][len(CARDS) :].rsplit("/", 1)[0]


def _with_card(accruals: dict[str, CardAccrual], card: tuple[str, bytes]) -> dict[str, CardAccrual]:
    """``accruals`` and those on an assignment's card (one a year), by period."""
    key, raw = card
    found = decode_record(raw, CardAccruals, key).accruals
    return {**accruals, **found} if accruals else found


def cards_share(data: AuditData, part: int, parts: int) -> tuple[list[str], str, str]:
    """The ``part``-th of ``parts`` runs of assignment ids in their cards' order, and the
    range of keys that holds exactly their cards."""
    ordered = data.in_card_order
    first, last = len(ordered) * part // parts, len(ordered) * (part + 1) // parts
    share = ordered[first:last]
    end = f"{CARDS}{ordered[last]}/" if last < len(ordered) else CARDS + SCAN_END
    return share, f"{CARDS}{share[0]}/" if share else end, end


def conclude(parts: list[list[Finding]], whole: list[Finding]) -> list[Finding]:
    """The findings of the parts and of the whole, by kind and subject."""
    findings = [*(finding for part in parts for finding in part), *whole]
    return sorted(findings, key=lambda f: (f["kind"], f["subject"]))
