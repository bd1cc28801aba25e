"""VEB.RF's operator uploads a «Клиент банка» statement on the dashboard, reads the preview,
and signs it in Chromium with its key file — the key read by the page's script, never sent —
and the statement is recorded; a page whose bytes to sign differ from what it shows, or the
wrong key file, is refused before anything is signed; without JavaScript the preview works."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from krai.adapters.keystore import Keystore
from tests.api.conftest import serving_home
from tests.api.test_statement_upload import STATEMENT
from tests.browser.test_dashboard import text_of
from tests.e2e.test_cli_payments import kaliningrad
from tests.scenarios.harness import private_key

AGENT = "ВЭБ.РФ"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small home (the Kaliningrad benefit) served with its sequencer, which records."""
    with serving_home(kaliningrad(tmp_path_factory.mktemp("signing") / "home")) as live:
        yield live.url


def files(tmp_path: Path, seed: bytes) -> tuple[Path, Path]:
    """The statement file and a ``krai keys generate`` file of VEB.RF's key (``seed``)."""
    statement = tmp_path / "statement.txt"
    statement.write_bytes(STATEMENT)
    Keystore(tmp_path / "keys").store("veb", "whoever", seed)
    return statement, tmp_path / "keys" / "veb.json"


def preview(page: Page, base_url: str, statement: Path, statement_id: str) -> None:
    """Upload ``statement`` from the payments page and wait for its preview."""
    page.goto(f"{base_url}/payments")
    page.click("#upload-link")
    page.fill("input[name=statement_id]", statement_id)
    page.set_input_files("input[name=file]", str(statement))
    agent = page.locator("select[name=signing_key] option", has_text=AGENT).first
    page.select_option("select[name=signing_key]", value=agent.get_attribute("value"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("table.upload-part")


def test_the_agent_previews_signs_in_the_browser_and_the_statement_is_recorded(
    base_url: str, context: BrowserContext, tmp_path: Path
) -> None:
    statement, key_file = files(tmp_path, private_key(AGENT).seed)
    page = context.new_page()
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.post_data or ""))
    preview(page, base_url, statement, "veb-browser-2026-03-22")
    shown = text_of(page, "table.upload-part")
    assert "22 марта 2026" in shown and "8 000,00 ₽" in shown and "15,50 ₽" in shown
    assert "не найдена" in shown and "возврат выплаты" in shown
    assert page.locator("table.upload-part tbody tr").count() == 3
    assert page.get_attribute("a[href='/payments/trace/payment/pay-boris-2026-03']", "href")
    page.set_input_files("#key-file", str(key_file))
    page.wait_for_selector("#sign-button:enabled")
    assert "Байты для подписи проверены" in text_of(page, "#sign-status")
    page.click("#sign-button")
    page.wait_for_selector("#signed-statements")
    assert "Выписка записана в журнал" in text_of(page, "#sign-status")
    receipt = page.locator("#receipts li a")
    assert receipt.count() == 1
    index = int(str(receipt.get_attribute("href")).rsplit("/", 1)[1])
    seed_text = key_file.read_text()
    assert not [body for body in sent if '"seed"' in body or seed_text in body]
    entry = httpx.get(f"{base_url}/explorer/entries/{index}.json", timeout=30).json()
    assert "veb-browser-2026-03-22" in str(entry)
    page.click("#signed-statements")
    row = page.locator("#statement-list tr", has_text="veb-browser-2026-03-22")
    assert [cell.strip() for cell in row.locator("td").all_inner_texts()][2:4] == ["3", "2"]


def test_the_wrong_key_file_is_refused_before_signing(
    base_url: str, context: BrowserContext, tmp_path: Path
) -> None:
    statement, key_file = files(tmp_path, bytes(range(32)))
    page = context.new_page()
    preview(page, base_url, statement, "veb-browser-wrong-key")
    page.set_input_files("#key-file", str(key_file))
    page.wait_for_selector("#sign-status.bad")
    assert "Это другой ключ" in text_of(page, "#sign-status")
    assert page.locator("#sign-button").is_disabled()


def test_a_key_file_chosen_before_the_script_ran_is_still_read(
    base_url: str, context: BrowserContext, tmp_path: Path
) -> None:
    statement, key_file = files(tmp_path, bytes(range(32)))
    page = context.new_page()
    held: list[Route] = []
    page.route("**/static/sign.js", lambda route: held.append(route))  # noqa: PLW0108 - Playwright wraps Python functions only
    preview(page, base_url, statement, "veb-browser-early-key")
    page.set_input_files("#key-file", str(key_file))
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_selector("#sign-status.bad")
    assert "Это другой ключ" in text_of(page, "#sign-status")


def test_bytes_that_differ_from_the_page_are_never_signed(
    base_url: str, context: BrowserContext
) -> None:
    [key] = httpx.get(f"{base_url}/payments/upload.json", timeout=30).json()["signing_keys"]
    form = {
        "statement_id": "veb-browser-tampered",
        "signing_key": f"{key['key_id']} {key['signer']}",
    }
    files = {"file": ("statement.txt", STATEMENT, "text/plain")}
    html = httpx.post(f"{base_url}/payments/upload", data=form, files=files, timeout=30).text
    tampered = html.replace(">pay-boris-2026-03</a>", ">pay-boris-2026-04</a>")
    assert tampered != html
    page = context.new_page()
    page.route(
        f"{base_url}/payments/upload",
        lambda route: route.fulfill(body=tampered, content_type="text/html; charset=utf-8"),
    )
    page.goto(f"{base_url}/payments/upload")
    page.wait_for_selector("#sign-status.bad")
    assert "не совпадают с показанным" in text_of(page, "#sign-status")
    assert page.locator("#key-file").is_disabled()


def test_the_preview_works_without_javascript(
    base_url: str, browser: Browser, tmp_path: Path
) -> None:
    statement, _ = files(tmp_path, private_key(AGENT).seed)
    plain = browser.new_context(locale="ru-RU", java_script_enabled=False)
    try:
        page = plain.new_page()
        page.goto(f"{base_url}/payments/upload")
        page.fill("input[name=statement_id]", "veb-no-script")
        page.set_input_files("input[name=file]", str(statement))
        page.click("#upload-form button[type=submit]")
        assert "Часть 1 из 1" in text_of(page)
        assert "Для подписи в браузере нужен JavaScript" in text_of(page)
        assert "krai payments import-statement" in text_of(page, "#cli-fallback")
    finally:
        plain.close()
