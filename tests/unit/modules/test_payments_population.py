"""The payments audit on a generated region: every injected anomaly found, nothing else.

A seeded population (tests/scenarios/payments_region.py) runs five months of a cash benefit
with an April rule change, an allowance incompatible with it and a drug programme; anomalies
of every kind the audit knows are injected at random places (payments_anomalies.py), each
with the ``(kind, subject)`` the audit must report. Precision and recall must both be 1.
"""

import hashlib
from typing import Any

import pytest
from tests.scenarios.payments_anomalies import AnomalousRegion
from tests.scenarios.payments_people import (
    AGENT,
    AS_OF,
    AUTHORITY,
    BANK_REASONS,
    BENEFIT,
    CLINIC,
    DRUGS,
    PHARMACY,
)
from tests.scenarios.payments_region import Region, populate

from krai.app.payments_audit import run_audit
from krai.modules.payments import queries
from krai.modules.payments.audit import audit, audit_day
from krai.modules.payments.records import SHEET_FIELDS
from krai.state.calendar import local_date
from krai.state.records import record_json
from krai.state.store import read, scan
from krai.tx.errors import Code

AUDIT_KINDS = {
    "paid_after_death",
    "dispensed_after_death",
    "incompatible_programmes",
    "ineligible_recipient",
    "over_accrual",
    "duplicate_accrual",
    "late_accrual",
    "missing_accrual",
    "override",
    "unreconciled_payment",
    "unmatched_bank_line",
    "backdated_decision",
    "invalid_dispensing",
    "deferred_not_served",
    "wrong_funding_source",
}
PROBLEMS = {
    "prescription_expired",
    "wrong_person",
    "drug_not_prescribed",
    "quantity_exceeded",
    "recipient_dead",
}


def findings(region: Region) -> list[dict[str, object]]:
    return audit(region.ledger.view, AS_OF)


def test_a_clean_region_gives_no_finding() -> None:
    region = populate(Region, seed=11, size=120)
    assert len(region.accruals) > 400 and len(region.dispensings) > 30
    assert findings(region) == []


@pytest.mark.parametrize("seed", [2026])
def test_the_audit_finds_every_injected_anomaly_and_nothing_else(seed: int) -> None:
    region = populate(AnomalousRegion, seed=seed, size=300)
    found = findings(region)
    pairs = {(str(f["kind"]), str(f["subject"])) for f in found}
    assert {kind for kind, _ in region.truth} == AUDIT_KINDS
    assert sorted(pairs - region.truth) == []  # precision 1
    assert sorted(region.truth - pairs) == []  # recall 1
    assert len(pairs) == len(found)  # no finding twice
    evidence = [f["evidence"] for f in found]
    reasons = {e["reason"] for e in evidence if "reason" in e}  # type: ignore[operator,index]
    problems = {p for e in evidence for p in e.get("problems", [])}  # type: ignore[attr-defined]
    assert reasons == set(BANK_REASONS)
    assert problems == PROBLEMS
    assert run_audit(region.ledger.view, AS_OF, parts=3) == found  # the same, on 3 processes


def test_the_cards_and_the_indexes_say_what_the_records_say() -> None:
    """The audit reads the assignments' cards, not every accrual and payment, fact sheets,
    not every fact, and indexes, not every statement: each card, sheet and index entry matches
    its record, and every record has its entry."""
    view = populate(AnomalousRegion, seed=5, size=300).ledger.view
    accruals = dict(scan(view, "payments/accrual/"))
    payments = dict(scan(view, "payments/payment/"))
    on_cards: dict[str, dict[str, object]] = {}
    paid_on_cards: dict[str, dict[str, object]] = {}
    for key, card in scan(view, "payments/card/"):
        assignment_id, year = key.split("/")[2:]
        for period, entry in card["accruals"].items():
            accrual = accruals[f"payments/accrual/{entry['accrual_id']}"]
            assert (accrual["assignment_id"], accrual["period"]) == (assignment_id, period)
            assert period[:4] == year
            on_cards[entry["accrual_id"]] = entry
        paid_on_cards.update(card["payments"])
    assert len(on_cards) == len(accruals) > 500
    for key, accrual in accruals.items():
        entry = on_cards[key.rsplit("/", 1)[1]]
        assert entry["amount_kopecks"] == accrual["amount_kopecks"]
        assert entry["time_ms"] == accrual["time_ms"]
        assert ("override" in entry) == ("override" in accrual)
    assert {f"payments/payment/{p}" for p in paid_on_cards} == set(payments)
    for key, payment in payments.items():
        entry = paid_on_cards[key.rsplit("/", 1)[1]]
        assert entry == {"paid_on": payment["paid_on"], "time_ms": payment["time_ms"]}
    waiting = {key.rsplit("/", 1)[1] for key, _ in scan(view, "payments/unreconciled/")}
    unreconciled = {k.rsplit("/", 1)[1] for k, p in payments.items() if p["bank"] == "unreconciled"}
    assert waiting == unreconciled and len(waiting) > 0
    unmatched = {
        f"{key.rsplit('/', 1)[1]}/{line['line_id']}": {
            "reason": line["unmatched"],
            "reference": line["reference"],
        }
        for key, statement in scan(view, "payments/statement/")
        for line in statement["lines"]
        if "unmatched" in line
    }
    indexed = {key.split("/", 2)[2]: line for key, line in scan(view, "payments/unmatched/")}
    assert indexed == unmatched and len(unmatched) > 0
    sheets: dict[str, list[dict[str, object]]] = {}
    deaths: dict[str, str] = {}
    for key, fact in sorted(scan(view, "payments/fact/"), key=lambda kv: kv[1]["index"]):
        subject = key.split("/")[2]
        sheets.setdefault(subject, []).append({n: fact[n] for n in SHEET_FIELDS if n in fact})
        if fact["kind"] == "death":
            deaths[subject] = min(fact["valid_from"], deaths.get(subject, "9999"))
    assert {k.split("/")[2]: s["facts"] for k, s in scan(view, "payments/sheet/")} == sheets
    assert {k.split("/")[2]: d["died"] for k, d in scan(view, "payments/death/")} == deaths
    assert len(deaths) > 0 and any("valid_until" in f for fs in sheets.values() for f in fs)


