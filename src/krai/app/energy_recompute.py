"""Anyone's check of an exchange day: every cleared period re-cleared from the ledger's own
book and its optimality certificate checked, against the result the ledger stored."""

from typing import Any

from krai.modules.energy import queries
from krai.modules.energy.book import decode_book
from krai.modules.energy.certificate import check_certificate
from krai.modules.energy.clearing import clear
from krai.modules.energy.records import Market
from krai.modules.energy.result import result_json
from krai.state.records import record_json
from krai.state.store import StateView

RESULT_FIELDS = (
    "price_kopecks_per_mwh",
    "accepted",
    "import_kwh",
    "export_kwh",
    "welfare_millikopecks",
    "certificate",
)


def recompute_day(view: StateView, market_id: str, day: str) -> list[dict[str, Any]] | None:
    """Each cleared period's verdict ``{period, sound, problems}``; None if no such market."""
    found = queries.market(view, market_id)
    if found is None:
        return None
    return [
        recompute_period(view, found, market_id, day, row["period"])
        for row in queries.day_prices(view, market_id, day)
    ]


def recompute_period(
    view: StateView, market: Market, market_id: str, day: str, period: int
) -> dict[str, Any]:
    """One period re-cleared: sound when the certificate holds and the stored result agrees."""
    book = decode_book(queries.period_document(view, market, market_id, day, period))
    stored = queries.clearing(view, market_id, day, period)
    recomputed = clear(book)
    problems = check_certificate(book, recomputed)
    stored_json = {} if stored is None else record_json(stored)
    stored_result = {k: v for k, v in stored_json.items() if k in RESULT_FIELDS}
    if stored_result != result_json(recomputed, certificate=True):
        problems.append("the stored result differs from the recomputation")
    return {"period": period, "sound": not problems, "problems": problems}
