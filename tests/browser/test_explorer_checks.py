"""The log engineer's explorer: search, a pinned log key, consistency between checkpoints
checked in the browser, and the receipt to take away."""

import hashlib

import httpx
from playwright.sync_api import BrowserContext, Page, Route

from krai.log.note import NoteSigner, format_vkey
from tests.browser.test_dashboard import WAIT_MS, text_of


def settled(page: Page, box: str) -> tuple[str, str]:
    page.wait_for_function(
        f"!['pending', 'idle'].includes(document.getElementById('{box}').dataset.state)",
        timeout=WAIT_MS,
    )
    return page.get_attribute(f"#{box}", "data-state") or "", text_of(page, f"#{box}")


def served_vkey(base_url: str) -> str:
    return str(httpx.get(f"{base_url}/v1/checkpoint").json()["vkey"])


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
    state, text = settled(page, "verdict")
    assert state == "verified" and "served by this same page, not pinned" in text, text
    page.goto(f"{base_url}/explorer/entries/150?key={served_vkey(base_url)}")
    state, text = settled(page, "verdict")
    assert state == "verified" and "from the page address" in text, text
    origin = httpx.get(f"{base_url}/v1/checkpoint").json()["origin"]
    impostor = format_vkey(NoteSigner(origin, hashlib.sha256(b"impostor").digest()).verifier)
    page.goto(f"{base_url}/explorer/entries/150?key={impostor}")
    state, text = settled(page, "verdict")
    assert state == "failed" and "does not verify" in text, text


def test_a_pinned_key_is_used_until_forgotten(base_url: str, english: BrowserContext) -> None:
    page = english.new_page()
    page.goto(f"{base_url}/explorer/entries/150")
    page.click("#pin-key")
    assert served_vkey(base_url) in text_of(page, "#pin-state")
    page.reload()
    state, text = settled(page, "verdict")
    assert state == "verified" and "pinned in this browser" in text, text
    page.click("#forget-key")
    page.reload()
    assert "served by this same page" in settled(page, "verdict")[1]


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
    state, text = settled(page, "consistency-verdict")
    assert state == "verified", text
    assert f"{sizes[-1]} → {sizes[0]}" in text

    def forged(route: Route) -> None:
        proof = route.fetch().json()
        proof["proof"][0] = hashlib.sha256(b"another history").hexdigest()
        route.fulfill(json=proof)

    page.route("**/v1/proofs/consistency*", forged)
    page.click("form.consistency button")
    state, _ = settled(page, "consistency-verdict")
    assert state == "failed"


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
