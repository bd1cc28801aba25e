"""Every module's reads over HTTP answer what the CLI prints, on homes played from scenarios;
what is missing is a 404 problem."""

from collections.abc import Iterator
from typing import Any

import pytest

from krai.app import park_registry
from krai.app.energy_recompute import recompute_day
from krai.log.hashing import leaf_hash
from krai.log.verify import verify_inclusion
from krai.modules.accounts import queries as accounts
from krai.modules.energy import queries as energy
from krai.modules.identity import queries as identity
from krai.modules.payments import audit as payments_audit_rules
from krai.modules.payments import queries as payments
from krai.state.records import record_json, records_json
from tests.api.conftest import Live, scenario_home, serving_home

DAY = "2018-06-02"
MARKET = "krasnoyarsk-dam"


@pytest.fixture(scope="module")
def park_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serving_home(
        scenario_home(tmp_path_factory, "parks/park_and_site_lifecycle.yaml")
    ) as live:
        yield live


@pytest.fixture(scope="module")
def support_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serving_home(scenario_home(tmp_path_factory, "parks/support_and_targets.yaml")) as live:
        yield live


@pytest.fixture(scope="module")
def energy_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serving_home(scenario_home(tmp_path_factory, "energy/krasnoyarsk_day.yaml")) as live:
        yield live


@pytest.fixture(scope="module")
def payments_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serving_home(scenario_home(tmp_path_factory, "payments/kaliningrad_benefit.yaml")) as live:
        yield live


def get(live: Live, path: str, **params: Any) -> Any:
    answer = live.client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    return answer.json()


def missing(live: Live, path: str, **params: Any) -> None:
    answer = live.client.get(path, params=params)
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "not_found"


def verify_proven(live: Live, index: int, proven: dict[str, Any]) -> None:
    entry = live.client.get(f"/v1/entries/{index}", params={"raw": 1}).content
    proof = proven["inclusion"]
    verify_inclusion(
        index,
        proof["size"],
        leaf_hash(entry),
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(proof["root_hash"]),
    )
    assert proven["checkpoint"] is not None


def test_parks_read_as_the_cli_prints_them(park_home: Live) -> None:
    storage = park_home.services.storage
    assert get(park_home, "/v1/parks") == park_registry.park_cards(storage)
    card = get(park_home, "/v1/parks/sibir", on="2026-01-01")
    assert card == park_registry.park_card(storage, "sibir", "2026-01-01")
    assert card["park"]["park_id"] == "sibir"
    fact = get(park_home, "/v1/parks/sibir/facts/distance_to_regional_centre_m")
    assert fact["fact"]["value"] == 42000
    verify_proven(park_home, fact["fact"]["index"], fact)
    assert get(park_home, "/v1/parks/sibir/power") == park_registry.power_timeline(storage, "sibir")
    residents = get(park_home, "/v1/parks/sibir/residents", on="2026-01-01")
    assert residents == park_registry.residents_with_commitments(storage, "sibir", "2026-01-01")
    assert get(park_home, "/v1/sites", park="sibir") == park_registry.sites(storage, "sibir")
    free = get(park_home, "/v1/sites", status="free", min_area_m2=1)
    assert free == park_registry.sites(storage, None, "free", 1)
    assert get(park_home, "/v1/agreements") == park_registry.agreements(storage)
    assert get(park_home, "/v1/targets", on="2026-01-01") == park_registry.targets(
        storage, None, "2026-01-01"
    )
    assert get(park_home, "/v1/regions") == park_registry.regions(storage)
    assert get(park_home, "/v1/clusters") == park_registry.clusters(storage)


def shown_fields(document: Any) -> list[str]:
    """Every key in a document that holds a figure already formatted for a reader."""
    if isinstance(document, dict):
        own = [k for k in document if k.endswith("_shown") or k == "shown"]
        return own + [f for value in document.values() for f in shown_fields(value)]
    if isinstance(document, list):
        return [f for item in document for f in shown_fields(item)]
    return []


def test_park_documents_keep_figures_as_integers_in_their_units(
    park_home: Live, support_home: Live
) -> None:
    """The API's documents are machine-readable: the edges format through Words."""
    documents = [
        get(park_home, "/v1/parks/sibir", on="2026-01-01"),
        get(park_home, "/v1/parks/sibir/facts/distance_to_regional_centre_m"),
        get(park_home, "/v1/clusters"),
        get(support_home, "/v1/parks/support"),
    ]
    assert [shown_fields(d) for d in documents] == [[], [], [], []]


def test_support_measures_read_with_their_overlaps(support_home: Live) -> None:
    storage = support_home.services.storage
    every = get(support_home, "/v1/parks/support")
    assert every == park_registry.support_measures(storage)
    assert {m["measure_id"] for m in every} == {
        "mpt-2026-17",
        "mpt-2026-18",
        "mer-2026-4",
        "mer-2027-1",
    }
    double = next(m for m in every if m["measure_id"] == "mer-2026-4")
    assert [o["measure_id"] for o in double["overlapping"]] == ["mpt-2026-17", "mpt-2026-18"]
    assert double["amount_kopecks"] == 80_000_000_000
    assert double["by_name"] == "Минэкономразвития России"
    named = get(support_home, "/v1/parks/support", park="technopark-yakutia")
    assert {m["measure_id"] for m in named} == {m["measure_id"] for m in every}
    assert get(support_home, "/v1/parks/support", park="nowhere") == []


