"""Each reader's pages in Russian at 1280 and 375 px, as a person would look at them: saved
under ``var/screenshots/`` on every run, never wider than a phone, and never printing an amount
of the page's own document in kopecks as a bare number (money reads in roubles)."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from tests.api.test_readings_upload import METER_FILE
from tests.api.test_statement_upload import STATEMENT
from tests.browser.test_dashboard import PAGES, text_of
from tests.e2e.test_cli_ats_80020 import BITBAZA, GENERATOR, points_json

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (1280, 375)
SHOWN = [*PAGES, "/parks/sites", "/explorer/entries/150"]
LARGE_KOPECKS = 10_000_000
"""Amounts from 100 000 ₽ up: a bare number this long on a page is a kopeck amount misread."""


def kopeck_amounts(document: Any) -> set[int]:
    """Every ``…_kopecks`` integer in a JSON document."""
    found: set[int] = set()
    if isinstance(document, dict):
        for key, value in document.items():
            if key.endswith("_kopecks") and isinstance(value, int) and not isinstance(value, bool):
                found.add(abs(value))
            else:
                found |= kopeck_amounts(value)
    elif isinstance(document, list):
        for item in document:
            found |= kopeck_amounts(item)
    return found


def bare(number: int) -> re.Pattern[str]:
    """``number`` as a whole number on its own, grouped or not — not the start of a larger
    figure nor an amount with decimals («10 000 000,00 ₽» is roubles)."""
    forms = "|".join(re.escape(f) for f in (f"{number:,}".replace(",", " "), str(number)))
    return re.compile(rf"(?<![\d,.])(?<!\d )(?:{forms})(?![\d,.]| \d)")


def file_name(path: str, width: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "overview"
    return f"{slug[:80]}-{width}.png"


@contextmanager
def russian_page(browser: Browser, width: int) -> Iterator[Page]:
    """A page in a Russian browser ``width`` px wide, its context closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_readers_page_is_saved_fits_and_shows_money_in_roubles(
    base_url: str, browser: Browser, width: int
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with russian_page(browser, width) as page:
        for path in SHOWN:
            assert page.goto(base_url + path).status == 200, path
            page.screenshot(path=str(SCREENSHOTS / file_name(path, width)), full_page=True)
            scrolled = page.evaluate("document.documentElement.scrollWidth")
            assert scrolled <= width, f"{path} is {scrolled} px wide at {width} px"
            text = text_of(page)
            twin = httpx.get(base_url + path, params={"format": "json"}, timeout=30).json()
            for amount in kopeck_amounts(twin):
                if amount >= LARGE_KOPECKS:
                    assert not bare(amount).search(text), f"{path} prints {amount} kopecks bare"
        assert len(list(SCREENSHOTS.glob(f"*-{width}.png"))) >= len(SHOWN)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_statement_preview_is_saved_and_fits(
    base_url: str, browser: Browser, width: int, tmp_path: Path
) -> None:
    statement = tmp_path / "statement.txt"
    statement.write_bytes(STATEMENT)
    with russian_page(browser, width) as page:
        page.goto(f"{base_url}/payments/upload")
        page.fill("input[name=statement_id]", "veb-2026-03-22")
        page.set_input_files("input[name=file]", str(statement))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("table.upload-part")
        page.click("#upload-transactions summary")
        page.screenshot(
            path=str(SCREENSHOTS / f"payments-upload-preview-{width}.png"), full_page=True
        )
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"the preview is {scrolled} px wide at {width} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_meter_file_form_preview_and_refusal_are_saved_and_fit(
    base_url: str, browser: Browser, width: int, tmp_path: Path
) -> None:
    organisations = httpx.get(f"{base_url}/v1/organisations", timeout=30).json()
    inns = {org["name"]: org["inn"] for org in organisations}
    meter, points = tmp_path / "day.xml", tmp_path / "points.json"
    meter.write_bytes(METER_FILE)
    points.write_text(points_json({name: inns[name] for name in (BITBAZA, GENERATOR)}))
    with russian_page(browser, width) as page:
        page.goto(f"{base_url}/energy/krasnoyarsk-dam/upload")
        page.screenshot(path=str(SCREENSHOTS / f"meter-upload-form-{width}.png"), full_page=True)
        page.set_input_files("input[name=file]", str(meter))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#upload-errors")
        page.screenshot(path=str(SCREENSHOTS / f"meter-upload-refused-{width}.png"), full_page=True)
        page.set_input_files("input[name=file]", str(meter))
        page.set_input_files("input[name=points]", str(points))
        page.select_option("select[name=signing_key]", index=0)
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("table.upload-part")
        page.click("#upload-transactions summary")
        page.screenshot(path=str(SCREENSHOTS / f"meter-upload-preview-{width}.png"), full_page=True)
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"the meter preview is {scrolled} px wide at {width} px"


