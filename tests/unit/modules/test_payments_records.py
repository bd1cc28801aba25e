"""Every payments record is stored as the very bytes the module wrote as a plain JSON object
before it was typed (so replays and state digests are unchanged), reads back as the same
record, and is refused, naming the field, when a field is missing or unknown."""

from typing import Any

import pytest
from tests.unit.modules.record_checks import (
    assert_missing_and_unknown_fields_refused,
    assert_stored_as_its_plain_bytes,
)

from krai.modules.payments.records import (
    Accrual,
    Assignment,
    Attestation,
    BankLine,
    Card,
    Claim,
    Death,
    Dispensing,
    Erasure,
    FactSheet,
    IncompleteStatement,
    Latest,
    PackOut,
    Payment,
    PersonAssignment,
    Prescription,
    Programme,
    RuleVersion,
    StatementInParts,
    StoredStatement,
    UnmatchedLine,
    Unreconciled,
    statement_sha256,
)
from krai.state.records import Record, RecordFormError, decode_record, encode_record
from krai.state.store import encode_value

TX = "ab" * 32
STAMP = {"by": "3906000000", "index": 41, "time_ms": 1_772_416_800_000, "tx_id": TX}
LAW = {"act": "Закон Калининградской области № 123", "article": "ст. 5 «О пособии»"}
PS, DD = "ps:" + "1" * 32, "dd:" + "2" * 32
PROGRAMME = {
    "title": "Ежемесячное пособие на ребёнка",
    "kind": "cash",
    "legal_basis": LAW,
    "budget_account": "veb:benefit",
    "payment_agent": "7750004150",
    "incompatible_with": ["allowance"],
    "due_days_after_period": 10,
    "operator": "3906000000",
    "purpose": "child_benefit",
    **STAMP,
}
DRUG = {
    "drug_code": "insulin",
    "max_units_per_prescription": 10,
    "reimbursement_kopecks_per_unit": 45_000,
}
RULE = {
    "version": 2,
    "effective_from": "2026-04-01",
    "legal_basis": LAW,
    "eligibility": {"op": "le", "args": [{"fact": "income_per_capita_kopecks"}, {"param": "pm"}]},
    "amount_kopecks": {"op": "if", "args": [{"has": ["category", "large"]}, 2_000_000, 1_500_000]},
    "parameters": {"pm": 1_500_000},
    **STAMP,
}
ATTESTATION = {
    "kind": "income_per_capita_kopecks",
    "value": 900_000,
    "valid_from": "2026-01-01",
    **STAMP,
}
FACT = {"kind": "residence", "value": "kaliningrad", "valid_from": "2020-01-01", "index": 7}
ASSIGNMENT = {
    "programme_id": "benefit",
    "pseudonym": PS,
    "dedup_key": DD,
    "decision_date": "2026-01-10",
    "start_date": "2026-01-01",
    "decision_sha256": "cd" * 32,
    **STAMP,
}
ACCRUAL = {
    "assignment_id": "a-1",
    "programme_id": "benefit",
    "pseudonym": PS,
    "period": "2026-03",
    "amount_kopecks": 1_500_000,
    "rule_version": 1,
    "rule_amount_kopecks": 1_500_000,
    "status": "accrued",
    "paid_kopecks": 0,
    **STAMP,
}
OVERRIDE = {"legal_basis": LAW, "reason": "решение комиссии", "approved": STAMP}
CARD = {
    "accruals": {
        "2026-01": {"accrual_id": "acc-1", "amount_kopecks": 1_500_000, "time_ms": 5},
        "2026-02": {
            "accrual_id": "acc-2",
            "amount_kopecks": 1_600_000,
            "time_ms": 6,
            "override": True,
        },
    },
    "payments": {"pay-1": {"paid_on": "2026-01-26", "time_ms": 7}},
}
PAYMENT = {
    "accrual_id": "acc-1",
    "programme_id": "benefit",
    "pseudonym": PS,
    "amount_kopecks": 1_500_000,
    "paid_on": "2026-01-26",
    "payout_account": "veb:payouts",
    "bank": "unreconciled",
    **STAMP,
}
PRESCRIPTION = {
    "programme_id": "drugs",
    "pseudonym": PS,
    "commitment_sha256": "ef" * 32,
    "drug_code": "insulin",
    "quantity_units": 4,
    "issued_on": "2026-02-01",
    "valid_until": "2026-03-03",
    "dispensed_units": 0,
    **STAMP,
}
PACK = {"sgtin": "04601234567890ABCDEFGHIJ12345", "drug_code": "insulin", "units": 2}
DISPENSING = {
    "prescription_id": "rx-1",
    "programme_id": "drugs",
    "pseudonym": PS,
    "dispensed_on": "2026-02-03",
    "packs": [PACK],
    "units": 2,
    "problems": [],
    **STAMP,
}
CLAIM = {
    "programme_id": "drugs",
    "dispense_ids": ["d-1", "d-2"],
    "account_id": "pharmacy:main",
    "amount_kopecks": 90_000,
    "status": "claimed",
    **STAMP,
}
LINE = {
    "line_id": "L1",
    "booked_on": "2026-01-27",
    "direction": "debit",
    "amount_kopecks": 1_500_000,
    "reference": "pay-1",
}
WHOLE = {
    "lines": [
        {**LINE, "matched": "matched"},
        {**LINE, "line_id": "L2", "unmatched": "duplicate_debit"},
    ],
    **STAMP,
}
ENTRY = {"part": 1, "lines": 2, "tx_id": TX, "index": 41, "time_ms": 5}
IN_PARTS = {
    **WHOLE,
    "parts": 3,
    "parts_received": 1,
    "statement_sha256": "12" * 32,
    "complete": False,
    "part_entries": [ENTRY],
}

