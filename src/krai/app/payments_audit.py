"""The payments audit on several processes, for ledgers with millions of accruals.

The parent reads what every part needs (programmes, rules, facts, assignments, the drug
chain), then forks one process per part: each inherits that data, decodes and checks its share
of the assignments' cards and the bank statements, and sends back what it found. Meanwhile the
parent makes the checks that need no part's result; then it joins the parts and makes the
checks that need the audit's day. The findings are exactly those of
``krai.modules.payments.audit.audit`` in one process.
"""

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from krai.modules.payments.audit import (
    AuditData,
    PartResult,
    audit,
    audit_part,
    check_whole,
    collector_paused,
    conclude,
    load,
)
from krai.state.store import StateView

Reopen = Callable[[StateView], StateView]
"""Makes an inherited view safe to read in a forked process (drops database connections
opened before the fork); the identity for views held in memory."""

_inherited: tuple[StateView, AuditData, Reopen] | None = None
"""What the forked parts read: set by the parent just before it forks them."""


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
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return audit(view, as_of)
    global _inherited  # noqa: PLW0603 - handed to the forked processes by inheritance
    with collector_paused():
        data = load(view)
        _inherited = (view, data, reopen or _same)
        try:
            with multiprocessing.get_context("fork").Pool(count) as pool:
                pending = pool.starmap_async(_audit_part, [(part, count) for part in range(count)])
                whole = check_whole(view, data)
                results = pending.get()
        finally:
            _inherited = None
        return conclude(data, results, whole, as_of)


def _audit_part(part: int, parts: int) -> PartResult:
    assert _inherited is not None, "parts run only in processes forked by run_audit"
    view, data, reopen = _inherited
    return audit_part(reopen(view), data, part, parts)


def _same(view: StateView) -> StateView:
    return view
