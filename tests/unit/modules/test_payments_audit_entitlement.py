"""The audit judges an accrual by what the rules would have given: a formula's negative amount
is nothing due, and a formula that gives no amount is an error, as ``queries.entitlement``
has it when the ledger accepts accruals."""

from typing import Any

import pytest

from krai.modules.payments.audit import AuditData, entitled
from krai.modules.payments.records import Assignment, LegalBasis, RuleVersion

STAMP = {"by": "3900000000", "index": 1, "time_ms": 0, "tx_id": "ab" * 32}
ASSIGNMENT = Assignment(
    **STAMP,
    programme_id="p",
    pseudonym="ps:1",
    dedup_key="dd:1",
    decision_date="2026-01-01",
    start_date="2026-01-01",
    decision_sha256="cd" * 32,
)


def _entitlement(amount: Any) -> dict[str, Any]:
    rule = RuleVersion(
        **STAMP,
        version=1,
        effective_from="2026-01-01",
        legal_basis=LegalBasis("act", "1"),
        eligibility=True,
        amount_kopecks=amount,
        parameters={},
    )
    data = AuditData({}, {"p": [rule]}, {}, {"a": ASSIGNMENT}, {}, {}, {}, {})
    return entitled(data, "a", "2026-02")


@pytest.mark.parametrize(("amount", "due"), [(500, 500), ({"op": "sub", "args": [0, 5]}, 0)])
def test_an_amount_is_due_as_the_rules_give_it_never_below_zero(amount: Any, due: int) -> None:
    assert _entitlement(amount) == {"version": 1, "eligible": True, "amount_kopecks": due}


def test_a_formula_that_gives_no_amount_is_an_error() -> None:
    assert "not an amount" in _entitlement(True)["error"]
