"""The payments pages as a VEB.RF auditor reads them: each finding a sentence with its sum at
stake in roubles and links to its trace and entries; a past day's audit reads only what was
recorded by then and says where it cut the log; a flagged trace says what was found and
shows the bank line; payments found by programme and id."""

import re

import httpx
from playwright.sync_api import BrowserContext

from krai.entrypoints.words.i18n import catalogue
from tests.browser.test_dashboard import text_of

CODES = re.compile(r"[a-z]+_[a-z_]+|\{|_kopecks")
"""What a code, a dict dump or a raw field name looks like."""


def test_findings_read_as_sentences_with_sums_and_links(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/payments/audit")
    findings = text_of(page, "#findings")
    assert "За март 2026 вручную начислено 11 000,00 ₽ вместо 10 500,00 ₽ по правилу" in findings
    assert "Строка выписки от 20 марта 2026 г. на 5 000,00 ₽ (списание" in findings
    assert "получатель не тот, кому выписан рецепт" in findings
    assert not CODES.search(findings), CODES.search(findings)
    document = httpx.get(f"{base_url}/payments/audit.json").json()
    total = document["at_stake"]["total_kopecks"]
    assert f"Всего под риском: {total // 100:,}".replace(",", " ") in text_of(page, "#audit-total")
    assert "Прочитаны все" in text_of(page, "#audit-cut")
    traces = page.locator("#findings a.trace-link")
    hrefs = [traces.nth(n).get_attribute("href") for n in range(traces.count())]
    assert "/payments/trace/payment/pay-boris-2026-03" in hrefs  # the overridden accrual's
    assert "/payments/trace/dispensing/d-3" in hrefs
    entries = page.locator("#findings a.entry-link")
    indexes = {tx["index"] for f in document["findings"] for tx in f["transactions"]}
    linked = {entries.nth(n).get_attribute("href") for n in range(entries.count())}
    assert linked == {f"/explorer/entries/{index}" for index in indexes}
    page.goto(f"{base_url}/payments/audit?lang=en")
    english = text_of(page, "#findings")
    assert "11,000.00 ₽ accrued by hand for March 2026 instead of the rule's 10,500.00 ₽" in english


def test_a_past_days_audit_reads_the_log_only_up_to_that_day(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/payments/audit")
    page.fill("input[name=as_of]", "2026-03-15")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**as_of=2026-03-15*")
    document = httpx.get(f"{base_url}/payments/audit.json", params={"as_of": "2026-03-15"}).json()
    cut = document["ledger"]["cut_index"]
    assert cut < document["ledger"]["size"] - 1
    said = text_of(page, "#audit-cut")
    assert f"Прочитаны записи журнала № 0–{cut}" in said
    assert "более поздние записи не использованы" in said
    findings = text_of(page, "#findings")
    assert "Строка выписки" not in findings  # the statement came on 21 March
    assert "марта 2026 г." not in findings.replace("5 марта", "")  # nothing after the day
    assert "Выплата 11 000,00 ₽ от 5 марта 2026 г. не найдена ни в одной банковской" in findings
    for tx in document["findings"]:
        assert all(t["index"] <= cut for t in tx["transactions"])


def test_a_flagged_trace_says_what_was_found_and_shows_the_bank_line(
    base_url: str, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/payments/trace/payment/pay-boris-2026-03")
    flagged = page.locator("#trace-steps li.flagged")
    assert flagged.count() == 1
    assert "Начисление" in text_of(page, "#trace-steps li.flagged")
    assert "вручную начислено 11 000,00 ₽" in text_of(page, "#trace-steps li.flagged")
    line = text_of(page, ".bank-line")
    assert line == (
        "Выписка veb-2026-03-21, строка 3: списание 11 000,00 ₽, проведено 20 марта 2026 г."
    )


def test_payments_are_found_by_programme_and_id(base_url: str, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/payments")
    page.select_option("select[name=programme]", "child-benefit")
    page.fill("input[name=payment]", "boris")
    page.click("#payment-search button[type=submit]")
    page.wait_for_url("**payment=boris*")
    shown = page.locator("#payment-list tbody a").all_inner_texts()
    twin = httpx.get(
        f"{base_url}/payments.json", params={"programme": "child-benefit", "payment": "boris"}
    ).json()["payments"]
    assert (
        shown
        == [p["payment_id"] for p in twin["items"]]
        == [
            "pay-boris-2026-03",
            "pay-boris-2026-02",
        ]
    )
    assert "Ежемесячная выплата на ребёнка" in text_of(page, "#payment-list")
    assert "Найдено выплат: 2; страница 1 из 1" in text_of(page, "#payment-count")
    page.goto(f"{base_url}/payments?paid_from=2026-03-01")
    assert page.locator("#payment-list tbody a").all_inner_texts() == ["pay-boris-2026-03"]
    bad = page.goto(f"{base_url}/payments?paid_to=2026-02-30")
    assert bad is not None and bad.status == 400


def test_every_finding_kind_has_its_sentence_in_both_languages() -> None:
    kinds = {key.split(".", 1)[1] for key in catalogue() if key.startswith("finding.")}
    assert len(kinds) == 16
    for kind in kinds:
        texts = catalogue()[f"finding_says.{kind}"]
        assert set(texts) == {"ru", "en"}
        assert texts["ru"] != texts["en"]
