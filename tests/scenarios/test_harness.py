"""The scenario harness itself: deterministic identities, time, format checks, engine."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krai.bootstrap import new_engine as release_engine
from krai.modules.identity.model import is_valid_inn, is_valid_ogrn
from tests.scenarios.harness import (
    Ledger,
    Organisation,
    new_engine,
    private_key,
    synthetic_inn,
    synthetic_ogrn,
    time_ms,
)
from tests.scenarios.scenario import Scenario, ScenarioError

NETWORK = {"organisations": [{"name": "Минфин", "roles": ["governor", "treasury"]}]}


@given(st.text(min_size=1, max_size=40))
def test_synthetic_identifiers_have_valid_check_digits(name: str) -> None:
    assert is_valid_inn(synthetic_inn(name))
    assert is_valid_ogrn(synthetic_ogrn(name))
    assert synthetic_inn(name) == synthetic_inn(name)


def test_keys_are_derived_from_the_name() -> None:
    assert private_key("Минфин").seed == hashlib.sha256("krai-test-key:Минфин".encode()).digest()
    assert (
        private_key("Минфин", 2).seed == hashlib.sha256("krai-test-key:Минфин#2".encode()).digest()
    )


def test_time_is_read_with_its_offset() -> None:
    assert time_ms("2026-03-01T10:00:00+07:00") == 1_772_334_000_000
    assert time_ms("2026-03-01T03:00:00.250+00:00") == 1_772_334_000_250
    with pytest.raises(ValueError, match="offset"):
        time_ms("2026-03-01T10:00:00")


def test_time_never_runs_backwards() -> None:
    ledger = Ledger.found([Organisation("Минфин", "7734250208", "1027734003461", ("governor",))])
    ledger.set_time("2026-03-01T10:00:00+07:00")
    with pytest.raises(ValueError, match="earlier"):
        ledger.set_time("2026-03-01T09:00:00+07:00")


def test_the_harness_runs_the_modules_of_the_release() -> None:
    assert new_engine().describe() == release_engine().describe()


def test_submit_reports_acceptance_and_refusal() -> None:
    ledger = Ledger.found([Organisation("Минфин", "7734250208", "1027734003461", ("governor",))])
    body = {"sha256": "ab" * 32, "title": "Отчёт", "kind": "report"}
    accepted = ledger.submit("Минфин", "notary.anchor", body)
    assert accepted.accepted
    assert accepted.event_names == ["notary.DocumentAnchored"]
    refused = ledger.submit("Минфин", "notary.anchor", body)
    assert refused.error is not None
    assert refused.error.code == "conflict"
    assert len(ledger.entries) == 2  # genesis and the one accepted anchor
    assert ledger.replayed_digest() == ledger.digest()


@pytest.mark.parametrize(
    "step",
    [
        {"by": "Минфин", "do": "notary.anchor", "expcet": "accepted"},
        {"by": "Минфин", "with": {}},
        {"check": "no query named"},
        {"check": "balance", "query": "accounts.balance", "equal": 0},
        {"by": "Минфин", "do": "notary.countersign", "expect": "refused"},
        {"by": "Минфин", "do": "notary.countersign", "with": {"sha256": "$hash:x"}},
        {"by": "Минфин", "do": "notary.countersign", "with": {"sha256": "$tx:never"}},
    ],
)
def test_a_misspelt_step_is_an_error_not_a_silent_pass(step: dict[str, object]) -> None:
    scenario = Scenario({"title": "typo", "network": NETWORK, "steps": [step]})
    with pytest.raises(ScenarioError):
        scenario.run_step(step)


def test_an_unexpected_outcome_fails_the_step() -> None:
    step = {
        "by": "Минфин",
        "do": "notary.countersign",
        "with": {"sha256": "ab" * 32},
        "expect": {"rejected": "conflict"},
    }
    scenario = Scenario({"title": "wrong code", "network": NETWORK, "steps": [step]})
    with pytest.raises(AssertionError, match="not_found"):
        scenario.run()


def test_a_check_that_compares_nothing_is_an_error() -> None:
    step = {"check": "balance", "query": "accounts.balance", "args": {"account_id": "x"}}
    scenario = Scenario({"title": "no comparison", "network": NETWORK, "steps": [step]})
    with pytest.raises(ScenarioError, match="needs one of"):
        scenario.run_step(step)


def test_two_organisations_cannot_share_an_inn() -> None:
    twins = [
        Organisation("Первая", "7734250208", "1027734003461", ("governor",)),
        Organisation("Вторая", "7734250208", "1022200525819", ("resident",)),
    ]
    with pytest.raises(ValueError, match="share the inn"):
        Ledger.found(twins)


def test_bytes_that_do_not_decode_are_refused_without_an_id() -> None:
    ledger = Ledger.found([Organisation("Минфин", "7734250208", "1027734003461", ("governor",))])
    body = {"from_account": "a", "to_account": "b", "amount_kopecks": 10.5, "reference": "r"}
    refused = ledger.submit("Минфин", "accounts.transfer", body)
    assert refused.tx_id is None
    assert refused.error is not None
    assert refused.error.code == "float_not_allowed"
