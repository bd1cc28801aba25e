"""The drug chain: packs dispensed on or after the person's death (``dispensed_after_death``) or
with problems (``invalid_dispensing``), to a person the paying programme does not cover then
(``wrong_funding_source``), and deferred prescriptions not served in time
(``deferred_not_served``).
"""

from collections.abc import Iterator
from typing import Any

from krai.modules.payments.audit.data import AuditData
from krai.modules.payments.audit.findings import Finding, finding
from krai.modules.payments.records import Assignment, Dispensing


def dispensed_after_death(data: AuditData) -> Iterator[Finding]:
    for dispense_id, dispensing in data.dispensings.items():
        died = data.deaths.get(dispensing.pseudonym)
        if died is not None and died <= dispensing.dispensed_on:
            yield finding(
                "dispensed_after_death",
                dispense_id,
                [dispensing],
                _cost(data, dispensing),
                died=died,
                dispensed_on=dispensing.dispensed_on,
            )


def drugs(data: AuditData, day: str) -> Iterator[dict[str, Any]]:
    for dispense_id, dispensing in data.dispensings.items():
        if dispensing.problems:
            yield finding(
                "invalid_dispensing",
                dispense_id,
                [dispensing],
                _cost(data, dispensing),
                problems=list(dispensing.problems),
                units=dispensing.units,
            )
        if not _covered(data, dispensing):
            yield finding(
                "wrong_funding_source",
                dispense_id,
                [dispensing],
                _cost(data, dispensing),
                programme_id=dispensing.programme_id,
                units=dispensing.units,
            )
    for prescription_id, prescription in data.prescriptions.items():
        deferred = prescription.deferred
        if deferred is None:
            continue
        served = [
            data.dispensings[d].dispensed_on
            for d in prescription.dispensings or ()
            if not data.dispensings[d].problems
        ]
        in_time = any(on <= deferred.serve_by for on in served)
        if not in_time and deferred.serve_by < day:
            yield finding(
                "deferred_not_served",
                prescription_id,
                [prescription, deferred],
                0,
                serve_by=deferred.serve_by,
            )


def _cost(data: AuditData, dispensing: Dispensing) -> int:
    """What the programme reimburses for the dispensing's packs, at its listed prices."""
    listed = data.programmes[dispensing.programme_id].drugs or ()
    prices = {drug.drug_code: drug.reimbursement_kopecks_per_unit for drug in listed}
    return sum(pack.units * prices.get(pack.drug_code, 0) for pack in dispensing.packs)


def _covered(data: AuditData, dispensing: Dispensing) -> bool:
    period = dispensing.dispensed_on[:7]
    return any(
        a.pseudonym == dispensing.pseudonym
        and a.programme_id == dispensing.programme_id
        and a.active_in(period)
        for a in _assignments_of(data, dispensing.pseudonym)
    )


def _assignments_of(data: AuditData, pseudonym: str) -> list[Assignment]:
    return [data.assignments[a] for a in data.by_pseudonym.get(pseudonym, [])]
