"""The dashboard in a real headless Chromium: every area in Russian and English with its key
figures, the investors' site search, an inclusion proof verified by the browser itself (and
refused once the entry's bytes are tampered with), phone widths, and the JSON twins."""

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.browser.conftest import WAIT_MS
from tests.scenarios.harness import synthetic_inn

PARK = "/parks/krasnoyarsk-digital"
DAY = "/energy/krasnoyarsk-dam/2018-06-02"
# Each page with figures it must show, as Babel formats them in each language.
PAGES = {
    "/": {"ru": ["krai.test/dashboard", "ВЭБ.РФ"], "en": ["krai.test/dashboard", "payment agent"]},
    "/parks": {
        "ru": ["Красноярский край", "по графику ожидалось"],
        "en": ["Krasnoyarsk Krai", "expected by now"],
    },
    PARK: {"ru": ["150 МВт", "Корпорация BitBaza"], "en": ["150 MW", "Committed jobs"]},
    "/parks/clusters/angara-yenisei": {"ru": ["Переработка"], "en": ["Processing"]},
    DAY: {"ru": ["2 800,00 ₽/МВт·ч", "120 000 кВт·ч"], "en": ["2,800.00 ₽/MWh", "120,000 kWh"]},
    f"{DAY}/14": {"ru": ["150 000 кВт·ч", "Спрос"], "en": ["150,000 kWh", "Demand"]},
    f"{DAY}/statement/{synthetic_inn('Entu (Zhu Jingming)')}": {
        "ru": ["Итого за сутки", "Час (UTC+7)", "Оплачено участником", "2 160 000,00 ₽"],
        "en": ["Day total", "Hour (UTC+7)", "Paid by the participant", "2,160,000.00 ₽"],
    },
    "/energy/krasnoyarsk-dam/heat/2018-06": {
        "ru": ["мкр. Солнечный", "58 813 Гкал"],
        "en": ["58,813 Gcal"],
    },
    "/payments": {
        "ru": ["10 000 000,00 ₽", "Бюджет", "veb-2026-03-21", "1 из 1", "получена полностью"],
        "en": ["10,000,000.00 ₽", "Budget", "Bank statements", "1 of 1", "complete"],
    },
    "/payments/audit": {"ru": ["ручная корректировка суммы"], "en": ["unmatched bank line"]},
    "/payments/upload": {
        "ru": ["Номер выписки", "ВЭБ.РФ — ключ"],
        "en": ["Statement id", "ВЭБ.РФ — key"],
    },
    "/payments/trace/payment/pay-boris-2026-03": {
        "ru": ["Версия правила", "11 000,00 ₽"],
        "en": ["Rule version"],
    },
    "/explorer": {"ru": ["Контрольные точки"], "en": ["Checkpoints"]},
}
PHONE_PAGES = [
    "/",
    "/parks",
    PARK,
    DAY,
    f"{DAY}/14",
    "/energy/krasnoyarsk-dam/heat/2018-06",
    "/payments",
    "/payments/audit",
    "/payments/upload",
    "/explorer/entries/150",
]


def text_of(page: Page, selector: str = "body") -> str:
    """The visible text of ``selector`` with Babel's non-breaking spaces as plain ones."""
    return page.inner_text(selector).replace("\u00a0", " ").replace("\u202f", " ")


