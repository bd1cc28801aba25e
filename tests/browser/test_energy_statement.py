"""A trader reads its statement of a trued-up day: every hour in local clock time with its
zone, kWh and roubles with their units, the balances in words that say which way money went,
and downloads whose totals are the page's."""

import csv
import io
import re

import httpx
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext

from tests.scenarios.harness import synthetic_inn

ENTU = synthetic_inn("Entu (Zhu Jingming)")
STATEMENT = f"/energy/krasnoyarsk-dam/2018-06-02/statement/{ENTU}"


def plain(text: str) -> str:
    """Text with Babel's non-breaking spaces as plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_statement_reads_hour_by_hour_with_balances(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    assert page.goto(base_url + STATEMENT).status == 200
    body = plain(page.inner_text("body"))
    assert "Entu" in body and "время местное, UTC+7" in body
    header = plain(page.inner_text("#statement-hours thead"))
    assert "Час (UTC+7)" in header and "Цена клиринга, ₽/МВт·ч" in header
    rows = page.locator("#statement-hours tbody tr")
    assert rows.count() == 24
    assert plain(rows.nth(0).inner_text()).startswith("00:00–01:00")
    assert plain(rows.nth(9).inner_text()).startswith("09:00–10:00*")
    note = plain(page.inner_text("#statement-replaced-10"))
    assert note.startswith("* 09:00–10:00: в прошлой редакции — оценка (потребление 31 000")
    total = plain(page.inner_text("#statement-day-total"))
    assert total.startswith("Итого за сутки") and total.endswith("2 160 000,00")
    assert plain(page.inner_text("#statement-paid")) == "2 160 000,00 ₽"
    assert plain(page.inner_text("#statement-outstanding")) == "0,00 ₽"
    assert "Начислено к оплате участником" in body and "Оплачено участником" in body
    assert "изменение -3 000,00 ₽" in plain(page.inner_text("#statement-true-up")).replace("−", "-")
    csv_href = page.get_attribute("#statement-csv", "href")
    xlsx_href = page.get_attribute("#statement-xlsx", "href")
    assert csv_href and xlsx_href
    table = httpx.get(base_url + csv_href).content.decode("utf-8-sig")
    rows_csv = list(csv.reader(io.StringIO(table)))
    assert rows_csv[0][:2] == ["Начало (UTC+7)", "Конец (UTC+7)"]
    assert rows_csv[25][0] == "Итого за сутки" and rows_csv[25][-1] == "2160000.00"
    sheet = load_workbook(io.BytesIO(httpx.get(base_url + xlsx_href).content)).active
    assert sheet is not None and sheet["L26"].value == 2_160_000


def test_money_paid_out_to_a_seller_reads_as_credited(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    day = httpx.get(base_url + "/energy/krasnoyarsk-dam/2018-06-02.json").json()
    sellers = [s for s in day["statements"] if s["balance"]["paid_kopecks"] < 0]
    assert sellers, "the scenario pays a seller out of the settlement account"
    seller = sellers[0]
    page.goto(f"{base_url}/energy/krasnoyarsk-dam/2018-06-02/statement/{seller['participant']}")
    body = plain(page.inner_text("body"))
    assert "Зачислено участнику" in body and "Оплачено участником" not in body
    paid = plain(page.inner_text("#statement-paid"))
    assert not paid.startswith(("-", "−")), "the direction is in the words, not a minus"


def test_the_statement_fits_a_phone(base_url: str, browser: Browser) -> None:
    phone = browser.new_context(locale="ru-RU", viewport={"width": 375, "height": 800})
    try:
        page = phone.new_page()
        page.goto(base_url + STATEMENT)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        phone.close()


CYRILLIC = re.compile("[А-Яа-яЁё]")


def test_accounts_read_as_their_owners_and_markets_in_each_language(
    base_url: str, context: BrowserContext
) -> None:
    """The trader reads whose accounts they are (names linked to the organisation, the account
    id only after them) and, in English, a market title in English marked as such."""
    twin = httpx.get(base_url + "/energy.json").json()
    market = twin["markets"][0]
    page = context.new_page()
    page.goto(base_url + "/energy")
    line = page.locator(f"#settlement-account-{market['market_id']}")
    owner = line.locator("a.org")
    assert owner.get_attribute("href") == f"/organisations/{market['settlement_owner']}"
    assert plain(owner.inner_text()) == twin["names"][market["settlement_owner"]]
    said = plain(line.inner_text())
    assert said.index(plain(owner.inner_text())) < said.index(market["settlement_account"])
    title = page.locator("section.market h2").first
    assert title.get_attribute("lang") == "ru" and CYRILLIC.search(title.inner_text())
    page.goto(base_url + "/energy?lang=en")
    title = page.locator("section.market h2").first
    assert title.get_attribute("lang") == "en", title.inner_text()
    assert not CYRILLIC.search(title.inner_text()) and "energy exchange" in title.inner_text()
    page.goto(base_url + STATEMENT + "?lang=en")
    assert not CYRILLIC.search(page.locator("p span[lang=en]").first.inner_text())
    named = page.locator("h2 a.org")
    assert named.get_attribute("href") == f"/organisations/{ENTU}"
