"""The audit judges an accrual by what the rules would have given: a formula's negative amount
is nothing due, and a formula that gives no amount is an error, as ``queries.entitlement``
has it when the ledger accepts accruals."""

from typing import Any

import pytest

from krai.modules.payments.audit import AuditData, entitled

ASSIGNMENT = {"programme_id": "p", "pseudonym": "ps:1", "dedup_key": "dd:1"}


def _entitlement(amount: Any) -> dict[str, Any]:
    rule = {
        "effective_from": "2026-01-01",
        "version": 1,
        "eligibility": True,
        "amount_kopecks": amount,
        "parameters": {},
    }
    data = AuditData({}, {"p": [rule]}, {}, {"a": ASSIGNMENT}, {}, {}, {}, {})
    return entitled(data, "a", "2026-02")


@pytest.mark.parametrize(("amount", "due"), [(500, 500), ({"op": "sub", "args": [0, 5]}, 0)])
def test_an_amount_is_due_as_the_rules_give_it_never_below_zero(amount: Any, due: int) -> None:
    assert _entitlement(amount) == {"version": 1, "eligible": True, "amount_kopecks": due}


def test_a_formula_that_gives_no_amount_is_an_error() -> None:
    assert "not an amount" in _entitlement(True)["error"]
