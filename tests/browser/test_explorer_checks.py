"""The log engineer's explorer: search, a pinned log key, consistency between checkpoints
checked in the browser, and the receipt to take away."""

import hashlib
from itertools import count

import httpx
from playwright.sync_api import BrowserContext, Page, Route, expect

from krai.log.note import NoteSigner, format_vkey
from tests.browser.conftest import WAIT_MS
from tests.browser.test_dashboard import text_of


def expect_verdict(page: Page, box: str, state: str, *said: str) -> None:
    """Wait until the box holds ``state`` and says each of ``said``, retrying both up to
    ``WAIT_MS``: the check runs in the browser after the page loads (and a new check replaces
    the last one's verdict), so the first verdict that is not pending is not yet the answer —
    reading it once raced the check under load."""
    verdict = page.locator(f"#{box}")
    expect(verdict).to_have_attribute("data-state", state, timeout=WAIT_MS)
    for words in said:
        expect(verdict).to_contain_text(words, timeout=WAIT_MS, use_inner_text=True)


def served_vkey(base_url: str) -> str:
    return str(httpx.get(f"{base_url}/v1/checkpoint", timeout=WAIT_MS / 1000).json()["vkey"])


def foreign_vkey(origin: str, seed: str) -> str:
    """A verifier key for ``origin`` that is not the log's."""
    return format_vkey(NoteSigner(origin, hashlib.sha256(seed.encode()).digest()).verifier)


def test_a_transaction_id_or_leaf_hash_opens_its_entry(
    base_url: str, english: BrowserContext
) -> None:
    entry = httpx.get(f"{base_url}/v1/entries/42").json()
    page = english.new_page()
    for query in (entry["tx_id"], entry["leaf_hash"]):
        page.goto(f"{base_url}/explorer")
        page.fill("#explorer-q", query)
        page.click("form.explorer-search button")
        page.wait_for_url("**/explorer/entries/42*")
    page.goto(f"{base_url}/explorer/search?q={'0' * 64}")
    assert "Nothing found" in text_of(page)


def test_the_verdict_names_the_key_it_used_and_a_foreign_key_fails(
    base_url: str, english: BrowserContext
) -> None:
    page = english.new_page()
    page.goto(f"{base_url}/explorer/entries/150")
    expect_verdict(page, "verdict", "verified", "served by this same page, not pinned")
    page.goto(f"{base_url}/explorer/entries/150?key={served_vkey(base_url)}")
    expect_verdict(page, "verdict", "verified", "from the page address")
    origin = httpx.get(f"{base_url}/v1/checkpoint").json()["origin"]
    impostor = foreign_vkey(origin, "impostor")
    page.goto(f"{base_url}/explorer/entries/150?key={impostor}")
    expect_verdict(page, "verdict", "failed", "does not verify")


def test_a_key_ending_in_plus_is_read_whole_from_the_address(
    base_url: str, english: BrowserContext
) -> None:
    """In an address a «+» reads as a space; one at the end of the key's base64 was trimmed
    away, so the page refused a log key 1 time in 64 (the log's key is new in each test
    world): that was the flaky verdict. A foreign key ending in «+» is now read whole, and
    fails only its signature."""
    origin = httpx.get(f"{base_url}/v1/checkpoint", timeout=WAIT_MS / 1000).json()["origin"]
    ending_in_plus = next(
        vkey for seed in count() if (vkey := foreign_vkey(origin, f"impostor-{seed}")).endswith("+")
    )
    page = english.new_page()
    page.goto(f"{base_url}/explorer/entries/150?key={ending_in_plus}")
    expect_verdict(page, "verdict", "failed", "from the page address", "does not verify")


def test_a_pinned_key_is_used_until_forgotten(base_url: str, english: BrowserContext) -> None:
    page = english.new_page()
    page.goto(f"{base_url}/explorer/entries/150")
    page.click("#pin-key")
    assert served_vkey(base_url) in text_of(page, "#pin-state")
    page.reload()
    expect_verdict(page, "verdict", "verified", "pinned in this browser")
    page.click("#forget-key")
    page.reload()
    expect_verdict(page, "verdict", "verified", "served by this same page")


def test_the_browser_checks_consistency_and_catches_a_forged_proof(
    base_url: str, english: BrowserContext
) -> None:
    page = english.new_page()
    page.goto(f"{base_url}/explorer")
    sizes = page.eval_on_selector_all("select[name=first] option", "os => os.map(o => o.value)")
    assert len(sizes) >= 2
    page.select_option("select[name=first]", sizes[-1])
    page.select_option("select[name=second]", sizes[0])
    page.click("form.consistency button")
    expect_verdict(page, "consistency-verdict", "verified", f"{sizes[-1]} → {sizes[0]}")

    def forged(route: Route) -> None:
        proof = route.fetch().json()
        proof["proof"][0] = hashlib.sha256(b"another history").hexdigest()
        route.fulfill(json=proof)

    page.route("**/v1/proofs/consistency*", forged)
    page.click("form.consistency button")
    expect_verdict(page, "consistency-verdict", "failed")


def test_the_entry_page_offers_its_receipt(base_url: str, english: BrowserContext) -> None:
    page = english.new_page()
    page.goto(f"{base_url}/explorer/entries/150")
    with page.expect_download() as waiting:
        page.click("#receipt-link")
    receipt = waiting.value
    body = receipt.path().read_text(encoding="utf-8")
    tx_id = httpx.get(f"{base_url}/v1/entries/150").json()["tx_id"]
    assert receipt.suggested_filename == f"{tx_id}.tlog-proof"
    assert body == httpx.get(f"{base_url}/v1/receipts/{tx_id}").text