def test_the_audit_day_is_that_of_the_last_payments_transaction() -> None:
    ledger = populate(Region, seed=4, size=40).ledger  # ends with a bank statement
    latest = read(ledger.view, "payments/latest")
    assert latest is not None
    last = [s for _, s in scan(ledger.view, "payments/statement/") if s["index"] == latest["index"]]
    assert latest["index"] == len(ledger.entries) - 1
    assert latest["time_ms"] == last[0]["time_ms"]
    assert audit_day(ledger.view, None) == local_date(latest["time_ms"])
    assert audit_day(ledger.view, "2026-03-01") == "2026-03-01"


def test_what_the_ledger_refuses_outright_leaves_no_trace() -> None:
    region = populate(Region, seed=3, size=60)
    ledger, view = region.ledger, region.ledger.view
    person = next(p for p in region.people if p.plain)
    assignment_id = region.assignment_of(person, BENEFIT)
    accrual_id = region.accrue(assignment_id, "2026-06")
    assert accrual_id is not None
    amount = region.accruals[accrual_id]["amount_kopecks"]
    dispense_id = next(iter(region.dispensings))
    dispensed = queries.dispensing(view, dispense_id)
    assert dispensed is not None
    prescription_id = region.new_id("rx")
    patient = next(p for p in region.people if p.drugs_only and not p.dead)

    def refused(signer: str, type_name: str, body: dict[str, Any], code: Code, text: str) -> None:
        size, digest = len(ledger.entries), ledger.digest()
        result = ledger.submit(signer, type_name, body)
        assert result.error is not None and result.error.code == code, result.error
        assert text in result.error.message
        assert (len(ledger.entries), ledger.digest()) == (size, digest)

    again = {"accrual_id": "acc-again", "assignment_id": assignment_id, "period": "2026-06"}
    refused(
        AUTHORITY,
        "payments.accrue",
        {**again, "amount_kopecks": amount},
        Code.CONFLICT,
        f"already has accrual {accrual_id} for 2026-06",
    )
    pay = {
        "payment_id": "pay-x",
        "accrual_id": accrual_id,
        "amount_kopecks": amount + 1,
        "paid_on": "2026-06-05",
        "payout_account": f"veb:payouts:{BENEFIT}",
    }
    refused(AGENT, "payments.pay", pay, Code.RULE_VIOLATION, f"has {amount} kopecks unpaid")
    region.attest(person, "death", "2026-06-01")
    refused(
        AGENT,
        "payments.pay",
        {**pay, "amount_kopecks": amount},
        Code.RULE_VIOLATION,
        "the recipient's death on 2026-06-01 is attested",
    )
    rx = {
        "prescription_id": prescription_id,
        "programme_id": DRUGS,
        "pseudonym": patient.ps(DRUGS),
        "commitment_sha256": hashlib.sha256(b"rx").hexdigest(),
        "drug_code": "aspirin-500mg",
        "quantity_units": 1,
        "issued_on": "2026-06-05",
        "validity_days": 30,
    }
    refused(CLINIC, "payments.prescribe", rx, Code.RULE_VIOLATION, "is not on programme")
    ledger.submit(CLINIC, "payments.prescribe", {**rx, "drug_code": dispensed.packs[0].drug_code})
    twice = {
        "dispense_id": "d-twice",
        "prescription_id": prescription_id,
        "pseudonym": patient.ps(DRUGS),
        "dispensed_on": "2026-06-05",
        "packs": [record_json(dispensed.packs[0])],
    }
    refused(
        PHARMACY,
        "payments.dispense",
        twice,
        Code.CONFLICT,
        f"pack {dispensed.packs[0].sgtin} left circulation",
    )
