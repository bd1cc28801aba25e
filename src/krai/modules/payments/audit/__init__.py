"""The audit anyone holding the ledger can run: every illegitimate, duplicate, late and missing
accrual, and every broken link from budget to service, each with its transactions.

It reads only the replayed state, as of a date (by default the day of the latest payments
transaction), and re-checks with hindsight what the ledger accepted with the facts known at the
time: a death attested late turns earlier payments into findings.

One concept a module: ``findings`` (a finding, and the kinds there are), ``data`` (what every
part reads once, and the memos they share), ``schedules`` (what the rule in effect gives),
``accruals`` (what each part checks of an assignment), ``people`` (across a person's
assignments), ``drugs`` (the drug chain), ``bank`` (payments and bank statements) and
``driver`` (the audit's day, its parts and the whole). ``audit`` itself is defined here: it
reads ``load`` and the driver's steps by this package's names, which callers may replace.
"""

from krai.modules.payments.audit.data import SHEETS, AuditData, load, read_sheets
from krai.modules.payments.audit.driver import (
    audit_day,
    audit_offset,
    audit_part,
    cards_share,
    check_whole,
    collector_paused,
    conclude,
    count_by_kind,
    ledger_day,
)
from krai.modules.payments.audit.findings import Finding
from krai.modules.payments.audit.schedules import BRIEFS_TRIED, entitled
from krai.state.store import StateView

__all__ = [  # the names other code imports from the audit, which was one module before
    "BRIEFS_TRIED",
    "SHEETS",
    "AuditData",
    "Finding",
    "audit",
    "audit_day",
    "audit_offset",
    "audit_part",
    "cards_share",
    "check_whole",
    "collector_paused",
    "conclude",
    "count_by_kind",
    "entitled",
    "ledger_day",
    "load",
    "read_sheets",
]


def audit(view: StateView, as_of: str | None = None) -> list[Finding]:
    """Every finding, ordered by kind and subject, as of ``audit_day``."""
    with collector_paused():
        data = load(view)
        day = audit_day(view, as_of)
        return conclude([audit_part(view, data, day, 0, 1)], check_whole(view, data, day))
