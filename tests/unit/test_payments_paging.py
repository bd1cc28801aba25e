"""The dashboard's payments list: 50 to a page, the last page holding the rest."""

from krai.entrypoints.web.payments import PAGE_SIZE, page_of
from krai.modules.payments.records import PaymentView


def payment(number: int) -> PaymentView:
    return PaymentView(
        by="veb",
        index=number,
        time_ms=number,
        tx_id=f"{number:064x}",
        accrual_id=f"acc-{number}",
        programme_id="child-benefit",
        pseudonym="ps:x",
        amount_kopecks=100,
        paid_on="2026-03-05",
        payout_account="veb:payouts",
        bank="matched",
        payment_id=f"pay-{number:03d}",
    )


def test_payments_are_listed_fifty_to_a_page() -> None:
    found = [payment(n) for n in range(120)]
    query = {"programme": "", "payment": "", "paid_from": "", "paid_to": ""}
    first, last = page_of(found, 1, query), page_of(found, 3, query)
    assert (first["total"], first["pages"], first["page_size"]) == (120, 3, PAGE_SIZE)
    assert [p["payment_id"] for p in first["items"]] == [f"pay-{n:03d}" for n in range(50)]
    assert [p["payment_id"] for p in last["items"]] == [f"pay-{n:03d}" for n in range(100, 120)]
    assert page_of(found, 9, query)["page"] == 3
    assert page_of([], 1, query) == {**page_of([], 0, query), "pages": 1, "items": []}
