"""The chain from budget to service, forwards from a programme's money and backwards from any
payment or dispensing: each step names what it is, its id, and the transaction and entry that
established it, so a reader can fetch the inclusion proof of every link."""

from typing import Any

from krai.modules.accounts.model import Posting
from krai.modules.accounts.queries import account_record, posting_records
from krai.modules.identity.queries import member
from krai.modules.payments import queries
from krai.modules.payments.records import (
    LegalBasis,
    PartEntry,
    Payment,
    Provenance,
    StatementInParts,
)
from krai.state.records import record_json
from krai.state.store import StateView


def backwards_from_payment(view: StateView, payment_id: str) -> list[dict[str, Any]]:
    """Payment (with the bank-statement lines that matched it) → accrual (with the rule
    version) → assignment → programme → its funding."""
    payment = queries.payment(view, payment_id)
    if payment is None:
        return []
    accrual = queries.accrual(view, payment.accrual_id)
    assert accrual is not None
    assignment = queries.assignment(view, accrual.assignment_id)
    assert assignment is not None
    return [
        _step("payment", payment_id, payment, amount_kopecks=payment.amount_kopecks),
        *_bank_lines(view, payment),
        _step("accrual", accrual.accrual_id, accrual, period=accrual.period),
        *_rule(view, accrual.programme_id, accrual.rule_version),
        _step("assignment", assignment.assignment_id, assignment),
        *_programme_and_funding(view, accrual.programme_id),
    ]


def backwards_from_dispensing(view: StateView, dispense_id: str) -> list[dict[str, Any]]:
    """Dispensing → prescription → assignment(s) → programme → funding; and its claim."""
    dispensing = queries.dispensing(view, dispense_id)
    if dispensing is None:
        return []
    prescription = queries.prescription(view, dispensing.prescription_id)
    assert prescription is not None
    steps = [
        _step("dispensing", dispense_id, dispensing, packs=[p.sgtin for p in dispensing.packs]),
        _step("prescription", prescription.prescription_id, prescription),
    ]
    steps += [
        _step("assignment", a.assignment_id, a)
        for a in queries.assignments_of(view, prescription.pseudonym)
        if a.programme_id == prescription.programme_id
    ]
    claim_id = dispensing.claim_id
    found = None if claim_id is None else queries.claim(view, claim_id)
    if found is not None:
        steps.append(_step("claim", found.claim_id, found, status=found.status))
    return [*steps, *_programme_and_funding(view, prescription.programme_id)]


def forwards_from_programme(view: StateView, programme_id: str) -> dict[str, Any]:
    """Where a programme's money went: funded, accrued, paid, reimbursed, and each flow's
    transactions — the budget → programme → accrual → payment → service diagram's data."""
    programme = queries.programme(view, programme_id)
    if programme is None:
        return {}
    funding = _funding(view, programme.budget_account)
    accruals = [a for a in queries.accruals(view) if a.programme_id == programme_id]
    claims = [c for c in queries.claims(view) if c.programme_id == programme_id]
    reimbursed = sum(c.amount_kopecks for c in claims if c.status == "reimbursed")
    return {
        "programme_id": programme_id,
        "funded_kopecks": sum(p.amount_kopecks for p in funding),
        "accrued_kopecks": sum(a.amount_kopecks for a in accruals),
        "paid_kopecks": sum(a.paid_kopecks for a in accruals),
        "reimbursed_kopecks": reimbursed,
        "funding": [_posting(view, p) for p in funding],
        "accruals": len(accruals),
        "claims": len(claims),
    }


def _bank_lines(view: StateView, payment: Payment) -> list[dict[str, Any]]:
    """The statement lines that matched (or reversed) the payment, each with the entry of the
    statement's part that holds it."""
    steps = []
    for matched in payment.bank_lines or ():
        statement = queries.statement(view, matched.statement_id)
        assert statement is not None, "a payment names only recorded statements"
        position, line = next(
            (n, line) for n, line in enumerate(statement.lines) if line.line_id == matched.line_id
        )
        part = _part_holding(statement, position)
        steps.append(
            {
                "step": "bank_line",
                "id": f"{matched.statement_id}/{matched.line_id}",
                "tx_id": part.tx_id,
                "index": part.index,
                "statement_id": matched.statement_id,
                "line_id": matched.line_id,
                "amount_kopecks": line.amount_kopecks,
                "booked_on": line.booked_on,
                "direction": line.direction,
            }
        )
    return steps


def _part_holding(statement: StatementInParts, position: int) -> PartEntry:
    """The part whose lines include the statement's ``position``-th line."""
    before = 0
    for part in statement.part_entries:
        before += part.lines or len(statement.lines)
        if position < before:
            return part
    return statement.part_entries[-1]


def _funding(view: StateView, budget_account: str) -> list[Posting]:
    return [p for p in posting_records(view, budget_account) if p.side == "credit"]


def _programme_and_funding(view: StateView, programme_id: str) -> list[dict[str, Any]]:
    programme = queries.programme(view, programme_id)
    assert programme is not None
    return [
        _step("programme", programme_id, programme, legal_basis=_basis(programme.legal_basis)),
        *(_posting(view, p) for p in _funding(view, programme.budget_account)),
    ]


def _rule(view: StateView, programme_id: str, version: int) -> list[dict[str, Any]]:
    return [
        _step("rule", f"{programme_id}/v{version}", rule, legal_basis=_basis(rule.legal_basis))
        for rule in queries.rules(view, programme_id)
        if rule.version == version
    ]


def _basis(basis: LegalBasis) -> dict[str, Any]:
    return record_json(basis)


def _posting(view: StateView, posting: Posting) -> dict[str, Any]:
    """A credit to the programme's budget, with the account it came from named as its owner
    titled it and the organisation that owns it, so a reader need not look either up."""
    source = account_record(view, posting.counterparty)
    owner = None if source is None else member(view, source.owner)
    return {
        "step": "funding",
        "id": posting.reference,
        "tx_id": posting.tx_id,
        "index": posting.index,
        "amount_kopecks": posting.amount_kopecks,
        "from_account": posting.counterparty,
        "from_title": None if source is None else source.title,
        "from_owner": None if source is None else source.owner,
        "from_owner_name": None if owner is None else owner.name,
    }


def _step(step: str, identifier: str, record: Provenance, **details: Any) -> dict[str, Any]:
    return {"step": step, "id": identifier, "tx_id": record.tx_id, "index": record.index, **details}
