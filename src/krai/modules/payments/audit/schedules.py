"""What the rule in effect gives an assignment's person, a span at a time: the assignment's
``Schedule`` — one for all people alike (docs/adr/0041) — with each span's due evaluated when
first asked (docs/adr/0015), over the programme's rule ``Versions`` compiled once.
"""

import re
from bisect import bisect_right
from operator import attrgetter
from typing import Any

from krai.modules.payments.audit.data import SHEETS, AuditData, Schedule, Versions
from krai.modules.payments.formulas import FormulaError, compile_formula
from krai.modules.payments.model import period_start
from krai.modules.payments.records import Assignment, Fact, FactSheet, facts_in_effect
from krai.state.records import decode_record


def entitled(data: AuditData, assignment_id: str, period: str) -> dict[str, Any]:
    """What the rule in effect gives the assignment's person for the period, on every fact
    now attested: evaluated once per span of its schedule (docs/adr/0015), so the months of
    a person with settled facts under one rule version cost one evaluation."""
    return due(data, _schedule(data, assignment_id), period)


def due(data: AuditData, schedule: Schedule, period: str) -> dict[str, Any]:
    on = period_start(period)
    span = bisect_right(schedule.changes, on)
    due = schedule.dues[span]
    if due is None:
        due = schedule.dues[span] = _evaluate(data, schedule, on)
    return due


def _schedule(data: AuditData, assignment_id: str) -> Schedule:
    """The assignment's schedule (``schedule_of``)."""
    return schedule_of(data, data.assignments[assignment_id])


def schedule_of(data: AuditData, assignment: Assignment) -> Schedule:
    """The assignment's schedule: shared with every assignment of its programme whose person
    has the same facts (kind, value, validity, in rank order), since nothing else in it
    depends on the person — so people alike cost one schedule and one evaluation a span.

    A person with one fact sheet is looked up by the sheet's bytes without the facts' entry
    indexes first (``_UNINDEXED``): a sheet lists its facts in the order attested, so by
    entry index, and its rank order is that order sorted by validity alone — the same for
    every sheet that differs only in the indexes, which then is not decoded again."""
    sheets, programme_id = data.sheets, assignment.programme_id
    found = [sheets.get(SHEETS + assignment.pseudonym), sheets.get(SHEETS + assignment.dedup_key)]
    raws = [raw for raw in found if raw is not None]
    if len(raws) > 1 or not data.by_brief:
        return _schedule_by_shape(data, programme_id, _ranked(raws))
    brief = (programme_id, _UNINDEXED.sub(b"{", raws[0]) if raws else b"")
    schedule = data.briefs.get(brief)
    if schedule is None:
        schedule = data.briefs[brief] = _schedule_by_shape(data, programme_id, _ranked(raws))
        if len(data.briefs) == BRIEFS_TRIED and data.brief_hits < BRIEFS_TRIED:
            data.by_brief = False  # people mostly all different: the briefs cost, not save
    else:
        schedule.shared = True
        data.brief_hits += 1
    return schedule


BRIEFS_TRIED = 4096
"""After this many different sheets without indexes, they are no longer looked up unless as
many people again were found by one (``schedule_of``)."""


_UNINDEXED = re.compile(rb'\{"index":(?:0|[1-9][0-9]{0,14}),')
"""A fact's entry index on a stored sheet: first of its sorted fields, a JSON integer within
the safe range (anything else is left, so that the sheet is decoded and refused)."""


def _schedule_by_shape(data: AuditData, programme_id: str, facts: list[Fact]) -> Schedule:
    """The schedule of ``programme_id`` for a person with ``facts`` in rank order."""
    shape = (programme_id, tuple(map(_SHAPE, facts)))
    schedule = data.alike.get(shape)
    if schedule is not None:
        schedule.shared = True
    else:
        changes = sorted(
            {
                *_versions(data, programme_id).starts,
                *[fact.valid_from for fact in facts],
                *[fact.valid_until for fact in facts if fact.valid_until],
            }
        )
        schedule = data.alike[shape] = Schedule(
            programme_id, facts, changes, [None] * (len(changes) + 1)
        )
    return schedule


def _ranked(sheets: list[bytes]) -> list[Fact]:
    """Every fact on the sheets, in rank order (``fact_rank``)."""
    facts: list[Fact] = []
    for raw in sheets:
        facts.extend(decode_record(raw, FactSheet, "a fact sheet").facts)
    facts.sort(key=_RANK)
    return facts


_RANK = attrgetter("valid_from", "index")
"""``fact_rank``, without a call into Python for each fact."""
_SHAPE = attrgetter("kind", "value", "valid_from", "valid_until")
"""What a schedule reads of a fact (``_schedule``)."""


def _versions(data: AuditData, programme_id: str) -> Versions:
    found = data.versions.get(programme_id)
    if found is None:
        rules = sorted(
            data.rules.get(programme_id, ()), key=lambda r: (r.effective_from, r.version)
        )
        found = data.versions[programme_id] = Versions(
            [rule.effective_from for rule in rules],
            rules,
            [
                (
                    compile_formula(rule.eligibility, rule.parameters),
                    compile_formula(rule.amount_kopecks, rule.parameters),
                )
                for rule in rules
            ],
        )
    return found


def _evaluate(data: AuditData, schedule: Schedule, on: str) -> dict[str, Any]:
    """What the rule version in effect on ``on`` (as ``queries.rule_for`` chooses it) gives."""
    versions = _versions(data, schedule.programme_id)
    latest = bisect_right(versions.starts, on) - 1
    if latest < 0:
        return {"error": "no rule in effect"}
    facts = facts_in_effect(schedule.facts, on)
    eligibility, amount = versions.formulas[latest]
    try:
        eligible = facts.get("death") is None and eligibility(facts) is True
        value = amount(facts) if eligible else 0
    except (FormulaError, KeyError, IndexError, TypeError) as error:
        return {"error": str(error)}
    if type(value) is not int:  # as queries.entitlement: no amount, nothing to compare
        return {"error": f"the rule gives {value!r}, not an amount"}
    version = versions.rules[latest].version
    return {"version": version, "eligible": eligible, "amount_kopecks": max(value, 0)}
