"""The grid company's meter operator uploads a day's ATS 80020 file for the Krasnoyarsk
exchange on the dashboard, reads the preview (participants by name, hours on the market's
clock, kWh, the estimate), signs it in Chromium with its key file — read by the page's script,
never sent — and sees the day's readings on the market's page; a page whose bytes to sign say
another reading, or another file's hash, than it shows is refused before anything is signed."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page

from krai.entrypoints.words.i18n import Words
from tests.api.conftest import serving_home
from tests.api.test_readings_upload import METER_FILE
from tests.browser.test_dashboard import text_of
from tests.e2e.test_cli_ats_80020 import BITBAZA, GENERATOR, krasnoyarsk, points_json

MARKET = "krasnoyarsk-dam"
OPERATOR = "Сетевая компания (коммерческий учёт)"
ANOTHER_DAY = METER_FILE.replace(b"<day>20180603</day>", b"<day>20180605</day>")
"""A day nobody records here: its preview stays the same whatever the tests sign."""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A small home: the Krasnoyarsk exchange's day, with the meter operator's key file."""
    path = tmp_path_factory.mktemp("meter-signing") / "home"
    return path, krasnoyarsk(path)


@pytest.fixture(scope="module")
def base_url(home: tuple[Path, dict[str, str]]) -> Iterator[str]:
    """The home served with its sequencer, which records."""
    with serving_home(home[0]) as live:
        yield live.url


def plain(text: str) -> str:
    """``text`` with Babel's non-breaking spaces as plain ones, as ``text_of`` reads them."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def files(tmp_path: Path, inns: dict[str, str]) -> tuple[Path, Path]:
    """The day's 80020 file and its points file."""
    meter = tmp_path / "day.xml"
    meter.write_bytes(METER_FILE)
    points = tmp_path / "points.json"
    points.write_text(points_json(inns), encoding="utf-8")
    return meter, points


def preview(page: Page, base_url: str, meter: Path, points: Path) -> None:
    """Upload ``meter`` from the market's card on the energy page and wait for its preview."""
    page.goto(f"{base_url}/energy")
    page.click(f"#market-{MARKET} a.upload-meter")
    page.set_input_files("input[name=file]", str(meter))
    page.set_input_files("input[name=points]", str(points))
    operator = page.locator("select[name=signing_key] option", has_text=OPERATOR).first
    page.select_option("select[name=signing_key]", value=operator.get_attribute("value"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("table.upload-part")


def test_the_meter_operator_previews_signs_and_sees_the_readings_on_the_market(
    home: tuple[Path, dict[str, str]], base_url: str, context: BrowserContext, tmp_path: Path
) -> None:
    path, inns = home
    meter, points = files(tmp_path, inns)
    page = context.new_page()
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.post_data or ""))
    preview(page, base_url, meter, points)
    words = Words("ru")
    summary = text_of(page, "#upload-summary")
    assert plain(words.date("2018-06-03")) in summary and "UTC+7" in summary
    assert plain(words.kwh(2_400_000)) in summary and plain(words.kwh(720_000)) in summary
    shown = text_of(page, "table.upload-part")
    assert BITBAZA in shown and GENERATOR in shown and "Час (UTC+7)" in shown
    assert "00:00–01:00" in shown and "расчётное" in shown
    assert page.locator("table.upload-part tr[data-period]").count() == 48
    link = page.locator(f"table.upload-part a[href='/organisations/{inns[BITBAZA]}']")
    assert link.inner_text() == BITBAZA
    page.set_input_files("#key-file", str(path / "keys" / "grid.json"))
    page.wait_for_selector("#sign-button:enabled")
    assert "Байты для подписи проверены" in text_of(page, "#sign-status")
    page.click("#sign-button")
    page.wait_for_selector("#signed-readings")
    assert "показания записаны в журнал" in text_of(page, "#sign-status")
    receipts = page.locator("#receipts li a")
    assert receipts.count() == 2  # the anchor, then the readings
    seed_text = (path / "keys" / "grid.json").read_text()
    assert not [body for body in sent if '"seed"' in body or seed_text in body]
    last = int(str(receipts.nth(1).get_attribute("href")).rsplit("/", 1)[1])
    entry = httpx.get(f"{base_url}/explorer/entries/{last}.json", timeout=30).json()
    assert "energy.submit_readings" in str(entry)
    page.click("#signed-readings")
    metered = text_of(page, f"#metered-{MARKET}")
    assert plain(f"{words.date('2018-06-03')}: показаний 48") in metered


@pytest.mark.parametrize(
    ("shown", "tampered"),
    [
        (">100\u00a0000</td>", ">100\u00a0001</td>"),  # one hour's kWh
        ('data-period="5"', 'data-period="6"'),  # a row's hour
        ('<span class="flag warn" data-shows="estimated">', "<span>"),  # the estimate mark
        ('data-shows="sha256">', 'data-shows="sha256">0'),  # the hash shown
    ],
)
def test_bytes_that_differ_from_the_page_are_never_signed(
    home: tuple[Path, dict[str, str]],
    base_url: str,
    context: BrowserContext,
    shown: str,
    tampered: str,
) -> None:
    _, inns = home
    [key] = httpx.get(f"{base_url}/energy/{MARKET}/upload.json", timeout=30).json()["signing_keys"]
    form = {"signing_key": f"{key['key_id']} {key['signer']}"}
    sent = {
        "file": ("day.xml", ANOTHER_DAY, "application/xml"),
        "points": ("points.json", points_json(inns).encode(), "application/json"),
    }
    url = f"{base_url}/energy/{MARKET}/upload"
    html = httpx.post(url, data=form, files=sent, timeout=30).text
    changed = html.replace(shown, tampered, 1)
    assert changed != html
    page = context.new_page()
    page.route(
        url, lambda route: route.fulfill(body=changed, content_type="text/html; charset=utf-8")
    )
    page.goto(url)
    page.wait_for_selector("#sign-status.bad")
    assert "не совпадают с показанным" in text_of(page, "#sign-status")
    assert page.locator("#key-file").is_disabled()
