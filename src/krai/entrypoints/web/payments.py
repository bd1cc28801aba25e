"""Social payments: each programme's budget and where its money went (a flow diagram), the
audit's findings, and the trace of any payment or dispensing with every link's inclusion
proof against the latest signed checkpoint."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from krai.app.payments_audit import AuditDayError, audit_report
from krai.app.ports import Storage
from krai.app.trace import with_proofs
from krai.entrypoints.web import charts
from krai.entrypoints.web.i18n import Words, language_of
from krai.entrypoints.web.render import not_found, page, respond, services_of
from krai.modules.payments import queries as payments
from krai.modules.payments import trace
from krai.state.store import scan

router = APIRouter()
TRACES = {"payment": trace.backwards_from_payment, "dispensing": trace.backwards_from_dispensing}


LATEST = 100


@page(router, "/payments")
def index(request: Request) -> Response:
    """Programmes with their budgets and flows, payments and dispensings to trace, bank
    statements (one per id, however many parts), and the audit's count of findings by kind."""
    storage = services_of(request).storage
    programmes = [
        {**_programme_card(p), "flows": _flows(storage, p["programme_id"])}
        for p in payments.programmes(storage)
    ]
    data: dict[str, Any] = {
        "programmes": programmes,
        "payments": [_payment_row(k, v) for k, v in _latest(storage, "payments/payment/")],
        "dispensings": [_dispensing_row(k, v) for k, v in _latest(storage, "payments/dispense/")],
        "statements": payments.statements(storage),
        "audit_summary": payments.audit_summary(storage),
    }
    words = Words(language_of(request))
    diagrams = {p["programme_id"]: _flow_diagram(p, words) for p in programmes}
    return respond(request, "payments.j2", data, "payments.title", diagrams=diagrams)


@page(router, "/payments/audit")
def audit(request: Request, as_of: str | None = None) -> Response:
    """Every finding of the audit as of a day (default: the newest entry's), by kind."""
    services = services_of(request)
    try:
        report = audit_report(services.storage, services.origin, as_of or None, parts=1)
    except AuditDayError as error:
        refusal = {"error": "malformed", "message": str(error), "as_of": as_of}
        return respond(request, "audit_day.j2", refusal, "audit.title", 400)
    counts: dict[str, int] = {}
    for finding in report["findings"]:
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
    data = {**report, "counts": counts}
    words = Words(language_of(request))
    chart = charts.horizontal_bars(
        [(words.label("finding", kind), count) for kind, count in counts.items()],
        words("audit.chart"),
        words.number,
    )
    return respond(request, "audit.j2", data, "audit.title", counts_chart=chart)


@page(router, "/payments/trace/{kind}/{identifier}")
def trace_page(request: Request, kind: str, identifier: str) -> Response:
    """A payment or dispensing traced back to its budget, each step with its proof."""
    storage = services_of(request).storage
    follow = TRACES.get(kind)
    steps = follow(storage, identifier) if follow else []
    if not steps:
        return not_found(request, f"{kind} {identifier}")
    data = {"kind": kind, "id": identifier, **with_proofs(storage, steps)}
    return respond(request, "trace.j2", data, "trace.title")


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
    return charts.flow_diagram(labelled, words("flow.title"), words.roubles)


def _programme_card(programme: dict[str, Any]) -> dict[str, Any]:
    keep = ("programme_id", "title", "kind", "legal_basis", "budget_account", "payment_agent")
    return {k: programme[k] for k in keep if k in programme} | {"index": programme["index"]}


def _payment_row(payment_id: str, found: dict[str, Any]) -> dict[str, Any]:
    keep = ("programme_id", "amount_kopecks", "paid_on", "bank", "index")
    return {"payment_id": payment_id, **{k: found.get(k) for k in keep}}


def _dispensing_row(dispense_id: str, found: dict[str, Any]) -> dict[str, Any]:
    keep = ("programme_id", "dispensed_on", "units", "problems", "index")
    return {"dispense_id": dispense_id, **{k: found.get(k) for k in keep}}


def _latest(storage: Storage, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """The most recent ``LATEST`` records: a page a phone can load (the API lists them all)."""
    found = sorted(_scan(storage, prefix), key=lambda item: -int(item[1]["index"]))
    return found[:LATEST]


def _scan(storage: Storage, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    return [(key[len(prefix) :], value) for key, value in scan(storage, prefix)]
