"""A finding of the audit: its kind, what it is about, the transactions that show it, the sum at
stake and its evidence. Kinds of finding:

``paid_after_death``, ``dispensed_after_death``, ``incompatible_programmes``,
``ineligible_recipient``, ``over_accrual``, ``duplicate_accrual``, ``late_accrual``,
``missing_accrual``, ``override``, ``unreconciled_payment``, ``unmatched_bank_line``,
``incomplete_statement``, ``backdated_decision``, ``invalid_dispensing``, ``deferred_not_served``,
``wrong_funding_source``.

What the ledger refuses outright never needs finding: a pack dispensed twice, a second
accrual of one assignment for one period, a payment above what is accrued and unpaid, a
payment to a person whose death is attested by then, a prescription of an unlisted drug.
"""

from collections.abc import Sequence
from typing import Any

from krai.modules.payments.records import PartEntry, Provenance

Finding = dict[str, Any]
Evidence = Provenance | PartEntry
"""What a finding names the transaction of: a record, or a statement part's entry."""


def finding(
    kind: str, subject: str, records: Sequence[Evidence], at_stake_kopecks: int, **evidence: Any
) -> Finding:
    """A finding: its kind, what it is about, the transactions that show it, the sum at stake
    (docs/modules/payments.md, Audit) and its evidence."""
    transactions = [{"tx_id": r.tx_id, "index": r.index} for r in records]
    return {
        "kind": kind,
        "subject": subject,
        "transactions": transactions,
        "at_stake_kopecks": at_stake_kopecks,
        "evidence": evidence,
    }
