"""Each document a user reads is the same whichever surface answers it (ADR 0020): ``krai …
--json`` in a subprocess, the ``/v1/…`` route and the page's JSON twin, over real HTTP, on
one home. Only representation is normalised (JSON is parsed); content is compared whole."""

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from tests.api.conftest import Live, scenario_home, serving_home
from tests.api.test_readings_upload import METER_FILE
from tests.api.test_statement_upload import STATEMENT
from tests.e2e.test_cli import krai, run
from tests.e2e.test_cli_ats_80020 import BITBAZA, GENERATOR, points_json
from tests.scenarios.harness import synthetic_inn
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

from krai.app.today import ledger_today
from krai.app.vault import Person, enrol
from krai.modules.energy.model import kopecks
from krai.modules.identity import queries as identity

PARK, FACT, DAY = "sibir", "distance_to_regional_centre_m", "2026-01-01"
PERSON = {"snils": "112-233-445 95", "full_name": "Иванова Мария", "birth_date": "1990-05-17"}
PROGRAMME = "kld.child-benefit"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Live]]:
    """A park registry's home, served, with one person enrolled in its vault."""
    home = scenario_home(tmp_path_factory, "parks/park_and_site_lifecycle.yaml")
    with serving_home(home) as live:
        enrol = {"programme_id": PROGRAMME, "person": PERSON}
        headers = {"Authorization": f"Bearer {live.token}"}
        assert live.client.post("/v1/vault/enrol", json=enrol, headers=headers).status_code == 200
        yield home, live


def cli(home: Path, *args: str) -> Any:
    """What ``krai … --json`` prints, parsed."""
    return json.loads(krai(home, *args, "--json"))


def api(live: Live, path: str, **params: str) -> Any:
    """What ``GET path`` answers, parsed; it must be 200."""
    answer = live.client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def page(live: Live, path: str, **params: str) -> Any:
    """The JSON twin of the page at ``path``."""
    answer = httpx.get(f"{live.url}{path}.json", params=params, timeout=60.0)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    return answer.json()


def test_the_latest_checkpoint_is_one_document(served: tuple[Path, Live]) -> None:
    home, live = served
    document = cli(home, "log", "checkpoint")
    assert set(document) == {"origin", "size", "root_hash", "time_ms", "note", "vkey"}
    assert document == api(live, "/v1/checkpoint")
    assert document == page(live, "/index")["checkpoint"] == page(live, "/explorer")["latest"]


def test_the_published_checkpoint_is_one_document(served: tuple[Path, Live]) -> None:
    home, live = served
    document = cli(home, "log", "published")
    assert document["note"] == live.client.get("/checkpoint").text  # no witnesses: the newest
    assert document["quorum"] == 0 and document["cosignatures"] == []
    assert document == api(live, "/v1/checkpoint/published") == page(live, "/index")["published"]


def test_today_is_the_newest_entrys_day_everywhere(served: tuple[Path, Live]) -> None:
    home, live = served
    today = ledger_today(live.services.storage)
    card = cli(home, "parks", "show", PARK)
    assert (
        card
        == cli(home, "parks", "show", PARK, "--on", today)
        != cli(home, "parks", "show", PARK, "--on", DAY)
    )
    assert card == api(live, f"/v1/parks/{PARK}") == api(live, f"/v1/parks/{PARK}", on=today)
    web = page(live, f"/parks/{PARK}")
    assert (web["on"], web["card"]) == (today, card)


def test_a_park_card_is_one_document(served: tuple[Path, Live]) -> None:
    home, live = served
    card = cli(home, "parks", "show", PARK, "--on", DAY)
    assert set(card) == {"park", "facts", "infrastructure", "power"}
    assert (
        card
        == api(live, f"/v1/parks/{PARK}", on=DAY)
        == page(live, f"/parks/{PARK}", on=DAY)["card"]
    )


def test_a_parks_residents_are_one_document(served: tuple[Path, Live]) -> None:
    home, live = served
    residents = cli(home, "parks", "residents", PARK, "--on", DAY)
    assert residents and all("commitments" in resident for resident in residents)
    assert residents == api(live, f"/v1/parks/{PARK}/residents", on=DAY)
    assert residents == page(live, f"/parks/{PARK}", on=DAY)["residents"]


