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

import msgspec
import pytest
from tests.scenarios.payments_anomalies import AnomalousRegion
from tests.scenarios.payments_people import AGENT, AS_OF, BENEFIT, LOW_INCOME
from tests.scenarios.payments_region import Region, populate
from tests.unit.modules.test_payments_population import AUDIT_KINDS

from krai.app.payments_audit import run_audit
from krai.modules.payments.audit import SHEETS, AuditData, audit, entitled, load
from krai.modules.payments.records import Fact, FactSheet, statement_sha256
from krai.state.records import encode_record
from krai.state.store import StateView

EXPECTED = Path(__file__).parents[2] / "fixtures" / "payments_audit"
SEEDS = {2026: 300, 7: 200}
"""Each region's seed and its number of generated people."""
KINDS = AUDIT_KINDS | {"incomplete_statement"}
"""Every kind the audit knows: the anomalies' and a statement left unfinished."""


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


def test_people_alike_share_a_schedule_and_the_rank_of_their_facts_counts() -> None:
    """Three people of the benefit with the same two incomes from the same day: the later
    attested holds. Two attested them in the same order (other entries): one schedule; the
    third in the other order: a schedule of its own, and another amount."""
    region = populate(Region, seed=11, size=20)
    data = load(region.ledger.view)
    template = next(a for a in data.assignments.values() if a.programme_id == BENEFIT)
    low, high = LOW_INCOME - 100_000, LOW_INCOME + 100_000
    incomes = {"dd:a": ((low, 1), (high, 2)), "dd:b": ((low, 11), (high, 12))}
    incomes["dd:c"] = ((high, 21), (low, 22))
    alike = AuditData(
        data.programmes,
        data.rules,
        {SHEETS + person: _sheet(pair) for person, pair in incomes.items()},
        {
            person: msgspec.structs.replace(template, pseudonym=f"ps:{person}", dedup_key=person)
            for person in incomes
        },
        {},
        {},
        {},
        {},
    )
    due = {person: entitled(alike, person, "2026-02") for person in incomes}
    assert due["dd:a"] == due["dd:b"] != due["dd:c"]
    assert due["dd:c"]["amount_kopecks"] - due["dd:a"]["amount_kopecks"] == 100_000
    assert len(alike.alike) == 2


def _sheet(incomes: tuple[tuple[int, int], ...]) -> bytes:
    facts = [Fact("residence", "kaliningrad", "2025-12-01", 0)]
    facts += [Fact("income_per_capita_kopecks", v, "2025-12-01", i) for v, i in incomes]
    return encode_record(FactSheet(tuple(facts)))


if __name__ == "__main__":
    write_expected()
