"""Social payments: each programme's budget and where its money went (a flow diagram), the
audit's findings, and the trace of any payment or dispensing with every link's inclusion
proof against the latest signed checkpoint."""

from functools import partial
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from krai.app.payments_audit import audit_report, findings_by_kind
from krai.app.ports import Storage
from krai.app.statement_preview import STATEMENT
from krai.app.trace import flagged_trace
from krai.bootstrap import new_engine
from krai.entrypoints.web import charts
from krai.entrypoints.web.language import language_of
from krai.entrypoints.web.render import bad_day, not_found, page, respond, services_of
from krai.entrypoints.web.uploads import upload_pages
from krai.entrypoints.words.findings import describe, month, trace_link
from krai.entrypoints.words.i18n import Words
from krai.modules.payments import queries as payments
from krai.modules.payments import trace
from krai.modules.payments.records import DispensingView, PaymentView, ProgrammeView
from krai.state.calendar import CalendarDayError, calendar_day
from krai.state.records import record_json, records_json

R = TypeVar("R", PaymentView, DispensingView)

router = APIRouter()
upload_pages(router, "/payments/upload", STATEMENT, "payments_upload.j2", "upload.title")
TRACES = {"payment": trace.backwards_from_payment, "dispensing": trace.backwards_from_dispensing}


LATEST = 100
PAGE_SIZE = 50
"""Payments listed to a page."""


@page(router, "/payments")
def index(
    request: Request,
    *,
    programme: str = "",
    payment: str = "",
    paid_from: str = "",
    paid_to: str = "",
    page_number: Annotated[int, Query(alias="page")] = 1,
) -> Response:
    """Programmes with their budgets and flows, payments found by programme, id and dates
    (``PAGE_SIZE`` to a page), dispensings to trace, bank statements (one per id, however
    many parts), and the audit's count of findings by kind."""
    storage = services_of(request).storage
    for day, name in ((paid_from, "paid_from"), (paid_to, "paid_to")):
        try:
            calendar_day(day, name) if day else None
        except CalendarDayError as error:
            return bad_day(request, day, str(error))
    found = payments.search_payments(
        storage, programme_id=programme, payment_id=payment, paid_from=paid_from, paid_to=paid_to
    )
    listed = payments.programmes(storage)
    programmes = [{**_programme_card(p), "flows": _flows(storage, p.programme_id)} for p in listed]
    query = {"programme": programme, "payment": payment, "paid_from": paid_from, "paid_to": paid_to}
    data: dict[str, Any] = {
        "programmes": programmes,
        "payments": page_of(found, page_number, query),
        "dispensings": [_dispensing_row(d) for d in _latest(payments.dispensings(storage))],
        "statements": records_json(payments.statements(storage)),
        "audit_summary": findings_by_kind(storage),
    }
    words = Words(language_of(request))
    diagrams = {p["programme_id"]: _flow_diagram(p, words) for p in programmes}
    titles = {p.programme_id: p.title for p in listed}
    return respond(
        request,
        "payments.j2",
        data,
        "payments.title",
        diagrams=diagrams,
        titles=titles,
        page_query=lambda number: urlencode({**query, "page": number}),
    )


@page(router, "/payments/audit")
def audit(request: Request, as_of: str | None = None) -> Response:
    """Every finding of the audit as of the end of a day (default: the newest payments
    entry's), each as a sentence with its sum at stake and links, and the sums by kind."""
    services = services_of(request)
    try:
        report = audit_report(
            services.storage, services.origin, as_of or None, new_engine=new_engine, parts=1
        )
    except CalendarDayError as error:
        return bad_day(request, str(as_of), str(error))
    words, titles = Words(language_of(request)), _titles(services.storage)
    paid = {p.accrual_id: p.payment_id for p in payments.payments(services.storage)}
    said = [
        {"sentence": describe(f, words, titles), "trace": trace_link(f, paid)}
        for f in report["findings"]
    ]
    return respond(request, "audit.j2", report, "audit.title", said=said)


@page(router, "/payments/trace/{kind}/{identifier}")
def trace_page(request: Request, kind: str, identifier: str) -> Response:
    """A payment or dispensing traced back to its budget, each step with its proof, the
    bank-statement line that matched it, and what the audit found about each step."""
    storage = services_of(request).storage
    follow = TRACES.get(kind)
    steps = follow(storage, identifier) if follow else []
    if not steps:
        return not_found(request, f"{kind} {identifier}")
    data = {"kind": kind, "id": identifier, **flagged_trace(storage, steps)}
    words, titles = Words(language_of(request)), _titles(storage)
    said = {
        step["id"]: [describe(f, words, titles) for f in step["findings"]] for step in data["steps"]
    }
    return respond(
        request,
        "trace.j2",
        data,
        "trace.title",
        said=said,
        month=lambda period: month(period, words.language),
    )


def _titles(storage: Storage) -> dict[str, str]:
    return {p.programme_id: p.title for p in payments.programmes(storage)}


def page_of(found: list[PaymentView], wanted: int, query: dict[str, str]) -> dict[str, Any]:
    """One page of the payments found, with the query that found them."""
    pages = max((len(found) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    chosen = min(max(wanted, 1), pages)
    rows = found[(chosen - 1) * PAGE_SIZE : chosen * PAGE_SIZE]
    return {
        "query": query,
        "total": len(found),
        "page": chosen,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "items": [_payment_row(p) for p in rows],
    }


def _flows(storage: Storage, programme_id: str) -> dict[str, Any]:
    flows = trace.forwards_from_programme(storage, programme_id)
    return {k: v for k, v in flows.items() if k != "programme_id"}


def _flow_diagram(programme: dict[str, Any], words: Words) -> Any:
    flows = programme["flows"]
    stages = [("budget", flows["funded_kopecks"])]
    if programme["kind"] == "drugs":
        stages.append(("reimbursed", flows["reimbursed_kopecks"]))
    else:
        stages += [("accrued", flows["accrued_kopecks"]), ("paid", flows["paid_kopecks"])]
    stages.append(("services", flows["reimbursed_kopecks"] or flows["paid_kopecks"]))
    labelled = [(words(f"flow.{name}"), amount) for name, amount in stages]
    return charts.flow_diagram(
        labelled, words("flow.title"), words.roubles_short, partial(_share, words)
    )


def _share(words: Words, amount: int, budget: int) -> str:
    """«23,7 % бюджета», rounded down to a tenth of a percent."""
    return words("flow.share", percent=words.percent(amount * 10_000 // budget if budget else 0))


def _programme_card(programme: ProgrammeView) -> dict[str, Any]:
    return {
        "programme_id": programme.programme_id,
        "title": programme.title,
        "kind": programme.kind,
        "legal_basis": record_json(programme.legal_basis),
        "budget_account": programme.budget_account,
        "payment_agent": programme.payment_agent,
        "index": programme.index,
    }


def _payment_row(found: PaymentView) -> dict[str, Any]:
    return {
        "payment_id": found.payment_id,
        "programme_id": found.programme_id,
        "amount_kopecks": found.amount_kopecks,
        "paid_on": found.paid_on,
        "bank": found.bank,
        "index": found.index,
    }


def _dispensing_row(found: DispensingView) -> dict[str, Any]:
    return {
        "dispense_id": found.dispense_id,
        "programme_id": found.programme_id,
        "dispensed_on": found.dispensed_on,
        "units": found.units,
        "problems": list(found.problems),
        "index": found.index,
    }


def _latest(records: list[R]) -> list[R]:
    """The most recent ``LATEST`` records: a page a phone can load (the API lists them all)."""
    return sorted(records, key=lambda record: -record.index)[:LATEST]
