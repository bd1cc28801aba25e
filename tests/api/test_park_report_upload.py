"""``GET /v1/parks/{park}/template`` and ``POST /v1/parks/reports``: the XLSX template, and a
filled one read into the transactions its signers sign; the server signs and records nothing."""

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from krai.adapters.keystore import Keystore
from krai.modules.parks import queries
from tests.api.conftest import Live, serving_home
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

PARK = "krasnoyarsk-digital"
RESIDENT = "Корпорация BitBaza"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def krasnoyarsk(home: Path) -> tuple[Path, str]:
    """The commitments scenario's home, with BitBaza's key named ``bitbaza``; its INN."""
    path = HERE / "parks" / "commitments_and_breach.yaml"
    scenario = Scenario(_load(path), SqlLedger, home=home)
    ledger = scenario.ledger
    assert isinstance(ledger, SqlLedger)
    scenario.run()
    ledger.close()
    inn = ledger.inn(RESIDENT)
    seed = hashlib.sha256(f"krai-test-key:{RESIDENT}".encode()).digest()
    Keystore(home / "keys").store("bitbaza", inn, seed)
    return home, inn


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, str]]:
    home, inn = krasnoyarsk(tmp_path_factory.mktemp("park-upload") / "home")
    with serving_home(home) as live:
        yield live, inn


def template(live: Live, **query: str) -> bytes:
    answer = live.client.get(f"/v1/parks/{PARK}/template", params=query)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    return answer.content


def upload(live: Live, data: bytes) -> "dict[str, Any]":
    files = {"file": ("report.xlsx", data, XLSX)}
    answer = live.client.post("/v1/parks/reports", files=files)
    return {"status": answer.status_code, **answer.json()}


def filled(data: bytes, sheet: str, cells: dict[str, Any]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    for where, value in cells.items():
        book[sheet][where] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_filled_template_answers_the_residents_transaction_and_it_records_it(
    served: tuple[Live, str],
) -> None:
    live, inn = served
    data = template(live, quarter="2019-Q2")
    assert load_workbook(io.BytesIO(data)).sheetnames == [inn, "krai"]  # Ebang is terminated
    report = filled(data, inn, {"B9": "125000000,00", "B10": 80, "B11": "Отчёт за II кв. 2019"})
    size = live.services.storage.log_size()
    answer = upload(live, report)
    assert answer["status"] == 200, answer
    assert live.services.storage.log_size() == size
    assert (answer["kind"], answer["park_id"], answer["quarter"]) == ("actuals", PARK, "2019-Q2")
    [transaction] = answer["parts"]
    assert (transaction["sheet"], transaction["signer"], transaction["type"]) == (
        inn,
        inn,
        "parks.report_actuals",
    )
    assert transaction["body"]["investment_kopecks"] == 12_500_000_000
    signed = live.signed(
        transaction["type"], transaction["body"], nonce=transaction["nonce"], key="bitbaza"
    )
    assert live.client.post("/v1/transactions", json=signed).status_code == 201
    residency = queries.resident(live.services.storage, PARK, inn)
    assert residency is not None
    assert residency.actuals["2019-Q2"].jobs == 80


def test_a_wrong_cell_is_a_problem_listing_every_sheet_and_cell(
    served: tuple[Live, str],
) -> None:
    live, inn = served
    report = filled(template(live, quarter="2019-Q3"), inn, {"B9": "1.234", "B10": "=1"})
    answer = upload(live, report)
    assert (answer["status"], answer["code"]) == (422, "malformed_file")
    assert answer["errors"] == [
        f"{inn}!B9: '1.234' has more than 2 decimal places",
        f"{inn}!B10: a formula; type the value itself",
        f"{inn}!B11: empty; fill it in",
    ]
    assert answer["detail"] == "; ".join(answer["errors"])


def test_the_facts_template_reads_into_a_statement_for_the_operator_to_sign(
    served: tuple[Live, str],
) -> None:
    live, _ = served
    data = filled(
        template(live, facts="true"),
        "Факты",
        {"B4": "15.03.2018", "B5": "Пресс-релиз", "E9": 35000},
    )
    [transaction] = upload(live, data)["parts"]
    assert (transaction["type"], transaction["signer"]) == ("parks.state_park_facts", None)
    assert transaction["body"]["facts"] == [
        {"name": "distance_to_regional_centre_m", "amount": 35000}
    ]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({}, 400, "malformed"),
        ({"quarter": "2019-Q2", "facts": "true"}, 400, "malformed"),
        ({"quarter": "2019-13"}, 400, "malformed"),
        ({"quarter": "2019-Q2", "resident": "7707083893"}, 404, "not_found"),
    ],
)
def test_a_template_asked_wrongly_is_a_problem(
    served: tuple[Live, str], query: dict[str, str], status: int, code: str
) -> None:
    live, _ = served
    answer = live.client.get(f"/v1/parks/{PARK}/template", params=query)
    assert (answer.status_code, answer.json()["code"]) == (status, code)


def test_an_unknown_park_has_no_template(served: tuple[Live, str]) -> None:
    live, _ = served
    answer = live.client.get("/v1/parks/nowhere/template", params={"facts": "true"})
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_a_file_over_the_body_limit_is_refused_before_it_is_read(served: tuple[Live, str]) -> None:
    live, _ = served
    answer = upload(live, b"PK" + b"\0" * (2 * 1024 * 1024))
    assert (answer["status"], answer["code"]) == (413, "oversize")
