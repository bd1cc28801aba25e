"""The payments audit's findings on generated regions, held to what the audit of ``main``
6180112 found on them (stored under tests/fixtures/payments_audit/, written by
``write_expected`` with that code): making the audit faster must not change one finding.

Each region has anomalies of every kind (payments_anomalies.py), people whose facts change in
hindsight, and a statement whose last part never comes, so every kind the audit knows is
found at least once, in one process and in parts.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from tests.scenarios.payments_anomalies import AnomalousRegion
from tests.scenarios.payments_people import AGENT, AS_OF
from tests.scenarios.payments_region import populate

from krai.app.payments_audit import run_audit
from krai.modules.payments.audit import audit
from krai.modules.payments.records import statement_sha256
from krai.state.store import StateView

EXPECTED = Path(__file__).parents[2] / "fixtures" / "payments_audit"
SEEDS = {2026: 300, 7: 200}
"""Each region's seed and its number of generated people."""
KINDS = {
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
    "incomplete_statement",
    "backdated_decision",
    "invalid_dispensing",
    "deferred_not_served",
    "wrong_funding_source",
}


def region_state(seed: int, size: int) -> StateView:
    """The anomalous region of ``seed``, with a statement left at its first part of two."""
    region = populate(AnomalousRegion, seed=seed, size=size)
    lines = [
        {
            "line_id": str(number),
            "booked_on": "2026-05-27",
            "direction": "debit",
            "amount_kopecks": 100_000 * number,
            "reference": f"unknown-{seed}-{number}",
        }
        for number in (1, 2, 3)
    ]
    body = {
        "statement_id": f"veb-parts-{seed}",
        "part": 1,
        "parts": 2,
        "statement_sha256": statement_sha256(lines),
        "lines": lines[:2],
    }
    result = region.ledger.submit(AGENT, "payments.reconcile_statement", body, 2)
    assert result.accepted, result.error
    return region.ledger.view


def expected(seed: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((EXPECTED / f"findings-{seed}.json").read_text())
    return found


def write_expected() -> None:
    """Store the findings the audit of this checkout makes on each region."""
    for seed, size in SEEDS.items():
        found = audit(region_state(seed, size), AS_OF)
        text = json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True)
        (EXPECTED / f"findings-{seed}.json").write_text(text + "\n")


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_the_audit_finds_on_each_region_exactly_what_it_found_before(seed: int) -> None:
    view = region_state(seed, SEEDS[seed])
    found = audit(view, AS_OF)
    assert {finding["kind"] for finding in found} == KINDS
    assert found == expected(seed)
    assert run_audit(view, AS_OF, parts=2) == found  # the same on two processes
    assert run_audit(view, AS_OF, parts=3) == found  # and on three


if __name__ == "__main__":
    write_expected()
