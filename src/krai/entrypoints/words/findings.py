"""The audit's findings in words: each kind a sentence a person reads (``finding_says.<kind>``
in the catalogue), its evidence in units — roubles, dates, months, programme titles — and
the links to what it is about. The dashboard and the HTML and XLSX reports say the same."""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from krai.entrypoints.words.formats import date_text
from krai.entrypoints.words.i18n import Words

MONEY = frozenset({"accrued", "due", "amount_kopecks", "rule_amount_kopecks"})
"""Evidence in kopecks, shown in roubles."""
DAYS = frozenset(
    {"died", "paid_on", "dispensed_on", "due_by", "recorded_on", "decision_date", "serve_by"}
    | {"booked_on"}
)
"""Evidence that is a calendar day."""
TRACED = {
    "paid_after_death": "payment",
    "unreconciled_payment": "payment",
    "dispensed_after_death": "dispensing",
    "invalid_dispensing": "dispensing",
    "wrong_funding_source": "dispensing",
}
"""The kinds whose subject is a payment or dispensing with a trace page."""


def describe(finding: Mapping[str, Any], words: Words, titles: Mapping[str, str]) -> str:
    """The finding as one sentence in ``words``' language, naming programmes by ``titles``."""
    values = {
        name: _value(name, value, words, titles) for name, value in finding["evidence"].items()
    }
    return words(f"finding_says.{finding['kind']}", subject=finding["subject"], **values)


def trace_link(finding: Mapping[str, Any], paid: Mapping[str, str]) -> str | None:
    """The trace page of the payment or dispensing a finding is about: its subject, the
    payment of an accrual (``paid``: accrual id → payment id), or the payment a bank line
    names; None when there is none."""
    kind, subject = TRACED.get(finding["kind"]), finding["subject"]
    if kind is not None:
        return f"/payments/trace/{kind}/{subject}"
    reference = finding["evidence"].get("reference")
    payment = paid.get(subject) or (reference if reference in paid.values() else None)
    return None if payment is None else f"/payments/trace/payment/{payment}"


def month(period: str, language: str) -> str:
    """A period ``2026-03`` as «март 2026 г.» / «March 2026»."""
    try:
        first = dt.date.fromisoformat(f"{period}-01")
    except ValueError:
        return period
    return date_text(first, "month", language)


def _value(name: str, value: Any, words: Words, titles: Mapping[str, str]) -> str:
    shown = _SHOWN.get(name)
    if shown is not None:
        return shown(value, words, titles)
    if name in MONEY:
        return words.roubles(int(value))
    if name in DAYS:
        return words.date(str(value))
    return str(value)


def _labels(prefix: str) -> Callable[[Any, Words, Mapping[str, str]], str]:
    return lambda codes, words, _: ", ".join(words.label(prefix, code) for code in codes)


_SHOWN: dict[str, Callable[[Any, Words, Mapping[str, str]], str]] = {
    "period": lambda period, words, _: month(period, words.language),
    "problems": _labels("problem"),
    "reason": lambda reason, words, _: words.label("mismatch", reason),
    "direction": lambda direction, words, _: words.label("direction", direction),
    "programmes": lambda ids, words, titles: words("finding_says.and").join(
        f"«{titles.get(i, i)}»" for i in ids
    ),
    "programme_id": lambda i, _, titles: f"«{titles.get(i, i)}»",
    "legal_basis": lambda basis, _w, _t: f"{basis['act']}, {basis['article']}",
    "units": lambda units, words, _: words.number(int(units)),
    "parts": lambda parts, words, _: words.number(int(parts)),
    "parts_received": lambda parts, words, _: words.number(int(parts)),
}
"""How evidence that is neither money nor a day is shown."""
