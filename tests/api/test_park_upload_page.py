"""The dashboard's park report upload (``/parks/{park}/upload``): the park's page offers the
template and the upload; a filled template previews each resident's figures against its
commitments in Russian, and for the chosen key only the sheets its organisation signs carry
the bytes to sign — which sign into accepted transactions; every kind of bad file is a 400
page listing each ``sheet!cell: reason``, never a 500."""

import base64
import hashlib
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from krai.modules.identity import queries as identity
from krai.modules.parks import queries
from krai.tx.envelope import SIGNING_PREFIX, Transaction, sign
from tests.api.conftest import Live, serving_home
from tests.api.test_park_report_upload import PARK, XLSX, filled, krasnoyarsk

PAGE = f"/parks/{PARK}/upload"
OPERATOR = "ООО «Гигабайт»"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, str]]:
    home, inn = krasnoyarsk(tmp_path_factory.mktemp("park-page") / "home")
    with serving_home(home) as served:
        operator = next(
            org.inn
            for org in identity.organisations(served.services.storage)
            if org.name == OPERATOR
        )
        seed = hashlib.sha256(f"krai-test-key:{OPERATOR}".encode()).digest()
        served.services.keystore.store("gigabyte", operator, seed)
        yield served, inn


def signing_key(live: Live, name: str) -> str:
    stored = live.services.keystore.load(name)
    return f"{stored.key_id} {stored.organisation}"


def template(live: Live, **query: str) -> bytes:
    answer = httpx.get(f"{live.url}/parks/{PARK}/template", params=query, timeout=60.0)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    return answer.content


def post(live: Live, data: bytes, path: str = PAGE, **form: str) -> httpx.Response:
    files = {"file": ("report.xlsx", data, XLSX)}
    return httpx.post(f"{live.url}{path}", files=files, data=form, timeout=60.0)


def report(live: Live, inn: str, quarter: str = "2019-Q2") -> bytes:
    cells = {"B9": "125000000,55", "B10": 80, "B11": "Отчёт за II кв. 2019"}
    return filled(template(live, quarter=quarter), inn, cells)


def test_the_park_page_offers_the_template_and_the_upload(live: tuple[Live, str]) -> None:
    served, inn = live
    page = httpx.get(f"{served.url}/parks/{PARK}", timeout=60.0).text
    assert "Скачать шаблон отчёта" in page
    assert f'href="{PAGE}"' in page
    assert f'<option value="{inn}">' in page
    one = template(served, quarter="2019-Q2", resident=inn)
    assert load_workbook(io.BytesIO(one)).sheetnames == [inn, "krai"]
    assert load_workbook(io.BytesIO(template(served))).sheetnames[0] == "Факты"
    form = httpx.get(f"{served.url}{PAGE}", timeout=60.0).text
    assert signing_key(served, "bitbaza") in form


def test_a_filled_report_previews_in_russian_and_its_bytes_sign_into_the_ledger(
    live: tuple[Live, str],
) -> None:
    served, inn = live
    key = signing_key(served, "bitbaza")
    answer = post(served, report(served, inn), signing_key=key)
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert "2-й квартал 2019 г." in page
    assert "125\xa0000\xa0000,55\xa0₽" in page
    assert "125\xa0млн ₽" in page
    assert f'href="/organisations/{inn}"' in page
    assert "Отчитано ранее" in page and "С этим отчётом" in page
    twin = post(served, report(served, inn), path=f"{PAGE}.json", signing_key=key).json()
    [resident] = twin["residents"]
    assert (resident["inn"], resident["investment_kopecks"], resident["jobs"]) == (
        inn,
        12_500_000_055,
        80,
    )
    assert resident["commitments"], "BitBaza's agreement commits it to milestones"
    [part] = twin["parts"]
    signed = signed_part(served, part, "bitbaza")
    assert served.client.post("/v1/transactions", json=signed).status_code == 201
    residency = queries.resident(served.services.storage, PARK, inn)
    assert residency is not None
    assert residency.actuals["2019-Q2"].investment_kopecks == 12_500_000_055


def signed_part(live: Live, part: dict[str, Any], key_name: str) -> dict[str, Any]:
    """The part's bytes, checked against its envelope and signed with the stored key."""
    to_sign = part["to_sign"]
    message = base64.b64decode(to_sign["signing_bytes"])
    envelope = Transaction(**to_sign["transaction"])
    assert message == envelope.signing_message()
    assert message.startswith(SIGNING_PREFIX)
    return sign(envelope, live.services.keystore.load(key_name).private_key).to_json()


