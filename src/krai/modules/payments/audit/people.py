"""The checks across a person's assignments, through the audit's indexes of people: programmes
held at once that exclude each other (``incompatible_programmes``), one period accrued twice
(``duplicate_accrual``) and payments on or after an attested death (``paid_after_death``).
"""

from collections.abc import Iterator
from typing import Any

from krai.modules.payments.audit.data import CARDS, AuditData, record
from krai.modules.payments.audit.findings import Finding, finding
from krai.modules.payments.records import Accrual, Assignment, CardAccruals, CardPayments, Payment
from krai.state.records import scan_records
from krai.state.store import StateView


def incompatible(data: AuditData) -> Iterator[dict[str, Any]]:
    for ids in data.several.values():
        held = [(assignment_id, data.assignments[assignment_id]) for assignment_id in ids]
        for i, (first_id, first) in enumerate(held):
            for second_id, second in held[i + 1 :]:
                if _excludes(data, first, second) and _overlap(first, second):
                    subject = f"{first_id}+{second_id}"
                    yield finding(
                        "incompatible_programmes",
                        subject,
                        [first, second],
                        0,
                        programmes=[first.programme_id, second.programme_id],
                    )


def _excludes(data: AuditData, first: Assignment, second: Assignment) -> bool:
    one, other = data.programmes[first.programme_id], data.programmes[second.programme_id]
    return (
        second.programme_id in one.incompatible_with
        or first.programme_id in other.incompatible_with
    )


def _overlap(first: Assignment, second: Assignment) -> bool:
    first_end, second_end = (first.end_date or "9999-12-31", second.end_date or "9999-12-31")
    return first.start_date <= second_end and second.start_date <= first_end


def duplicate_candidates(
    view: StateView, data: AuditData
) -> list[tuple[int, tuple[str, str, str], str, Accrual]]:
    """(log index, person–programme–period slot, accrual id, accrual) of every accrual of
    the assignments whose person holds another of the same programme, in log order."""
    candidates = []
    for assignment_id in sorted(data.shared):
        assignment = data.assignments[assignment_id]
        for _, card in scan_records(view, f"{CARDS}{assignment_id}/", CardAccruals):
            for period, entry in card.accruals.items():
                accrual = record(view, "accrual", entry.accrual_id, Accrual)
                slot = (assignment.dedup_key, assignment.programme_id, period)
                candidates.append((accrual.index, slot, entry.accrual_id, accrual))
    return sorted(candidates, key=lambda c: c[0])


def duplicates(
    candidates: list[tuple[int, tuple[str, str, str], str, Accrual]],
) -> Iterator[Finding]:
    """The duplicate of a person's accrual for a programme and period is the later one in the
    log, whatever the ids: candidates come in log order."""
    seen: dict[tuple[str, str, str], tuple[str, Accrual]] = {}
    for _, slot, accrual_id, accrual in candidates:
        if slot not in seen:
            seen[slot] = (accrual_id, accrual)
            continue
        first_id, first = seen[slot]
        yield finding(
            "duplicate_accrual",
            accrual_id,
            [first, accrual],
            accrual.amount_kopecks,
            period=accrual.period,
            first=first_id,
            amount_kopecks=accrual.amount_kopecks,
        )


def paid_after_death(view: StateView, data: AuditData) -> Iterator[Finding]:
    """Payments on or after the attested death of their person, found through the cards of
    the dead's assignments."""
    for pseudonym, died in sorted(data.deaths.items()):
        for assignment_id in data.by_pseudonym.get(pseudonym, []):
            for _, card in scan_records(view, f"{CARDS}{assignment_id}/", CardPayments):
                for payment_id, entry in card.payments.items():
                    if died <= entry.paid_on:
                        payment = record(view, "payment", payment_id, Payment)
                        yield finding(
                            "paid_after_death",
                            payment_id,
                            [payment],
                            payment.amount_kopecks,
                            died=died,
                            paid_on=entry.paid_on,
                            amount_kopecks=payment.amount_kopecks,
                        )