def test_missing_parks_and_bad_dates_are_problems(park_home: Live) -> None:
    missing(park_home, "/v1/parks/nowhere")
    missing(park_home, "/v1/parks/nowhere/power")
    missing(park_home, "/v1/parks/nowhere/residents")
    missing(park_home, "/v1/parks/sibir/facts/no_such_fact")
    for on in ("2026-02-30", "tomorrow", "2026-1-1"):
        answer = park_home.client.get("/v1/parks/sibir", params={"on": on})
        assert (answer.status_code, answer.json()["code"]) == (400, "malformed")


def test_the_exchange_day_reads_as_the_cli_prints_it(energy_home: Live) -> None:
    storage = energy_home.services.storage
    market = f"/v1/energy/markets/{MARKET}"
    assert [m["market_id"] for m in get(energy_home, "/v1/energy/markets")] == [MARKET]
    found = energy.market(storage, MARKET)
    assert found is not None
    assert get(energy_home, market) == record_json(found)
    prices = get(energy_home, f"{market}/days/{DAY}/prices")
    assert len(prices) == 24 and {row["price_kopecks_per_mwh"] for row in prices} == {280000}
    curves = get(energy_home, f"{market}/days/{DAY}/periods/14/curves")
    assert curves["traded_kwh"] == 150000
    book = get(energy_home, f"{market}/days/{DAY}/periods/14/book")
    assert book == energy.period_document(storage, found, MARKET, DAY, 14)
    checks = get(energy_home, f"{market}/days/{DAY}/recompute")
    assert checks == recompute_day(storage, MARKET, DAY)
    assert len(checks) == 24 and all(check["sound"] for check in checks)
    participant = energy.settlement(storage, MARKET, DAY)
    assert participant is not None
    inn = sorted(participant.invoices)[0]
    statement = get(energy_home, f"{market}/days/{DAY}/statements/{inn}")
    assert statement == energy.statement(storage, MARKET, DAY, inn)
    heat = get(energy_home, f"{market}/heat/2018-06")
    assert heat == energy.heat_report(storage, MARKET, "2018-06")


def test_missing_markets_periods_and_invoices_are_404(energy_home: Live) -> None:
    market = f"/v1/energy/markets/{MARKET}"
    missing(energy_home, "/v1/energy/markets/nowhere")
    missing(energy_home, f"/v1/energy/markets/nowhere/days/{DAY}/prices")
    missing(energy_home, f"/v1/energy/markets/nowhere/days/{DAY}/recompute")
    missing(energy_home, f"{market}/days/2018-06-09/periods/3/curves")
    missing(energy_home, f"{market}/days/{DAY}/periods/25/book")
    missing(energy_home, f"{market}/days/{DAY}/statements/7707083893")
    uncleared = energy_home.client.get(f"{market}/days/2030-01-01/periods/1/book")
    assert (uncleared.status_code, uncleared.json()["code"]) == (422, "rule_violation")
    assert energy_home.client.get(f"{market}/days/{DAY}/periods/0/book").status_code == 400


def test_payments_programmes_audit_and_traces(payments_home: Live) -> None:
    storage = payments_home.services.storage
    listed = get(payments_home, "/v1/payments/programmes")
    assert listed == records_json(payments.programmes(storage))
    programme = get(payments_home, "/v1/payments/programmes/child-benefit")
    assert programme["rules"] == records_json(payments.rules(storage, "child-benefit"))
    audit = get(payments_home, "/v1/payments/audit")
    kinds = sorted(finding["kind"] for finding in audit["findings"])
    assert kinds == ["override", *["unmatched_bank_line"] * 3]
    assert audit["ledger"]["size"] == storage.log_size()
    later = get(payments_home, "/v1/payments/audit", as_of="2026-05-20")
    assert "missing_accrual" in {finding["kind"] for finding in later["findings"]}
    traced = get(payments_home, "/v1/payments/trace", payment="pay-boris-2026-03")
    steps = [step["step"] for step in traced["steps"]]
    assert steps == [
        *("payment", "bank_line", "accrual", "rule", "assignment", "programme", "funding")
    ]
    assert [f["kind"] for f in traced["steps"][2]["findings"]] == ["override"]
    for step in traced["steps"]:
        verify_proven(payments_home, step["index"], {**step, "checkpoint": traced["checkpoint"]})
    flows = get(payments_home, "/v1/payments/trace", programme="child-benefit")
    assert flows["funded_kopecks"] == 1000000000


