"""The chain from budget to service, forwards from a programme's money and backwards from any
payment or dispensing: each step names what it is, its id, and the transaction and entry that
established it, so a reader can fetch the inclusion proof of every link."""

from typing import Any

from krai.modules.accounts.queries import postings
from krai.modules.payments import queries
from krai.state.store import StateView, scan


def backwards_from_payment(view: StateView, payment_id: str) -> list[dict[str, Any]]:
    """Payment → accrual (with the rule version) → assignment → programme → its funding."""
    payment = queries.payment(view, payment_id)
    if payment is None:
        return []
    accrual = queries.accrual(view, payment["accrual_id"])
    assert accrual is not None
    assignment = queries.assignment(view, accrual["assignment_id"])
    assert assignment is not None
    return [
        _step("payment", payment_id, payment, amount_kopecks=payment["amount_kopecks"]),
        _step("accrual", accrual["accrual_id"], accrual, period=accrual["period"]),
        *_rule(view, accrual["programme_id"], int(accrual["rule_version"])),
        _step("assignment", assignment["assignment_id"], assignment),
        *_programme_and_funding(view, accrual["programme_id"]),
    ]


def backwards_from_dispensing(view: StateView, dispense_id: str) -> list[dict[str, Any]]:
    """Dispensing → prescription → assignment(s) → programme → funding; and its claim."""
    dispensing = queries.dispensing(view, dispense_id)
    if dispensing is None:
        return []
    prescription = queries.prescription(view, dispensing["prescription_id"])
    assert prescription is not None
    steps = [
        _step(
            "dispensing", dispense_id, dispensing, packs=[p["sgtin"] for p in dispensing["packs"]]
        ),
        _step("prescription", prescription["prescription_id"], prescription),
    ]
    steps += [
        _step("assignment", a["assignment_id"], a)
        for a in queries.assignments_of(view, prescription["pseudonym"])
        if a["programme_id"] == prescription["programme_id"]
    ]
    claim_id = dispensing.get("claim_id")
    found = None if claim_id is None else queries.claim(view, str(claim_id))
    if found is not None:
        steps.append(_step("claim", found["claim_id"], found, status=found["status"]))
    return [*steps, *_programme_and_funding(view, prescription["programme_id"])]


def forwards_from_programme(view: StateView, programme_id: str) -> dict[str, Any]:
    """Where a programme's money went: funded, accrued, paid, reimbursed, and each flow's
    transactions — the budget → programme → accrual → payment → service diagram's data."""
    programme = queries.programme(view, programme_id)
    if programme is None:
        return {}
    funding = [p for p in postings(view, programme["budget_account"]) if p["side"] == "credit"]
    accruals = [a for a in queries.accruals(view) if a["programme_id"] == programme_id]
    paid = sum(int(a["paid_kopecks"]) for a in accruals)
    claims = [c for c in _claims(view) if c["programme_id"] == programme_id]
    reimbursed = sum(int(c["amount_kopecks"]) for c in claims if c["status"] == "reimbursed")
    return {
        "programme_id": programme_id,
        "funded_kopecks": sum(int(p["amount_kopecks"]) for p in funding),
        "accrued_kopecks": sum(int(a["amount_kopecks"]) for a in accruals),
        "paid_kopecks": paid,
        "reimbursed_kopecks": reimbursed,
        "funding": [_posting(p) for p in funding],
        "accruals": len(accruals),
        "claims": len(claims),
    }


def _programme_and_funding(view: StateView, programme_id: str) -> list[dict[str, Any]]:
    programme = queries.programme(view, programme_id)
    assert programme is not None
    funding = [p for p in postings(view, programme["budget_account"]) if p["side"] == "credit"]
    return [
        _step("programme", programme_id, programme, legal_basis=programme["legal_basis"]),
        *(_posting(p) for p in funding),
    ]


def _rule(view: StateView, programme_id: str, version: int) -> list[dict[str, Any]]:
    return [
        _step("rule", f"{programme_id}/v{version}", rule, legal_basis=rule["legal_basis"])
        for rule in queries.rules(view, programme_id)
        if rule["version"] == version
    ]


def _claims(view: StateView) -> list[dict[str, Any]]:
    return [{"claim_id": k.rsplit("/", 1)[1], **v} for k, v in scan(view, "payments/claim/")]


def _posting(posting: dict[str, Any]) -> dict[str, Any]:
    return _step(
        "funding",
        posting["reference"],
        posting,
        amount_kopecks=posting["amount_kopecks"],
        from_account=posting["counterparty"],
    )


def _step(step: str, identifier: str, record: dict[str, Any], **details: Any) -> dict[str, Any]:
    return {
        "step": step,
        "id": identifier,
        "tx_id": record["tx_id"],
        "index": record["index"],
        **details,
    }