def park_report(base_url: str, tmp_path: Path) -> Path:
    """The Krasnoyarsk park's 2018-Q4 template with every resident's sheet filled."""
    template = httpx.get(
        f"{base_url}/parks/krasnoyarsk-digital/template", params={"quarter": "2018-Q4"}, timeout=30
    )
    book = load_workbook(io.BytesIO(template.content))
    for number, title in enumerate(t for t in book.sheetnames if t != "krai"):
        cells = {"B9": f"{number + 1}25000000,55", "B10": 80 + number, "B11": "Отчёт за IV кв."}
        for where, value in cells.items():
            book[title][where] = value
    out = tmp_path / "report.xlsx"
    book.save(out)
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_a_park_report_form_preview_and_refusal_are_saved_and_fit(
    base_url: str, browser: Browser, width: int, tmp_path: Path
) -> None:
    report = park_report(base_url, tmp_path)
    wrong = tmp_path / "wrong.xlsx"
    book = load_workbook(report)
    book[book.sheetnames[0]]["B9"], book[book.sheetnames[0]]["B10"] = "1.234", "=1"
    book.save(wrong)
    with russian_page(browser, width) as page:
        page.goto(f"{base_url}/parks/krasnoyarsk-digital")
        page.locator("#park-reports").screenshot(
            path=str(SCREENSHOTS / f"park-reports-links-{width}.png")
        )
        page.click("#upload-link")
        page.screenshot(path=str(SCREENSHOTS / f"park-upload-form-{width}.png"), full_page=True)
        page.set_input_files("input[name=file]", str(wrong))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#upload-errors")
        page.screenshot(path=str(SCREENSHOTS / f"park-upload-refused-{width}.png"), full_page=True)
        page.set_input_files("input[name=file]", str(report))
        key = page.locator("select[name=signing_key] option", has_text="BitBaza").first
        page.select_option("select[name=signing_key]", value=key.get_attribute("value"))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("table.upload-part")
        page.click("#upload-transactions summary")
        page.screenshot(path=str(SCREENSHOTS / f"park-upload-preview-{width}.png"), full_page=True)
        assert "Эти листы подписывают сами резиденты" in text_of(page, "#left-for-others")
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"the park report preview is {scrolled} px wide at {width} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_park_facts_preview_is_saved_and_fits(
    base_url: str, browser: Browser, width: int, tmp_path: Path
) -> None:
    template = httpx.get(f"{base_url}/parks/krasnoyarsk-digital/template", timeout=30)
    book = load_workbook(io.BytesIO(template.content))
    facts = book["Факты"]
    facts["B4"], facts["B5"] = "15.03.2018", "Пресс-релиз"
    facts["E9"], facts["E14"], facts["E19"], facts["F19"] = 35000, "13,5", "3500000000", "более"
    facts["E26"] = "Центры обработки данных"
    out = tmp_path / "facts.xlsx"
    book.save(out)
    with russian_page(browser, width) as page:
        page.goto(f"{base_url}/parks/krasnoyarsk-digital/upload")
        page.set_input_files("input[name=file]", str(out))
        key = page.locator("select[name=signing_key] option", has_text="Гигабайт").first
        page.select_option("select[name=signing_key]", value=key.get_attribute("value"))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("table.upload-part")
        page.screenshot(path=str(SCREENSHOTS / f"park-facts-preview-{width}.png"), full_page=True)
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"the facts preview is {scrolled} px wide at {width} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_money_flow_figures_fit_their_boxes_at_the_pages_type_size(
    base_url: str, browser: Browser, width: int
) -> None:
    with russian_page(browser, width) as page:
        assert page.goto(base_url + "/payments").status == 200
        boxes = page.eval_on_selector_all(
            ".flow-box",
            """boxes => boxes.map(box => {
                const value = box.querySelector('.flow-value');
                const inner = box.getBoundingClientRect(), text = value.getBoundingClientRect();
                return {text: value.textContent, size: parseFloat(getComputedStyle(value).fontSize),
                        inside: text.left >= inner.left && text.right <= inner.right,
                        clipped: value.scrollWidth > value.clientWidth};
            })""",
        )
        assert boxes, "the payments page draws no money flow"
        for box in boxes:
            assert box["text"].endswith("₽"), box
            assert box["size"] >= 16, f"{box['text']} is set at {box['size']} px at {width} px"
            assert box["inside"] and not box["clipped"], f"{box['text']} overflows at {width} px"


@pytest.mark.parametrize("width", [*WIDTHS, 320])
def test_a_sum_keeps_its_unit_on_its_line_in_the_facts(
    base_url: str, browser: Browser, width: int
) -> None:
    with russian_page(browser, width) as page:
        assert page.goto(base_url + "/payments").status == 200
        sums = page.eval_on_selector_all(
            "dl.facts dd",
            r"""cells => cells.flatMap(cell => {
                const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), found = [];
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    for (const match of node.data.matchAll(/\d[\d\s]*,\d\d\s₽/g)) {
                        const range = document.createRange();
                        range.setStart(node, match.index);
                        range.setEnd(node, match.index + match[0].length);
                        const tops = [...range.getClientRects()].map(r => Math.round(r.top));
                        const lines = new Set(tops);
                        found.push({text: match[0], lines: lines.size});
                    }
                }
                return found;
            })""",
        )
        assert any(len(s["text"]) >= len("1 000 000,00 ₽") for s in sums), sums
        broken = [s["text"] for s in sums if s["lines"] != 1]
        assert not broken, f"at {width} px these sums break across lines: {broken}"
