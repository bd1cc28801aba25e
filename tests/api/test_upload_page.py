"""The dashboard's statement upload (``/payments/upload``): the form lists the payment agent's
keys; a good file previews each line with the payment it matches and, for the chosen key, the
exact bytes to sign — which are what the preview shows, and sign into an accepted
transaction; every kind of bad file is a 400 page listing what is wrong, never a 500."""

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from krai.crypto.canonical import canonical_bytes
from krai.entrypoints.words.i18n import Words
from krai.tx.envelope import SIGNING_PREFIX, Transaction, sign
from tests.api.conftest import Live, serving_home
from tests.api.test_statement_upload import STATEMENT
from tests.e2e.test_cli_payments import kaliningrad

CSV = b"line_id,booked_on,direction,amount_rub,reference\n1,2026-03-22,debit,100.00,pay-x\n"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serving_home(kaliningrad(tmp_path_factory.mktemp("upload-page") / "home")) as served:
        yield served


def signing_key(live: Live) -> str:
    """The form's value choosing VEB.RF's key."""
    stored = live.services.keystore.load("veb")
    return f"{stored.key_id} {stored.organisation}"


def post(live: Live, data: bytes, path: str = "/payments/upload", **form: str) -> httpx.Response:
    files = {"file": ("statement.txt", data, "text/plain")}
    return httpx.post(f"{live.url}{path}", files=files, data=form, timeout=60.0)


def test_the_form_offers_the_payment_agents_key_and_the_payments_page_links_it(
    live: Live,
) -> None:
    form = httpx.get(f"{live.url}/payments/upload", timeout=60.0)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert f'value="{signing_key(live)}"' in form.text
    assert "ВЭБ.РФ" in form.text
    assert 'href="/payments/upload"' in httpx.get(f"{live.url}/payments", timeout=60.0).text


def test_a_good_file_previews_lines_matches_totals_and_the_bytes_to_sign(live: Live) -> None:
    size = live.services.storage.log_size()
    key = signing_key(live)
    answer = post(live, STATEMENT, statement_id="veb-page-1", signing_key=key)
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "Часть 1 из 1" in page
    assert 'href="/payments/trace/payment/pay-boris-2026-03"' in page
    assert "не найдена" in page  # the bank's fee names no payment
    assert "повторное списание по уже сверенной выплате" in page  # pay-anna was matched before
    assert "возврат выплаты" in page
    assert Words("ru").roubles(800_000) in page  # 8 000,00 ₽
    assert live.services.storage.log_size() == size  # nothing recorded
    document = post(
        live, STATEMENT, "/payments/upload.json", statement_id="veb-page-1", signing_key=key
    ).json()
    [part] = document["parts"]
    assert [row["outcome"] for row in part["rows"]] == [
        *("duplicate_debit", "reversed", "unknown_reference")
    ]
    assert part["totals"]["unmatched"] == 2 == document["totals"]["unmatched"]
    signed = _signed(live, part["to_sign"])
    assert signed["body"] == part["body"] and signed["nonce"] == part["nonce"]
    assert live.client.post("/v1/transactions", json=signed).status_code == 201


def test_a_line_in_a_later_part_sees_what_earlier_parts_matched(live: Live) -> None:
    reversal = "2026-03-22,credit,8000.00,pay-anna-2026-02"
    fees = [f"{n},2026-03-22,debit,1.00,fee-{n}" for n in range(2, 5002)]
    rows = [f"1,{reversal}", *fees, f"5002,{reversal}"]
    data = "\n".join(["line_id,booked_on,direction,amount_rub,reference", *rows]).encode()
    document = post(live, data, "/payments/upload.json", statement_id="veb-long").json()
    first, *_, last = document["parts"]
    assert (first["rows"][0]["outcome"], last["rows"][-1]["outcome"]) == (
        *("reversed", "reversal_without_original"),
    )
    assert document["totals"] == {
        "lines": 5002,
        "debit_kopecks": 500_000,
        "credit_kopecks": 1_600_000,
        "unmatched": 5001,
    }


def _signed(live: Live, to_sign: dict[str, Any]) -> dict[str, Any]:
    """``to_sign``'s bytes, checked to be its envelope's, signed with VEB.RF's key."""
    message = base64.b64decode(to_sign["signing_bytes"])
    envelope = to_sign["transaction"]
    assert message == SIGNING_PREFIX + canonical_bytes(envelope)
    assert json.loads(message[len(SIGNING_PREFIX) :]) == envelope
    private = live.services.keystore.load("veb").private_key
    return sign(Transaction(**envelope), private).to_json()


@pytest.mark.parametrize(
    ("data", "form", "says"),
    [
        (
            STATEMENT.replace(b"=8000.00", b"=8000,00"),
            {},
            "line 25: Сумма &#39;8000,00&#39;: the decimal separator is a point",
        ),
        (STATEMENT, {"format": "csv"}, "not a UTF-8 CSV"),
        (b"line_id,booked_on\n", {}, "the header must name line_id"),
        (CSV.replace(b"debit", b"sideways"), {}, "body.lines[0].direction"),
        (CSV.replace(b"2026-03-22", b"2026-02-30"), {}, "body.lines[0].booked_on"),
        (CSV + CSV.splitlines()[1] + b"\n", {}, "line 3: line_id &#39;1&#39; is also on line 2"),
        (STATEMENT[: len(STATEMENT) // 2], {}, "line"),
        (b"", {}, "no file was chosen"),
        (CSV, {"statement_id": "Not An Id"}, "body.statement_id"),
        (CSV, {"format": "xml"}, "format &#39;xml&#39; is not one of auto, csv, 1c"),
        (
            CSV,
            {"signing_key": "0123456789abcdef 7707083893"},
            "is no active key of a payment_agent",
        ),
    ],
)
def test_a_bad_file_is_a_400_page_listing_what_is_wrong(
    live: Live, data: bytes, form: dict[str, str], says: str
) -> None:
    answer = post(live, data, **{"statement_id": "veb-bad", **form})
    assert answer.status_code == 400, answer.text
    assert "Файл не принят, ничего не записано" in answer.text
    assert says in answer.text
    assert 'name="statement_id"' in answer.text  # the form again, to try another file