def test_a_proven_fact_is_one_document(served: tuple[Path, Live]) -> None:
    home, live = served
    proven = cli(home, "parks", "fact", PARK, FACT)
    assert (
        proven["checkpoint"] is not None and proven["inclusion"]["index"] == proven["fact"]["index"]
    )
    assert proven == api(live, f"/v1/parks/{PARK}/facts/{FACT}")
    assert proven == page(live, f"/parks/{PARK}/facts/{FACT}")


def test_a_subject_access_report_is_one_document(served: tuple[Path, Live]) -> None:
    """The operator's CLI and the operator's API; no page shows personal data (the dashboard
    has no operator's login)."""
    home, live = served
    report = cli(home, "vault", "access", "--snils", PERSON["snils"])
    assert report["subject"]["person"]["full_name"] == PERSON["full_name"]
    answer = live.client.post(
        "/v1/vault/access",
        json={"snils": PERSON["snils"]},
        headers={"Authorization": f"Bearer {live.token}"},
    )
    assert answer.status_code == 200, answer.text
    assert report == answer.json()


OTHERS = {"Борис": "01024236877"}


def _enrolled(scenario: Scenario, name: str, programme_id: str) -> tuple[str, str]:
    """The pseudonym and dedup key the home's vault gives the scenario's person ``name``."""
    assert isinstance(scenario.ledger, SqlLedger) and scenario.ledger.services is not None
    vault = scenario.ledger.services.vault(create=True)
    snils = OTHERS.get(name, PERSON["snils"])
    pseudonym = enrol(vault, Person(snils, name, "1990-05-17"), programme_id)
    subject = vault.find(snils)
    assert subject is not None
    return pseudonym, subject.dedup_key


class VaultScenario(Scenario):
    """A scenario whose ``$ps:programme/Name`` and ``$dd:Name`` come from the home's vault,
    so the vault's person has the scenario's accruals, payments and statement lines."""

    _SUBSTITUTIONS: Mapping[str, Callable[[Scenario, str], Any]] = {
        **Scenario._SUBSTITUTIONS,
        "ps": lambda s, named: _enrolled(s, named.split("/")[1], named.split("/")[0])[0],
        "dd": lambda s, name: _enrolled(s, name, PROGRAMME)[1],
    }


@pytest.fixture(scope="module")
def person_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Live]]:
    """A home where the vault's person is in every kind of payments entry, served."""
    home = tmp_path_factory.mktemp("person") / "home"
    scenario = VaultScenario(
        _load(HERE / "payments/one_person_every_entry.yaml"), SqlLedger, home=home
    )
    assert isinstance(scenario.ledger, SqlLedger)
    try:
        scenario.run()
    finally:
        scenario.ledger.close()
    with serving_home(home) as live:
        yield home, live


def test_an_access_report_with_payments_is_one_document(
    person_served: tuple[Path, Live],
) -> None:
    """The person has accruals, payments, a statement line and the drug chain."""
    home, live = person_served
    report = cli(home, "vault", "access", "--snils", PERSON["snils"])
    answer = live.client.post(
        "/v1/vault/access",
        json={"snils": PERSON["snils"]},
        headers={"Authorization": f"Bearer {live.token}"},
    )
    assert answer.status_code == 200, answer.text
    assert report == answer.json()
    types = {item["tx_type"] for item in report["ledger"]}
    assert {"payments.accrue", "payments.pay", "payments.reconcile_statement"} <= types
    assert {"payments.prescribe", "payments.dispense", "payments.claim_reimbursement"} <= types
    assert "Борис" not in json.dumps(report, ensure_ascii=False)


@pytest.fixture(scope="module")
def payments_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Live]]:
    """A social payments programme's home (Kaliningrad's child benefit), served."""
    home = scenario_home(tmp_path_factory, "payments/kaliningrad_benefit.yaml")
    with serving_home(home) as live:
        yield home, live


