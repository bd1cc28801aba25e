"""What each ledger entry about a person records, for the access report (152-FZ art. 14).

The payments rules index every entry that concerns a person under their pseudonym or dedup
key (``payments/subject/…``, docs/modules/payments.md "The subject index"); this module reads
that index and says, for one entry, what it is ("accrual acc-1 for 2026-03"), the amount in
kopecks (the edges show it in roubles through ``Words``), and the body cut down to the person's
own statement lines and dispensings.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from krai.modules.payments.queries import subject_entries
from krai.modules.payments.records import SubjectEntry
from krai.state.records import records_json
from krai.state.store import StateView

Body = Mapping[str, Any]


def indexed_entries(view: StateView, identifiers: Iterable[str]) -> dict[int, list[SubjectEntry]]:
    """Log index → what the entry records about any of the identifiers."""
    found: dict[int, list[SubjectEntry]] = {}
    for identifier in sorted(identifiers):
        for index, record in subject_entries(view, identifier):
            if record not in found.setdefault(index, []):
                found[index].append(record)
    return found


def described(tx_type: str | None, body: Any, concerns: list[SubjectEntry]) -> dict[str, Any]:
    """The report's fields for one entry: ``what``, ``amount_kopecks``, ``concerns`` (the index
    records) and ``body`` restricted to the person's lines and dispensings."""
    own = _own_body(body, concerns) if isinstance(body, dict) else body
    if not concerns or not isinstance(own, dict):
        return {
            "what": f"{tx_type or 'entry'} naming the person",
            "amount_kopecks": None,
            "concerns": [],
            "body": own,
        }
    first = concerns[0]
    what, amount = _DESCRIBE[first.kind](first, own)
    return {"what": what, "amount_kopecks": amount, "concerns": records_json(concerns), "body": own}


def _own_body(body: dict[str, Any], concerns: list[SubjectEntry]) -> dict[str, Any]:
    items = {item for record in concerns for item in record.items or ()}
    kinds = {record.kind for record in concerns}
    if "statement" in kinds:
        return {**body, "lines": [line for line in body["lines"] if line["line_id"] in items]}
    if "claim" in kinds:
        return {**body, "dispense_ids": [i for i in body["dispense_ids"] if i in items]}
    return body


def _statement(record: SubjectEntry, body: Body) -> tuple[str, int | None]:
    part = f", part {body['part']} of {body['parts']}" if "part" in body else ""
    lines = ", ".join(record.items or ())
    amount = sum(int(line["amount_kopecks"]) for line in body["lines"])
    return f"bank statement {record.ref}{part}: line {lines}", amount


def _accrual(record: SubjectEntry, body: Body) -> tuple[str, int | None]:
    amount = int(body["amount_kopecks"])
    return f"accrual {record.ref} for {body['period']}", amount


def _payment(record: SubjectEntry, body: Body) -> tuple[str, int | None]:
    amount = int(body["amount_kopecks"])
    paid = f"payment {record.ref} of accrual {body['accrual_id']} on {body['paid_on']}"
    return paid, amount


def _plain(text: Callable[[SubjectEntry, Body], str]) -> Callable[..., tuple[str, int | None]]:
    return lambda record, body: (text(record, body), None)


_DESCRIBE: dict[str, Callable[[SubjectEntry, Body], tuple[str, int | None]]] = {
    "fact": _plain(lambda r, b: f"attested fact: {r.ref} from {b['valid_from']}"),
    "assignment": _plain(
        lambda r, b: f"assignment {r.ref} in {b['programme_id']} from {b['start_date']}"
    ),
    "termination": _plain(lambda r, b: f"assignment {r.ref} ended on {b['end_date']}"),
    "accrual": _accrual,
    "override": _plain(lambda r, _: f"override of accrual {r.ref} approved"),
    "payment": _payment,
    "statement": _statement,
    "prescription": _plain(
        lambda r, b: (
            f"prescription {r.ref}: {b['drug_code']} × {b['quantity_units']}, "
            f"issued on {b['issued_on']}"
        )
    ),
    "deferral": _plain(lambda r, b: f"prescription {r.ref} deferred on {b['deferred_on']}"),
    "dispensing": _plain(
        lambda r, b: (
            f"dispensing {r.ref} of prescription {b['prescription_id']} on {b['dispensed_on']}"
        )
    ),
    "claim": _plain(
        lambda r, _: f"reimbursement claim {r.ref} with dispensing {', '.join(r.items or ())}"
    ),
    "erasure": _plain(lambda r, b: f"erasure of personal data in {r.ref} on {b['erased_on']}"),
}