def test_a_programme_s_funding_names_the_budget_it_came_from(payments_home: Live) -> None:
    """The ministry reads which budget funded a programme, by its title and owner, not by an
    account id; the API and the page say the same."""
    flows = get(payments_home, "/v1/payments/trace", programme="child-benefit")
    ministry = "Министерство социальной политики Калининградской области"
    named = [(f["from_account"], f["from_title"], f["from_owner_name"]) for f in flows["funding"]]
    assert named == [("treasury:kaliningrad:2026", "Областной бюджет", ministry)]
    page = payments_home.client.get("/payments").text
    assert (
        f'со счёта <span title="treasury:kaliningrad:2026">«Областной бюджет»</span> ({ministry})'
        in page
    )


def test_pages_after_the_first_reuse_the_audit(
    payments_home: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trace and the payments page read the audit made at this log size; they do not
    audit the ledger again on every request."""
    made: list[int] = []
    real = payments_audit_rules.load
    monkeypatch.setattr(payments_audit_rules, "load", lambda view: made.append(1) or real(view))
    trace = "/v1/payments/trace"
    first = get(payments_home, trace, payment="pay-boris-2026-03")
    assert payments_home.client.get("/payments").status_code == 200
    assert payments_home.client.get("/payments/trace/payment/pay-boris-2026-03").status_code == 200
    assert get(payments_home, trace, payment="pay-boris-2026-03") == first
    assert len(made) <= 1


def test_payments_refusals(payments_home: Live) -> None:
    missing(payments_home, "/v1/payments/programmes/nothing")
    missing(payments_home, "/v1/payments/trace", payment="pay-nobody")
    missing(payments_home, "/v1/payments/trace", dispensing="d-none")
    missing(payments_home, "/v1/payments/trace", programme="nothing")
    for params in ({}, {"payment": "a", "programme": "b"}):
        answer = payments_home.client.get("/v1/payments/trace", params=params)
        assert (answer.status_code, answer.json()["code"]) == (400, "malformed")
    for wrong in ("2026-13-01", "15.03.2026", " "):
        answer = payments_home.client.get("/v1/payments/audit", params={"as_of": wrong})
        assert (answer.status_code, answer.json()["code"]) == (400, "malformed")
    empty = payments_home.client.get("/v1/payments/audit", params={"as_of": ""})
    assert empty.json() == get(payments_home, "/v1/payments/audit")


def test_the_payments_audit_sums_what_is_at_stake(payments_home: Live) -> None:
    """Each finding's sum at stake, by kind and in all; as of a past day, only what the
    ledger held when that day ended."""
    audit = get(payments_home, "/v1/payments/audit")
    stakes = {(f["kind"], f["subject"]): f["at_stake_kopecks"] for f in audit["findings"]}
    assert stakes[("override", "acc-boris-2026-03")] == 50000
    assert audit["at_stake"]["kinds"]["unmatched_bank_line"] == {
        "count": 3,
        "at_stake_kopecks": sum(v for (k, _), v in stakes.items() if k == "unmatched_bank_line"),
    }
    assert audit["at_stake"]["total_kopecks"] == sum(stakes.values())
    past = get(payments_home, "/v1/payments/audit", as_of="2026-03-15")
    assert past["ledger"]["cut_size"] < past["ledger"]["size"]
    assert past["ledger"]["cut_index"] == past["ledger"]["cut_size"] - 1
    assert "unmatched_bank_line" not in past["at_stake"]["kinds"]


def test_organisations_accounts_and_governance(payments_home: Live) -> None:
    storage = payments_home.services.storage
    organisations = get(payments_home, "/v1/organisations")
    assert organisations == records_json(identity.organisations(storage))
    inn = organisations[0]["inn"]
    one = get(payments_home, f"/v1/organisations/{inn}")
    assert one["keys"] == records_json(identity.keys_of(storage, inn))
    assert get(payments_home, "/v1/governance")["quorum"] == identity.quorum(storage)
    listed = get(payments_home, "/v1/accounts")
    assert listed == records_json(accounts.accounts(storage))
    account_id = listed[0]["account_id"]
    found = accounts.account_record(storage, account_id)
    assert found is not None
    assert get(payments_home, f"/v1/accounts/{account_id}") == record_json(found)
    postings = get(payments_home, f"/v1/accounts/{account_id}/postings")
    assert postings == records_json(accounts.posting_records(storage, account_id))
    missing(payments_home, "/v1/organisations/7707083893")
    missing(payments_home, "/v1/accounts/no-such-account")
    missing(payments_home, "/v1/accounts/no-such-account/postings")


def test_an_anchor_reads_with_its_proof(ledger: Live) -> None:
    body = {"sha256": "ab" * 32, "title": "Agreement", "kind": "agreement"}
    tx = ledger.signed("notary.anchor", body, nonce="anchor-read")
    receipt = ledger.client.post("/v1/transactions", json=tx).json()
    shown = get(ledger, f"/v1/anchors/{'ab' * 32}")
    assert shown["anchor"]["index"] == receipt["index"]
    verify_proven(ledger, receipt["index"], shown)
    missing(ledger, f"/v1/anchors/{'cd' * 32}")
    assert ledger.client.get("/v1/anchors/ABC").status_code == 400