@pytest.mark.parametrize("as_of", [None, "2026-03-15", "2026-05-20"])
def test_the_payments_audit_is_one_document(
    payments_served: tuple[Path, Live], as_of: str | None
) -> None:
    """The findings and the header saying which ledger and which day the audit read."""
    home, live = payments_served
    day = {} if as_of is None else {"as_of": as_of}
    report = cli(home, "payments", "audit", *(("--as-of", as_of) if as_of else ()))
    assert report["findings"]
    assert report["ledger"]["as_of"] == (as_of or "2026-03-21")  # the newest payment day
    cut = report["ledger"]["cut_size"]
    assert (cut < report["ledger"]["size"]) is (as_of == "2026-03-15")  # before 21 March
    assert report["ledger"]["as_of_given"] is (as_of is not None)
    assert report["ledger"]["local_day"] == "2026-03-21"  # Kaliningrad's day at that entry
    assert report["ledger"]["utc_offset_minutes"] == 120
    assert report["ledger"]["zone"] == "UTC+02:00"
    assert report == api(live, "/v1/payments/audit", **day)
    web = page(live, "/payments/audit", **day)
    assert web == report
    assert "(UTC+02:00)" in live.client.get("/payments/audit", params=day).text


def test_a_malformed_audit_day_is_refused_by_every_surface(
    payments_served: tuple[Path, Live],
) -> None:
    home, live = payments_served
    for wrong in ("20261206", "2026-02-30", "yesterday"):
        krai(home, "payments", "audit", "--as-of", wrong, "--json", expect=2)
        answer = live.client.get("/v1/payments/audit", params={"as_of": wrong})
        assert (answer.status_code, answer.json()["code"]) == (400, "malformed")
        web = httpx.get(f"{live.url}/payments/audit.json", params={"as_of": wrong}, timeout=60.0)
        assert (web.status_code, web.json()["error"]) == (400, "malformed")


def test_a_payment_trace_is_one_document(payments_served: tuple[Path, Live]) -> None:
    """The steps back to the budget with their proofs, the bank line and the audit's flags."""
    home, live = payments_served
    traced = json.loads(krai(home, "payments", "trace", "--payment", "pay-boris-2026-03", "--json"))
    assert traced == api(live, "/v1/payments/trace", payment="pay-boris-2026-03")
    web = page(live, "/payments/trace/payment/pay-boris-2026-03")
    assert {key: web[key] for key in ("steps", "checkpoint")} == traced
    assert "bank_line" in [step["step"] for step in traced["steps"]]


def test_a_statement_preview_is_one_document(payments_served: tuple[Path, Live]) -> None:
    """The parts to sign with each line's expected match, totals and the bytes to sign."""
    _, live = payments_served
    [key] = page(live, "/payments/upload")["signing_keys"]
    form = {"statement_id": "veb-2026-03-22", "format": "auto"}
    files = {"file": ("statement.txt", STATEMENT, "text/plain")}
    signing = {"signer": key["signer"], "key_id": key["key_id"]}
    answer = live.client.post("/v1/payments/statements", files=files, data={**form, **signing})
    assert answer.status_code == 200, answer.text
    web = httpx.post(
        f"{live.url}/payments/upload.json",
        files=files,
        data={**form, "signing_key": f"{key['key_id']} {key['signer']}"},
        timeout=60.0,
    )
    assert web.status_code == 200 and web.json() == answer.json()
    assert "to_sign" in answer.json()["parts"][0]


def test_a_malformed_payments_search_day_is_a_400_page(payments_served: tuple[Path, Live]) -> None:
    _, live = payments_served
    for name in ("paid_from", "paid_to"):
        web = httpx.get(f"{live.url}/payments", params={name: "2026-02-30"}, timeout=60.0)
        assert web.status_code == 400
        assert "2026-02-30" in web.text
    html = httpx.get(f"{live.url}/payments/audit", params={"as_of": "31.03.2026"}, timeout=60.0)
    assert html.status_code == 400
    assert "31.03.2026" in html.text


@pytest.mark.parametrize("wrong", ["20261206", "2026-02-30", "yesterday", ""])
def test_a_date_that_is_not_one_is_refused_alike_by_every_surface(
    served: tuple[Path, Live], wrong: str
) -> None:
    """One rule (krai.state.calendar.calendar_day): exit 2, 400 malformed, a 400 page."""
    home, live = served
    result = run("parks", "show", PARK, "--on", wrong, "--home", str(home))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not a calendar date" in result.stderr
    answer = live.client.get(f"/v1/parks/{PARK}", params={"on": wrong})
    if wrong:  # an empty ?on= is the default day for the API and the page alike
        assert (answer.status_code, answer.json()["code"]) == (400, "malformed")
        web = httpx.get(f"{live.url}/parks/{PARK}.json", params={"on": wrong}, timeout=60.0)
        assert (web.status_code, web.json()["error"]) == (400, "malformed")


