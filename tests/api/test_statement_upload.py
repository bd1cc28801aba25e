"""``POST /v1/payments/statements``: a bank statement file read into the parts the paying agent
signs; the server signs and records nothing."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from krai.modules.payments import queries
from tests.api.conftest import Live, serving_home
from tests.e2e.test_cli_payments import kaliningrad

FILES = Path(__file__).parents[1] / "unit" / "app" / "client_bank_files"
STATEMENT = (FILES / "statement_1_02_windows.txt").read_bytes()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serving_home(kaliningrad(tmp_path_factory.mktemp("upload") / "home")) as served:
        yield served


def upload(live: Live, data: bytes, **form: str) -> "dict[str, object]":
    files = {"file": ("statement.txt", data, "text/plain")}
    answer = live.client.post("/v1/payments/statements", files=files, data=form)
    return {"status": answer.status_code, **answer.json()}


def test_an_uploaded_statement_answers_the_parts_to_sign_and_they_record_it(live: Live) -> None:
    size = live.services.storage.log_size()
    answer = upload(live, STATEMENT, statement_id="veb-api-2026-03-22")
    assert answer["status"] == 200
    assert live.services.storage.log_size() == size
    [part] = answer["parts"]  # type: ignore[misc]
    assert (part["type"], part["version"]) == ("payments.reconcile_statement", 2)
    assert [line["reference"] for line in part["body"]["lines"]] == [
        *("pay-anna-2026-02", "pay-boris-2026-03", "№ 5531 от 2026-03-22")
    ]
    signed = live.signed(
        part["type"], part["body"], nonce=part["nonce"], key="veb", version=part["version"]
    )
    assert live.client.post("/v1/transactions", json=signed).status_code == 201
    recorded = queries.statement(live.services.storage, "veb-api-2026-03-22")
    assert recorded is not None
    assert [line.matched or line.unmatched for line in recorded.lines] == [
        *("duplicate_debit", "reversed", "unknown_reference")
    ]


@pytest.mark.parametrize(
    ("data", "form", "detail"),
    [
        (
            STATEMENT.replace(b"=8000.00", b"=8000,00"),
            {},
            "line 25: Сумма '8000,00': the decimal separator is a point",
        ),
        (STATEMENT, {"format": "csv"}, "not a UTF-8 CSV"),
        (b"line_id,booked_on\n", {}, "the header must name line_id"),
    ],
)
def test_a_malformed_file_is_a_problem_naming_its_line_and_key(
    live: Live, data: bytes, form: dict[str, str], detail: str
) -> None:
    answer = upload(live, data, statement_id="veb-bad", **form)
    assert (answer["status"], answer["code"]) == (422, "malformed_file")
    assert detail in str(answer["detail"])