def test_a_key_of_another_organisation_signs_nothing_of_a_residents_sheet(
    live: tuple[Live, str],
) -> None:
    served, inn = live
    operator = signing_key(served, "gigabyte")
    answer = post(served, report(served, inn, "2019-Q3"), signing_key=operator)
    assert answer.status_code == 400
    assert "a resident signs its own" in answer.text


def test_park_facts_preview_each_fact_in_words_for_the_operator(live: tuple[Live, str]) -> None:
    served, _ = live
    cells = {"B4": "15.03.2018", "B5": "Пресс-релиз", "E9": 35000, "E19": "3500000000"}
    data = filled(template(served), "Факты", {**cells, "F19": "более"})
    answer = post(served, data, signing_key=signing_key(served, "gigabyte"))
    assert answer.status_code == 200, answer.text
    assert "Расстояние до регионального центра" in answer.text and "35\xa0км" in answer.text
    assert "более 3,5\xa0млрд ₽" in answer.text
    assert "15 марта 2018" in answer.text
    twin = post(served, data, path=f"{PAGE}.json").json()
    assert twin["facts"]["facts"] == [
        {"name": "distance_to_regional_centre_m", "amount": 35000},
        {"name": "private_investment_kopecks", "amount": 350_000_000_000, "bound": "over"},
    ]
    assert "to_sign" not in twin["parts"][0]


def merged(data: bytes, inn: str) -> bytes:
    book = load_workbook(io.BytesIO(data))
    book[inn].merge_cells("B9:C9")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def not_a_template() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


BAD_FILES: dict[str, Any] = {
    "formula and comma decimals": (
        lambda live, inn: filled(
            template(live, quarter="2019-Q2"), inn, {"B9": "1.234", "B10": "=1"}
        ),
        lambda inn: [
            f"{inn}!B9: &#39;1.234&#39; has more than 2 decimal places",
            f"{inn}!B10: a formula; type the value itself",
            f"{inn}!B11: empty; fill it in",
        ],
    ),
    "merged cells": (
        lambda live, inn: merged(report(live, inn), inn),
        lambda inn: [f"{inn}!B9:C9: merged cells; the template has none"],
    ),
    "not a workbook": (
        lambda live, inn: b"PK\x03\x04 truncated",
        lambda inn: ["not an XLSX workbook"],
    ),
    "no krai sheet": (
        lambda live, inn: not_a_template(),
        lambda inn: ["krai!A1: the workbook has no krai sheet"],
    ),
    "blank report": (
        lambda live, inn: template(live, quarter="2019-Q2"),
        lambda inn: [f"{inn}!B9: no sheet is filled: nothing to report"],
    ),
    "another park's report": (
        lambda live, inn: filled(report(live, inn), "krai", {"B5": "other-park"}),
        lambda inn: [f"krai!B5: the file reports park other-park, not {PARK}"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_a_400_page_listing_each_cell(live: tuple[Live, str], case: str) -> None:
    served, inn = live
    make, expected = BAD_FILES[case]
    answer = post(served, make(served, inn))
    assert answer.status_code == 400, answer.text
    assert 'id="upload-errors"' in answer.text
    assert "Файл не принят, ничего не записано" in answer.text
    for problem in expected(inn):
        assert problem in answer.text


def test_an_empty_upload_is_a_400_and_an_unknown_park_a_404(live: tuple[Live, str]) -> None:
    served, _ = live
    assert post(served, b"").status_code == 400
    assert httpx.get(f"{served.url}/parks/no-such-park/upload", timeout=60.0).status_code == 404


def test_nothing_is_recorded_by_a_preview(live: tuple[Live, str]) -> None:
    served, inn = live
    size = served.services.storage.log_size()
    post(served, report(served, inn, "2019-Q4"), signing_key=signing_key(served, "bitbaza"))
    assert served.services.storage.log_size() == size


def test_a_resident_states_no_park_facts(live: tuple[Live, str]) -> None:
    served, _ = live
    data = filled(template(served), "Факты", {"B4": "15.03.2018", "B5": "Пресс-релиз", "E9": 1})
    answer = post(served, data, signing_key=signing_key(served, "bitbaza"))
    assert answer.status_code == 400
    assert f"states no facts of park {PARK}: its operator" in answer.text