@pytest.fixture(scope="module")
def energy_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Live]]:
    """A day of the Krasnoyarsk exchange, settled as balances and trued up, served."""
    home = scenario_home(tmp_path_factory, "energy/krasnoyarsk_day.yaml")
    with serving_home(home) as live:
        yield home, live


def test_a_participants_statement_is_one_document(energy_served: tuple[Path, Live]) -> None:
    """Invoiced, paid and outstanding of the latest revision, and the revision it replaced."""
    home, live = energy_served
    market, day, entu = "krasnoyarsk-dam", "2018-06-02", synthetic_inn("Entu (Zhu Jingming)")
    document = json.loads(krai(home, "energy", "statement", market, day, entu, "--json"))
    assert document["previous_revision"] == {
        "revision": 1,
        "invoiced_kopecks": 216_300_000,
        "change_kopecks": -300_000,
    }
    assert document["paid_kopecks"] == document["invoiced_kopecks"] == 216_000_000
    assert document == api(live, f"/v1/energy/markets/{market}/days/{day}/statements/{entu}")
    web = page(live, f"/energy/{market}/{day}/statement/{entu}")
    assert {key: web[key] for key in document} == document
    html = httpx.get(f"{live.url}/energy/{market}/{day}/statement/{entu}", timeout=60.0).text
    assert 'id="statement-outstanding"' in html


@pytest.fixture(scope="module")
def support_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Live]]:
    """Two ministries supporting Technopark Yakutia for the same purpose, served."""
    home = scenario_home(tmp_path_factory, "parks/support_and_targets.yaml")
    with serving_home(home) as live:
        yield home, live


def test_the_support_list_is_one_document(support_served: tuple[Path, Live]) -> None:
    """What, to whom, by whom, until when, how much, and the overlaps: CLI, API and the park
    page alike."""
    home, live = support_served
    park = "technopark-yakutia"
    every = cli(home, "parks", "support")
    assert every == api(live, "/v1/parks/support")
    of_park = cli(home, "parks", "support", "--park", park)
    assert (
        of_park
        == api(live, "/v1/parks/support", park=park)
        == page(live, f"/parks/{park}")["support"]
    )
    overlapping = {m["measure_id"]: m["overlapping"] for m in of_park}
    assert [o["measure_id"] for o in overlapping["mer-2026-4"]] == ["mpt-2026-17", "mpt-2026-18"]
    assert overlapping["mer-2026-4"][0]["by_name"] == "Минпромторг России"
    subsidy = next(m for m in of_park if m["measure_id"] == "mpt-2026-17")
    assert subsidy["amount_kopecks"] == 120_000_000_000
    assert subsidy["recipient_name"] == "УК технопарка «Якутия»"
    table = krai(home, "parks", "support", "--park", park)
    assert all(m["measure_id"] in table for m in of_park)


def test_a_statements_hours_sum_to_its_invoice(energy_served: tuple[Path, Live]) -> None:
    """Every hour of the day in local time; each amount summed in millikopecks and rounded
    once is the invoice's line, and the trued-up hour names the estimate it replaced."""
    home, _ = energy_served
    market, day, entu = "krasnoyarsk-dam", "2018-06-02", synthetic_inn("Entu (Zhu Jingming)")
    document = json.loads(krai(home, "energy", "statement", market, day, entu, "--json"))
    hours = document["hours"]
    assert document["zone"] == "UTC+7"
    assert [(h["from"], h["to"]) for h in hours[:2]] == [("00:00", "01:00"), ("01:00", "02:00")]
    assert hours[-1]["to"] == "24:00" and len(hours) == 24
    for line in ("energy", "grid_fee", "imbalance"):
        millikopecks = sum(h[f"{line}_millikopecks"] for h in hours)
        assert kopecks(millikopecks) == document[f"{line}_kopecks"]
        assert document["day_totals"][f"{line}_kopecks"] == document[f"{line}_kopecks"]
    assert document["day_totals"]["total_kopecks"] == document["invoiced_kopecks"]
    trued_up = [h for h in hours if h["estimate_replaced"] is not None]
    assert [h["from"] for h in trued_up] == ["09:00"]
    assert sum(h["consumption_kwh"] - h["generation_kwh"] for h in hours) == (
        document["day_totals"]["consumption_kwh"] - document["day_totals"]["generation_kwh"]
    )


