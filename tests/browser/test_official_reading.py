"""The park pages as a ministry official reads them: figures with their units, support
measures with their overlaps, occupancy computed or explained, organisations by name and
linked to their own page, transaction types in words — and no raw ids or English on the
Russian pages."""

import pytest
from playwright.sync_api import BrowserContext, Page

from krai.entrypoints.words.i18n import catalogue

PARKS = ["/parks/krasnoyarsk-digital", "/parks/technopark-yakutia", "/parks/sibir"]
RAW_IDS = [
    "krasnoyarsk-digital",
    "technopark-yakutia",
    "sibir",
    "krasnoyarsk-dam",
    "angara-yenisei",
    "specialisation",
    "tax_regime",
    "origin",
    "kopecks",
    "_m2",
    "г..",
]
TX_TYPES = [key.removeprefix("txtype.") for key in catalogue() if key.startswith("txtype.")]


def text_of(page: Page, selector: str = "body") -> str:
    """The visible text with Babel's non-breaking spaces as plain ones."""
    return page.inner_text(selector).replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("path", ["/parks", *PARKS, "/explorer", "/explorer/entries"])
def test_russian_pages_show_no_raw_ids_type_names_or_english(
    base_url: str, context: BrowserContext, path: str
) -> None:
    page = context.new_page()
    page.goto(base_url + path)
    text = text_of(page)
    leaked = [word for word in RAW_IDS + TX_TYPES if word in text]
    assert not leaked, f"{path} shows {leaked}"


def test_every_transaction_type_has_its_words() -> None:
    assert "parks.grant_support" in TX_TYPES and "payments.pay" in TX_TYPES
    assert catalogue()["txtype.parks.allocate_power"]["ru"] == "выделение мощности резиденту"


def test_the_parks_list_reads_targets_and_occupancy_with_units(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(base_url + "/parks")
    text = text_of(page)
    assert "120 млрд ₽" in text and "70 000 чел." in text
    assert "12000000000000" not in text.replace(" ", "")
    rows = [r for r in text.splitlines() if "\t" in r]
    sibir = next(r for r in rows if "«Сибирь»" in r)
    assert "10,0 %" in sibir  # 5 ha leased of 50 ha
    krasnoyarsk = next(r for r in rows if "цифровых технологий" in r)
    assert "нет данных" in krasnoyarsk and "0,0 %" not in krasnoyarsk


def test_a_park_shows_its_support_measures_and_their_overlaps(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(base_url + "/parks/technopark-yakutia")
    support = text_of(page, "#support")
    assert "субсидия" in support and "налоговая льгота" in support
    assert "1,2 млрд ₽" in support and "800 млн ₽" in support
    assert "Минпромторг России" in support and "Минэкономразвития России" in support
    assert "с 1 января 2026 г. до 1 января 2027 г." in support
    assert support.count("пересекается") == 2


def test_a_park_without_plots_says_why_and_draws_no_empty_chart(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(base_url + "/parks/krasnoyarsk-digital")
    assert "не зарегистрированы" in text_of(page, "#held")
    assert page.locator("#no-plots").count() == 1
    assert "0,0 %" not in text_of(page, "#held")
    assert "Выделенная мощность: 60 МВт" in text_of(page, ".resident >> nth=0") or (
        "МВт с" in text_of(page)
    )


def test_organisation_names_lead_to_their_page_and_its_entries(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(base_url + "/parks/technopark-yakutia")
    link = page.locator("#support a.org").first
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/organisations/**")
    assert page.inner_text("#organisation-name") == name
    text = text_of(page)
    assert "Меры поддержки" in text and "1,2 млрд ₽" in text
    assert "Технопарк «Якутия»" in text
    page.locator("#latest-entries a").first.click()
    page.wait_for_url("**/explorer/entries/**")
    assert "предоставление меры поддержки" in text_of(page) or "регистрация" in text_of(page)


def test_the_organisations_list_links_every_name(base_url: str, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(base_url + "/")
    links = page.locator("a[href^='/organisations/']")
    assert links.count() >= 10
    href = links.first.get_attribute("href")
    assert page.request.get(base_url + str(href)).status == 200
    assert page.request.get(base_url + "/organisations/0000000000").status == 404


def test_english_pages_have_no_russian_number_sign(base_url: str, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(base_url + "/parks/technopark-yakutia?lang=en")
    page.goto(base_url + "/organisations/" + _first_org(page, base_url))
    assert page.inner_text("#latest-entries th >> nth=0") == "No."
    assert "Support measures" in text_of(page)


def _first_org(page: Page, base_url: str) -> str:
    page.goto(base_url + "/parks/technopark-yakutia?lang=en")
    return str(page.locator("#support a.org").first.get_attribute("href")).rsplit("/", 1)[1]