STORED: list[tuple[type[Record], dict[str, Any]]] = [
    (Programme, PROGRAMME),
    (Programme, {**PROGRAMME, "kind": "drugs", "incompatible_with": [], "drugs": [DRUG]}),
    (Programme, {**PROGRAMME, "drugs": []}),
    (RuleVersion, RULE),
    (RuleVersion, {**RULE, "eligibility": True, "amount_kopecks": 500, "parameters": {}}),
    (Attestation, ATTESTATION),
    (
        Attestation,
        {
            **ATTESTATION,
            "kind": "death",
            "value": "2026-03-14",
            "valid_until": "2027-01-01",
            "document_sha256": "cd" * 32,
        },
    ),
    (
        FactSheet,
        {
            "facts": [
                FACT,
                {**FACT, "kind": "disability_group", "value": 2, "valid_until": "2027-01-01"},
            ]
        },
    ),
    (Death, {"died": "2026-03-14"}),
    (Assignment, ASSIGNMENT),
    (
        Assignment,
        {**ASSIGNMENT, "end_date": "2026-05-31", "terminated": {"basis": "переезд", **STAMP}},
    ),
    (PersonAssignment, {"index": 41}),
    (Accrual, ACCRUAL),
    (
        Accrual,
        {**ACCRUAL, "status": "awaiting_approval", "override": {"legal_basis": LAW, "reason": "x"}},
    ),
    (Accrual, {**ACCRUAL, "override": OVERRIDE, "paid_kopecks": 1_500_000, "payments": ["pay-1"]}),
    (Card, CARD),
    (Card, {"accruals": {}, "payments": {}}),
    (Payment, PAYMENT),
    (
        Payment,
        {**PAYMENT, "bank": "reversed", "bank_lines": [{"statement_id": "s", "line_id": "L1"}] * 2},
    ),
    (Unreconciled, {"paid_on": "2026-01-26"}),
    (Prescription, PRESCRIPTION),
    (
        Prescription,
        {
            **PRESCRIPTION,
            "deferred": {"on": "2026-02-02", "serve_by": "2026-02-16", **STAMP},
            "dispensed_units": 2,
            "dispensings": ["d-1"],
        },
    ),
    (PackOut, {"dispense_id": "d-1", **STAMP}),
    (Dispensing, DISPENSING),
    (
        Dispensing,
        {**DISPENSING, "problems": ["prescription_expired", "recipient_dead"], "claim_id": "c-1"},
    ),
    (Claim, CLAIM),
    (Claim, {**CLAIM, "status": "reimbursed", "reimbursed": STAMP}),
    (StoredStatement, WHOLE),
    (StoredStatement, IN_PARTS),
    (StatementInParts, IN_PARTS),
    (StatementInParts, {**IN_PARTS, "complete": True, "parts_received": 3}),
    (IncompleteStatement, {"parts_received": 1, "parts": 3}),
    (UnmatchedLine, {"reason": "unknown_reference", "reference": "платёж 7"}),
    (UnmatchedLine, {"reason": "amount_differs", "reference": "pay-1", "part": 2}),
    (Erasure, {"programme_id": "benefit", "erased_on": "2026-06-01", **STAMP}),
    (Latest, {"index": 13_323, "time_ms": 1_780_000_000_000}),
]
REQUIRED = {
    Programme: "purpose",
    RuleVersion: "parameters",
    Attestation: "value",
    FactSheet: "facts",
    Death: "died",
    Assignment: "dedup_key",
    PersonAssignment: "index",
    Accrual: "paid_kopecks",
    Card: "payments",
    Payment: "bank",
    Unreconciled: "paid_on",
    Prescription: "dispensed_units",
    PackOut: "dispense_id",
    Dispensing: "problems",
    Claim: "status",
    StoredStatement: "lines",
    StatementInParts: "part_entries",
    IncompleteStatement: "parts",
    UnmatchedLine: "reason",
    Erasure: "erased_on",
    Latest: "time_ms",
}


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=lambda v: getattr(v, "__name__", ""))
def test_a_record_is_stored_as_the_bytes_of_its_plain_object(
    cls: type[Record], stored: dict[str, Any]
) -> None:
    assert_stored_as_its_plain_bytes(cls, stored)


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=lambda v: getattr(v, "__name__", ""))
def test_a_missing_or_unknown_field_is_refused(cls: type[Record], stored: dict[str, Any]) -> None:
    assert_missing_and_unknown_fields_refused(cls, stored, REQUIRED[cls], "payments/x")