def test_a_statements_downloads_total_what_the_page_shows(
    energy_served: tuple[Path, Live], tmp_path: Path
) -> None:
    """The page's CSV and XLSX and the CLI's files: one row per hour, the day's total and
    the balances, in roubles with two decimals, the zone in the header."""
    home, live = energy_served
    market, day, entu = "krasnoyarsk-dam", "2018-06-02", synthetic_inn("Entu (Zhu Jingming)")
    base = f"{live.url}/energy/{market}/{day}/statement/{entu}"
    answer = httpx.get(f"{base}.csv", timeout=60.0)
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Начало (UTC+7)" and rows[1][:2] == ["00:00", "01:00"]
    totals = {row[0]: row[-1] for row in rows[25:]}
    assert totals == {
        "Итого за сутки": "2160000.00",
        "Начислено, ₽": "2160000.00",
        "Оплачено (+ участником, − участнику), ₽": "2160000.00",
        "Списано, ₽": "0.00",
        "Задолженность (+ участника, − перед участником), ₽": "0.00",
    }
    sheet = load_workbook(io.BytesIO(httpx.get(f"{base}.xlsx", timeout=60.0).content)).active
    assert sheet is not None
    assert sheet["A26"].value == "Итого за сутки" and sheet["L26"].value == 2_160_000
    assert sheet["L26"].number_format == "#,##0.00"
    out = tmp_path / "statement.csv"
    krai(home, "energy", "statement", market, day, entu, "--format", "csv", "--out", str(out))
    cli_rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert cli_rows[0][0] == "From (UTC+7)" and cli_rows[25][-1] == "2160000.00"


def test_a_meter_file_preview_is_one_document(energy_served: tuple[Path, Live]) -> None:
    """The file's day, area and hash, its readings by participant and hour, totals, and the
    anchor and readings to sign with their bytes: the API's answer is the page's JSON twin."""
    _, live = energy_served
    market = "krasnoyarsk-dam"
    [key] = page(live, f"/energy/{market}/upload")["signing_keys"]
    inns = {org.name: org.inn for org in identity.organisations(live.services.storage)}
    points = points_json({name: inns[name] for name in (BITBAZA, GENERATOR)}).encode()
    files = {
        "file": ("day.xml", METER_FILE, "application/xml"),
        "points": ("points.json", points, "application/json"),
    }
    signing = {"signer": key["signer"], "key_id": key["key_id"]}
    form = {"market_id": market, **signing}
    answer = live.client.post("/v1/energy/readings", files=files, data=form)
    assert answer.status_code == 200, answer.text
    web = httpx.post(
        f"{live.url}/energy/{market}/upload.json",
        files=files,
        data={"signing_key": f"{key['key_id']} {key['signer']}"},
        timeout=60.0,
    )
    assert web.status_code == 200 and web.json() == answer.json()
    assert [part["type"] for part in answer.json()["parts"]] == [
        *("notary.anchor", "energy.submit_readings")
    ]
    assert all("to_sign" in part for part in answer.json()["parts"])


def test_a_park_report_preview_is_one_document(served: tuple[Path, Live]) -> None:
    """A filled facts template: the park, each fact stated, and the statement to sign with
    its bytes for the operator's key: the API's answer is the upload page's JSON twin."""
    _, live = served
    template = httpx.get(f"{live.url}/parks/{PARK}/template", timeout=60.0)
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["Факты"]
    sheet["B4"], sheet["B5"], sheet["E9"] = "15.03.2018", "Пресс-релиз", 35000
    out = io.BytesIO()
    book.save(out)
    operator = api(live, f"/v1/parks/{PARK}")["park"]["operator"]
    keys = page(live, f"/parks/{PARK}/upload")["signing_keys"]
    key = next(k for k in keys if k["signer"] == operator)
    files = {"file": ("facts.xlsx", out.getvalue(), "application/octet-stream")}
    signing = {"signer": key["signer"], "key_id": key["key_id"]}
    answer = live.client.post("/v1/parks/reports", files=files, data=signing)
    assert answer.status_code == 200, answer.text
    web = httpx.post(
        f"{live.url}/parks/{PARK}/upload.json",
        files=files,
        data={"signing_key": f"{key['key_id']} {key['signer']}"},
        timeout=60.0,
    )
    assert web.status_code == 200 and web.json() == answer.json()
    [part] = answer.json()["parts"]
    assert part["type"] == "parks.state_park_facts" and "to_sign" in part
