"""Read functions over social payments and drug provision: rules, the audit, CLI, dashboard.

A person is only ever a pseudonym here. ``entitlement`` recomputes what a rule version gives
a person for a period from the facts attested about them — the same function the ledger
checks an accrual with, and the audit re-runs with facts that arrived later.
"""

from typing import Any

from krai.modules.payments.audit import audit
from krai.modules.payments.formulas import FormulaError, evaluate
from krai.modules.payments.model import (
    PREFIX,
    accrual_key,
    assignment_key,
    claim_key,
    death_key,
    dispense_key,
    fact_rank,
    fact_sheet_key,
    facts_in_effect,
    payment_key,
    period_start,
    prescription_key,
    programme_key,
    rule_for,
    statement_in_parts,
    statement_key,
)
from krai.state.store import StateView, read, scan


def programme(view: StateView, programme_id: str) -> dict[str, Any] | None:
    """The programme, or None."""
    found = read(view, programme_key(programme_id))
    return None if found is None else {"programme_id": programme_id, **found}


def programmes(view: StateView) -> list[dict[str, Any]]:
    """Every programme, by id."""
    return _listed(view, "programme", "programme_id")


def rules(view: StateView, programme_id: str) -> list[dict[str, Any]]:
    """Every rule version of a programme, oldest first."""
    return [rule for _, rule in scan(view, f"{PREFIX}rule/{programme_id}/")]


def facts_on(view: StateView, subjects: list[str], on: str) -> dict[str, Any]:
    """The facts attested about a person (any of its pseudonyms) in effect on a date: for each
    kind the latest attestation valid then. ``death`` is the date of death once it has passed."""
    facts = [fact for subject in subjects for fact in fact_sheet(view, subject)]
    return facts_in_effect(sorted(facts, key=fact_rank), on)


def fact_sheet(view: StateView, subject: str) -> list[dict[str, Any]]:
    """Every fact attested about a subject, in brief, in the order attested."""
    sheet = read(view, fact_sheet_key(subject))
    facts: list[dict[str, Any]] = [] if sheet is None else sheet["facts"]
    return facts


def death_date(view: StateView, subjects: list[str]) -> str | None:
    """The attested date of death of a person, if any."""
    dates = [found["died"] for s in subjects if (found := read(view, death_key(s))) is not None]
    return min(dates) if dates else None


def entitlement(view: StateView, assignment: dict[str, Any], period: str) -> dict[str, Any]:
    """What the rule in effect at the period's start gives the person for that period:
    ``{"version", "eligible", "amount_kopecks"}``, or ``{"error"}`` when no rule applies or
    the formula is undefined for the facts. Nothing is due for a month after a death."""
    on = period_start(period)
    rule = rule_for(rules(view, assignment["programme_id"]), on)
    if rule is None:
        return {"error": f"programme {assignment['programme_id']} has no rule in effect on {on}"}
    subjects = [assignment["pseudonym"], assignment["dedup_key"]]
    facts = facts_on(view, subjects, on)
    died = facts.get("death")
    try:
        eligible = died is None and evaluate(rule["eligibility"], facts, rule["parameters"]) is True
        amount = evaluate(rule["amount_kopecks"], facts, rule["parameters"]) if eligible else 0
    except (FormulaError, KeyError, IndexError, TypeError) as error:
        return {"error": f"rule version {rule['version']} is undefined for this person: {error}"}
    if not isinstance(amount, int) or isinstance(amount, bool):
        return {"error": f"rule version {rule['version']} gives {amount!r}, not an amount"}
    return {"version": rule["version"], "eligible": eligible, "amount_kopecks": max(amount, 0)}


def assignment(view: StateView, assignment_id: str) -> dict[str, Any] | None:
    """The assignment, or None."""
    found = read(view, assignment_key(assignment_id))
    return None if found is None else {"assignment_id": assignment_id, **found}


def assignments_of(view: StateView, pseudonym: str) -> list[dict[str, Any]]:
    """Every assignment of a person (by programme pseudonym)."""
    prefix = f"{PREFIX}person/{pseudonym}/"
    found = (assignment(view, key[len(prefix) :]) for key, _ in scan(view, prefix))
    return [a for a in found if a is not None]


def accrual(view: StateView, accrual_id: str) -> dict[str, Any] | None:
    """The accrual, or None."""
    found = read(view, accrual_key(accrual_id))
    return None if found is None else {"accrual_id": accrual_id, **found}


def accruals(view: StateView) -> list[dict[str, Any]]:
    """Every accrual, by id."""
    return _listed(view, "accrual", "accrual_id")


def payment(view: StateView, payment_id: str) -> dict[str, Any] | None:
    """The payment, or None."""
    found = read(view, payment_key(payment_id))
    return None if found is None else {"payment_id": payment_id, **found}


def prescription(view: StateView, prescription_id: str) -> dict[str, Any] | None:
    """The prescription with what was dispensed against it, or None."""
    found = read(view, prescription_key(prescription_id))
    return None if found is None else {"prescription_id": prescription_id, **found}


def dispensing(view: StateView, dispense_id: str) -> dict[str, Any] | None:
    """The dispensing with its packs and problems, or None."""
    found = read(view, dispense_key(dispense_id))
    return None if found is None else {"dispense_id": dispense_id, **found}


def claim(view: StateView, claim_id: str) -> dict[str, Any] | None:
    """The reimbursement claim, or None."""
    found = read(view, claim_key(claim_id))
    return None if found is None else {"claim_id": claim_id, **found}


def pack(view: StateView, sgtin: str) -> dict[str, Any] | None:
    """Where a pack left circulation, or None while it has not."""
    return read(view, f"{PREFIX}pack/{sgtin}")


def statement(view: StateView, statement_id: str) -> dict[str, Any] | None:
    """An imported bank statement with each line's outcome, in order across its parts, the
    parts received of how many, its digest and whether it is complete; or None. One recorded
    whole (version 1) reads as a complete statement of one part."""
    found = read(view, statement_key(statement_id))
    return None if found is None else statement_in_parts(found)


def statements(view: StateView) -> list[dict[str, Any]]:
    """Every bank statement, one per id however many parts it came in: parts received of
    how many, whether complete, its lines and how many matched no payment, where part 1 is."""
    prefix = f"{PREFIX}statement/"
    return [
        _statement_summary(key[len(prefix) :], statement_in_parts(found))
        for key, found in scan(view, prefix)
    ]


def _statement_summary(statement_id: str, found: dict[str, Any]) -> dict[str, Any]:
    keep = ("parts", "parts_received", "complete", "statement_sha256", "index", "time_ms")
    return {
        "statement_id": statement_id,
        **{name: found[name] for name in keep},
        "lines": len(found["lines"]),
        "unmatched_lines": sum(1 for line in found["lines"] if "unmatched" in line),
    }


def audit_findings(view: StateView, as_of: str | None = None) -> list[dict[str, Any]]:
    """The audit's findings (see audit.py), as of a date (default: the last entry's day)."""
    return audit(view, as_of)


def audit_summary(view: StateView, as_of: str | None = None) -> dict[str, int]:
    """How many findings of each kind the audit makes."""
    counts: dict[str, int] = {}
    for finding in audit(view, as_of):
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
    return counts


def _listed(view: StateView, kind: str, id_name: str) -> list[dict[str, Any]]:
    prefix = f"{PREFIX}{kind}/"
    return [{id_name: key[len(prefix) :], **value} for key, value in scan(view, prefix)]
