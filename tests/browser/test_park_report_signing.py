"""A resident of the Krasnoyarsk digital park downloads the quarter's report template from
the park's page, fills it (here with openpyxl), uploads it, reads the preview (its name, the
quarter, roubles with kopecks, jobs, the source, against its commitments), signs it in
Chromium with its key file — read by the page's script, never sent — and sees the actuals on
the park's page; a page whose bytes to sign say another figure than it shows is refused
before anything is signed."""

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Page

from krai.adapters.keystore import Keystore
from krai.entrypoints.words.i18n import Words
from tests.api.conftest import serving_home
from tests.api.test_park_report_upload import PARK, RESIDENT, XLSX, krasnoyarsk
from tests.browser.test_dashboard import text_of
from tests.scenarios.harness import synthetic_inn

QUARTER = "2019-Q2"
OPERATOR = "ООО «Гигабайт»"
CELLS = {"B9": "125000000,55", "B10": 80, "B11": "Отчёт за II кв. 2019"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small home: the park's commitments, with the resident BitBaza's and the operator's
    key files."""
    home, inn = krasnoyarsk(tmp_path_factory.mktemp("park-signing") / "home")
    operator = synthetic_inn(OPERATOR)
    seed = hashlib.sha256(f"krai-test-key:{OPERATOR}".encode()).digest()
    Keystore(home / "keys").store("gigabyte", operator, seed)
    return home, inn


@pytest.fixture(scope="module")
def base_url(home: tuple[Path, str]) -> Iterator[str]:
    """The home served with its sequencer, which records."""
    with serving_home(home[0]) as live:
        yield live.url


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def filled_template(page: Page, tmp_path: Path, inn: str) -> Path:
    """The quarter's template as the park page's form downloads it, filled in its cells."""
    page.select_option("#template-form select[name=quarter]", value=QUARTER)
    page.select_option("#template-form select[name=resident]", value=inn)
    with page.expect_download() as download:
        page.click("#template-link")
    blank = tmp_path / "blank.xlsx"
    download.value.save_as(blank)
    book = load_workbook(blank)
    assert book.sheetnames == [inn, "krai"]
    for where, value in CELLS.items():
        book[inn][where] = value
    out = tmp_path / "report.xlsx"
    book.save(out)
    return out


def test_the_resident_previews_signs_and_sees_its_actuals_on_the_park_page(
    home: tuple[Path, str], base_url: str, context: BrowserContext, tmp_path: Path
) -> None:
    path, inn = home
    page = context.new_page()
    page.goto(f"{base_url}/parks/{PARK}")
    report = filled_template(page, tmp_path, inn)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.post_data or ""))
    page.click("#upload-link")
    page.set_input_files("input[name=file]", str(report))
    key = page.locator("select[name=signing_key] option", has_text=RESIDENT).first
    page.select_option("select[name=signing_key]", value=key.get_attribute("value"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("table.upload-part")
    shown = text_of(page, f"[data-resident='{inn}']")
    assert RESIDENT in shown and "2-й квартал 2019 г." in shown
    assert "125 000 000,55 ₽" in shown and "125 млн ₽" in shown
    assert "Отчёт за II кв. 2019" in shown and "Отчитано ранее" in shown
    assert page.locator(f"a[href='/organisations/{inn}']").first.inner_text() == RESIDENT
    page.set_input_files("#key-file", str(path / "keys" / "bitbaza.json"))
    page.wait_for_selector("#sign-button:enabled")
    assert "Байты для подписи проверены" in text_of(page, "#sign-status")
    page.click("#sign-button")
    page.wait_for_selector("#signed-report")
    assert "Отчёт записан в журнал" in text_of(page, "#sign-status")
    assert page.locator("#receipts li a").count() == 1
    seed_text = (path / "keys" / "bitbaza.json").read_text()
    assert not [body for body in sent if '"seed"' in body or seed_text in body]
    page.click("#signed-report")
    [resident] = [
        r
        for r in httpx.get(f"{base_url}/parks/{PARK}.json", timeout=30).json()["residents"]
        if r["inn"] == inn
    ]
    reported = [c["actual_investment_kopecks"] for c in resident["commitments"]]
    assert reported and all(amount >= 12_500_000_055 for amount in reported)
    card = text_of(page, f"article.resident:has(a[href^='/organisations/{inn}'])")
    assert plain(Words("ru").roubles_short(reported[0])) in card


def test_bytes_that_differ_from_the_page_are_never_signed(
    home: tuple[Path, str], base_url: str, context: BrowserContext
) -> None:
    _, inn = home
    url = f"{base_url}/parks/{PARK}/upload"
    form = httpx.get(f"{url}.json", timeout=30).json()["signing_keys"]
    key = next(k for k in form if k["signer"] == inn)
    template = httpx.get(
        f"{base_url}/parks/{PARK}/template", params={"quarter": "2019-Q3"}, timeout=30
    )
    book = load_workbook(io.BytesIO(template.content))
    for where, value in CELLS.items():
        book[inn][where] = value
    data = io.BytesIO()
    book.save(data)
    html = httpx.post(
        url,
        data={"signing_key": f"{key['key_id']} {key['signer']}"},
        files={"file": ("report.xlsx", data.getvalue(), XLSX)},
        timeout=30,
    ).text
    changed = html.replace("125\u00a0000\u00a0000,55\u00a0₽", "125\u00a0000\u00a0000,56\u00a0₽", 1)
    assert changed != html
    page = context.new_page()
    page.route(
        url, lambda route: route.fulfill(body=changed, content_type="text/html; charset=utf-8")
    )
    page.goto(url)
    page.wait_for_selector("#sign-status.bad")
    assert "не совпадают с показанным" in text_of(page, "#sign-status")
    assert page.locator("#key-file").is_disabled()


def test_the_operator_signs_the_park_facts_and_the_park_page_shows_them(
    home: tuple[Path, str], base_url: str, context: BrowserContext, tmp_path: Path
) -> None:
    path, _ = home
    facts = httpx.get(f"{base_url}/parks/{PARK}/template", timeout=30)
    book = load_workbook(io.BytesIO(facts.content))
    sheet = book["Факты"]
    sheet["B4"], sheet["B5"], sheet["E9"], sheet["E26"] = "15.03.2018", "Пресс-релиз", 35000, "ЦОД"
    out = tmp_path / "facts.xlsx"
    book.save(out)
    page = context.new_page()
    page.goto(f"{base_url}/parks/{PARK}/upload")
    page.set_input_files("input[name=file]", str(out))
    key = page.locator("select[name=signing_key] option", has_text=OPERATOR).first
    page.select_option("select[name=signing_key]", value=key.get_attribute("value"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("table.upload-part")
    shown = text_of(page, "table.upload-part")
    assert "Расстояние до регионального центра" in shown and "35 км" in shown
    page.set_input_files("#key-file", str(path / "keys" / "gigabyte.json"))
    page.wait_for_selector("#sign-button:enabled")
    page.click("#sign-button")
    page.wait_for_selector("#signed-report")
    page.click("#signed-report")
    facts_shown = text_of(page, "#facts")
    assert "Расстояние до регионального центра" in facts_shown and "35 км" in facts_shown