def test_every_area_in_russian_then_english_with_its_figures(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    for path, figures in PAGES.items():
        assert page.goto(base_url + path).status == 200, path
        assert page.get_attribute("html", "lang") == "ru"
        text = text_of(page)
        for figure in figures["ru"]:
            assert figure in text, f"{path} (ru) does not show {figure!r}"
    page.goto(base_url + "/")
    page.click("#lang-switch")
    page.wait_for_url("**lang=en*")
    for path, figures in PAGES.items():
        page.goto(base_url + path)  # the cookie remembers English
        assert page.get_attribute("html", "lang") == "en", path
        text = text_of(page)
        for figure in figures["en"]:
            assert figure in text, f"{path} (en) does not show {figure!r}"
        assert page.inner_text("#lang-switch") == "Русский"


def test_an_english_browser_is_answered_in_english_until_it_switches(
    base_url: str, browser: Browser
) -> None:
    english = browser.new_context(locale="en-GB")
    try:
        page = english.new_page()
        page.goto(base_url + "/parks")
        assert page.get_attribute("html", "lang") == "en"
        page.click("#lang-switch")
        page.wait_for_url("**lang=ru*")
        page.goto(base_url + "/parks")  # the cookie now outweighs the browser's language
        assert page.get_attribute("html", "lang") == "ru"
    finally:
        english.close()


def test_the_site_search_form_finds_what_the_json_twin_lists(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/parks/sites?lang=en")
    page.select_option("select[name=status]", "free")
    page.fill("input[name=min_area_m2]", "10000")
    page.click("#site-search button[type=submit]")
    page.wait_for_url("**status=free*")
    shown = sorted(page.locator("#sites tbody td:first-child code").all_inner_texts())
    twin = httpx.get(
        f"{base_url}/parks/sites.json", params={"status": "free", "min_area_m2": 10000}
    ).json()
    assert shown == sorted(s["cadastral_number"] for s in twin["sites"])
    assert shown, "the scenarios leave free sites of at least 10,000 m²"
    assert all(s["status"] == "free" and s["area_m2"] >= 10000 for s in twin["sites"])
    assert f"Sites found: {len(shown)}" in text_of(page)


def verdict(page: Page) -> tuple[str, str]:
    """Wait for the in-browser proof check and return (state, text)."""
    page.wait_for_function(
        "document.getElementById('verdict').dataset.state !== 'pending'", timeout=WAIT_MS
    )
    return page.get_attribute("#verdict", "data-state") or "", text_of(page, "#verdict")


def test_the_browser_verifies_an_entry_and_refuses_a_tampered_one(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/explorer/entries/150?lang=en")
    state, text = verdict(page)
    assert state == "verified"
    assert "verified" in text
    assert "Ed25519 verified in the browser" in text
    root = httpx.get(f"{base_url}/explorer/entries/150.json").json()["proof"]["root_hash"]
    assert f"Computed root: {root}" in text

    def one_byte_changed(route: Route) -> None:
        original = route.fetch()
        body = bytearray(original.body())
        body[-3] ^= 0x01
        route.fulfill(response=original, body=bytes(body))

    page.route("**/explorer/entries/150/raw", one_byte_changed)
    for language, refusal in (("en", "DOES NOT VERIFY"), ("ru", "НЕ ПРОХОДИТ ПРОВЕРКУ")):
        page.goto(f"{base_url}/explorer/entries/150?lang={language}")
        state, text = verdict(page)
        assert state == "failed"
        assert refusal in text
        computed = [line for line in text.splitlines() if line.startswith(("Computed", "Вычисл"))]
        assert computed and root not in computed[0], "a changed byte gives another root"


def test_a_clusters_stages_are_numbered_and_their_members_are_not(
    base_url: str, context: BrowserContext
) -> None:
    """Stages read 1, 2, 3…: a member listed under a stage takes no number of its own."""
    page = context.new_page()
    page.goto(base_url + "/parks/clusters/angara-yenisei")
    numbers = page.eval_on_selector_all(
        "#stages li", "items => items.map(i => getComputedStyle(i, '::before').content)"
    )
    numbered = [content for content in numbers if content not in ("none", "normal")]
    stages = page.locator("#stages > li").count()
    assert stages > 1 and len(numbered) == stages, numbers


def test_a_phone_never_scrolls_sideways(base_url: str, browser: Browser) -> None:
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        page = phone.new_page()
        for path in PHONE_PAGES:
            page.goto(base_url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{path} is {width} px wide on a 375 px phone"
    finally:
        phone.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_has_one_json_twin_however_asked(base_url: str, path: str) -> None:
    query = httpx.get(base_url + path, params={"format": "json"})
    suffix = httpx.get(base_url + ("/index.json" if path == "/" else f"{path}.json"))
    accept = httpx.get(base_url + path, headers={"Accept": "application/json"})
    for response in (query, suffix, accept):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
    assert query.json() == suffix.json() == accept.json()
    html = httpx.get(base_url + path, headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
