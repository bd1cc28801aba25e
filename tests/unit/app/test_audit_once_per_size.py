"""Pages read today's payments audit on every view: it is made once per log size, and an
appended entry makes it again."""

from typing import Any

import pytest
from tests.unit.app.ledgers import founded, grow

from krai.app.payments_audit import current_findings, findings_by_kind
from krai.app.trace import flagged_trace
from krai.modules.payments import audit as audit_rules
from krai.modules.payments.audit import AuditData


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The log size each audit the app runs was made at."""
    made: list[int] = []
    real = audit_rules.load

    def counted(view: Any) -> AuditData:
        made.append(view.log_size())
        return real(view)

    monkeypatch.setattr(audit_rules, "load", counted)
    return made


def test_two_reads_at_one_size_run_the_audit_once(audits: list[int]) -> None:
    _, storage = founded()
    assert current_findings(storage) == []
    assert flagged_trace(storage, [])["steps"] == []
    assert findings_by_kind(storage) == {}
    assert audits == [1]


def test_a_new_entry_makes_the_audit_again(audits: list[int]) -> None:
    sequencer, storage = founded()
    current_findings(storage)
    grow(sequencer, 1, 2)
    current_findings(storage)
    current_findings(storage)
    assert audits == [1, 3]


def test_each_ledger_has_its_own_audit(audits: list[int]) -> None:
    first, second = founded()[1], founded()[1]
    current_findings(first)
    current_findings(second)
    assert audits == [1, 1]
