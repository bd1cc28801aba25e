"""The access report (152-FZ art. 14) of a person in every kind of payments entry: accruals,
payments and statement lines name no pseudonym, yet the report lists them all, through the
index the payments rules keep (``payments/subject/…``), and nothing of anyone else."""

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from krai.app.vault import Person, Subject, access_request
from krai.bootstrap import build
from krai.config.settings import load_settings
from tests.api.conftest import scenario_home

SCENARIO = "payments/one_person_every_entry.yaml"


def identifier(kind: str, name: str) -> str:
    """The scenario's ``$ps:`` / ``$dd:`` substitution."""
    return f"{kind}:" + hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:32]


class ScenarioVault:
    """A vault that knows Anna by the scenario's identifiers."""

    def find(self, snils: str) -> Subject | None:
        pseudonyms = {p: identifier("ps", f"{p}/Анна") for p in ("child-benefit", "drugs")}
        return Subject(pseudonyms, identifier("dd", "Анна"), 0)

    def enrol(self, person: Person, programme_id: str) -> str:
        raise NotImplementedError

    def read(self, snils: str) -> Subject:
        raise NotImplementedError

    def erase(self, snils: str) -> Any:
        raise NotImplementedError


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    """Anna's access report on the scenario's ledger."""
    services = build(load_settings(scenario_home(tmp_path_factory, SCENARIO)))
    try:
        yield access_request(services.storage, ScenarioVault(), "11223344595")
    finally:
        services.close()


def by_type(report: list[dict[str, Any]], tx_type: str) -> list[dict[str, Any]]:
    return [item for item in report if item["tx_type"] == tx_type]


def test_every_kind_of_entry_about_the_person_is_listed(report: list[dict[str, Any]]) -> None:
    whats = [item["what"] for item in report]
    assert whats == [
        "attested fact: residence from 2020-01-01",
        "assignment a-anna in child-benefit from 2026-02-01",
        "assignment d-anna in drugs from 2026-02-01",
        "accrual acc-anna-2026-02 for 2026-02",
        "payment pay-anna-2026-02 of accrual acc-anna-2026-02 on 2026-02-26",
        "bank statement veb-2026-02, part 1 of 1: line 1",
        "prescription rx-anna: methotrexate-10mg × 30, issued on 2026-03-02",
        "prescription rx-anna deferred on 2026-03-02",
        "dispensing disp-anna of prescription rx-anna on 2026-03-05",
        "reimbursement claim claim-2026-03 with dispensing disp-anna",
    ]
    assert [item["index"] for item in report] == sorted(item["index"] for item in report)


def test_amounts_are_in_kopecks(report: list[dict[str, Any]]) -> None:
    amounts = {item["tx_type"]: item["amount_kopecks"] for item in report}
    assert amounts["payments.accrue"] == amounts["payments.pay"] == 850_000
    assert amounts["payments.reconcile_statement"] == 850_000
    assert amounts["payments.assign"] is None


def test_a_statement_names_its_part_entry_and_only_the_persons_lines(
    report: list[dict[str, Any]],
) -> None:
    [line] = by_type(report, "payments.reconcile_statement")
    assert line["concerns"] == [{"kind": "statement", "ref": "veb-2026-02", "items": ["1"]}]
    assert [item["reference"] for item in line["body"]["lines"]] == ["pay-anna-2026-02"]


def test_a_claim_lists_only_the_persons_dispensing(report: list[dict[str, Any]]) -> None:
    [claim] = by_type(report, "payments.claim_reimbursement")
    assert claim["body"]["dispense_ids"] == ["disp-anna"]


def test_nothing_of_another_person_is_in_the_report(report: list[dict[str, Any]]) -> None:
    text = json.dumps(report, ensure_ascii=False)
    boris = [identifier("ps", "child-benefit/Борис"), identifier("ps", "drugs/Борис")]
    assert not any(found in text for found in [*boris, identifier("dd", "Борис")])
    assert "boris" not in text