def test_a_nested_record_with_an_unknown_field_is_refused_by_its_path() -> None:
    card = {**CARD, "payments": {"pay-1": {"paid_on": "2026-01-26", "time_ms": 7, "bank": 1}}}
    with pytest.raises(RecordFormError, match=r"unknown field `bank`.*payments"):
        decode_record(encode_value(card), Card, "payments/card/a-1/2026")


def test_a_status_or_problem_outside_its_values_is_refused() -> None:
    with pytest.raises(RecordFormError, match="status"):
        decode_record(encode_value({**ACCRUAL, "status": "paid"}), Accrual)
    with pytest.raises(RecordFormError, match="problems"):
        decode_record(encode_value({**DISPENSING, "problems": ["lost"]}), Dispensing)


def test_a_statement_recorded_whole_reads_as_one_complete_part() -> None:
    whole = decode_record(encode_value(WHOLE), StoredStatement).in_parts()
    assert (whole.parts, whole.parts_received, whole.complete) == (1, 1, True)
    assert whole.statement_sha256 == statement_sha256(WHOLE["lines"])
    assert encode_record(whole.part_entries[0]) == encode_value(
        {"part": 1, "tx_id": TX, "index": 41, "time_ms": 1_772_416_800_000}
    )
    in_parts = decode_record(encode_value(IN_PARTS), StoredStatement)
    assert encode_record(in_parts.in_parts()) == encode_value(IN_PARTS)


def test_changes_return_new_records_as_the_dict_rules_wrote_them() -> None:
    accrual = decode_record(encode_value(ACCRUAL), Accrual)
    paid = accrual.paid("pay-1", 500_000).paid("pay-2", 1_000_000)
    assert encode_record(paid) == encode_value(
        {**ACCRUAL, "paid_kopecks": 1_500_000, "payments": ["pay-1", "pay-2"]}
    )
    assert accrual.paid_kopecks == 0 and paid.unpaid_kopecks() == 0
    payment = decode_record(encode_value(PAYMENT), Payment)
    matched = payment.reconciled("matched", BankLine("s", "L1"))
    assert encode_record(matched) == encode_value(
        {**PAYMENT, "bank": "matched", "bank_lines": [{"statement_id": "s", "line_id": "L1"}]}
    )
    assert payment.bank == "unreconciled"
