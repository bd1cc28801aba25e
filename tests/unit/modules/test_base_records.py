"""Every record of the base modules is stored as the very bytes the modules wrote as plain
JSON objects before they were typed (so replays and state digests are unchanged), reads back
as the same record, and is refused, naming the field, when a field is missing or unknown."""

from typing import Any

import pytest
from tests.unit.modules.record_checks import (
    assert_missing_and_unknown_fields_refused,
    assert_stored_as_its_plain_bytes,
)

from krai.modules.accounts.model import Account, Posting
from krai.modules.identity.model import Governance, Organisation, Proposal, SigningKey
from krai.modules.notary.model import AnchoredDocument, Countersignature
from krai.state.records import Record, RecordFormError, decode_record, encode_record
from krai.state.store import encode_value

TX = "ab" * 32
SIGNATURE = {"by": "7707083893", "index": 9, "time_ms": 1_772_541_000_000, "tx_id": TX}
ANCHOR = {
    "title": 'Соглашение «Север» — "Великий камень"\n',
    "kind": "agreement",
    "by": "2460000000",
    "index": 4,
    "time_ms": 1_772_416_800_000,
    "tx_id": TX,
    "countersignatures": [],
}
ORGANISATION = {
    "inn": "2460000000",
    "ogrn": "1022402648930",
    "name": "Правительство Красноярского края",
    "roles": ["governor", "treasury"],
    "admitted_index": 0,
}
KEY = {"public_key": "ed25519:" + "A" * 43 + "=", "status": "active", "added_index": 0}
PROPOSAL = {
    "action": "identity.propose_admission",
    "body": {"inn": "2460000000", "roles": ["resident"], "name": "Парк", "quorum": 2},
    "proposer": "2460000000",
    "approvals": ["2460000000"],
    "status": "open",
    "opened_index": 12,
}

ACCOUNT = {
    "owner": "2460000000",
    "kind": "budget",
    "title": "Бюджет программы",
    "currency": "RUB",
    "balance_kopecks": -9_007_199_254_740_991,
    "status": "open",
    "opened_index": 3,
}
POSTING = {
    "amount_kopecks": 150_000,
    "reference": "платёжное поручение № 12",
    "index": 8,
    "time_ms": 1_772_416_800_000,
    "tx_id": TX,
    "side": "debit",
    "counterparty": "park:roads",
    "balance_after_kopecks": -150_000,
}

STORED: list[tuple[type[Record], dict[str, Any]]] = [
    (AnchoredDocument, ANCHOR),
    (AnchoredDocument, {**ANCHOR, "reference": "№ 17/2026", "countersignatures": [SIGNATURE]}),
    (Countersignature, SIGNATURE),
    (Organisation, ORGANISATION),
    (Organisation, {**ORGANISATION, "name_en": "Government of Krasnoyarsk Krai"}),
    (SigningKey, KEY),
    (SigningKey, {**KEY, "status": "revoked", "revoked_index": 30}),
    (Governance, {"quorum": 2}),
    (Proposal, PROPOSAL),
    (Proposal, {**PROPOSAL, "status": "executed", "executed_index": 13}),
    (Account, ACCOUNT),
    (Account, {**ACCOUNT, "purpose": "roads", "status": "closed", "closed_index": 9}),
    (Posting, POSTING),
    (Posting, {**POSTING, "side": "credit", "purpose": "roads", "memo": "asphalt"}),
]
REQUIRED = {
    AnchoredDocument: "title",
    Countersignature: "tx_id",
    Organisation: "roles",
    SigningKey: "status",
    Governance: "quorum",
    Proposal: "approvals",
    Account: "balance_kopecks",
    Posting: "side",
}


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=lambda v: getattr(v, "__name__", ""))
def test_a_record_is_stored_as_the_bytes_of_its_plain_object(
    cls: type[Record], stored: dict[str, Any]
) -> None:
    assert_stored_as_its_plain_bytes(cls, stored)


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=lambda v: getattr(v, "__name__", ""))
def test_a_missing_or_unknown_field_is_refused(cls: type[Record], stored: dict[str, Any]) -> None:
    assert_missing_and_unknown_fields_refused(cls, stored, REQUIRED[cls], "some/key")


def test_a_status_outside_its_values_is_refused() -> None:
    with pytest.raises(RecordFormError, match="status"):
        decode_record(encode_value({**KEY, "status": "lost"}), SigningKey)
    with pytest.raises(RecordFormError, match="kind"):
        decode_record(encode_value({**ANCHOR, "kind": "letter"}), AnchoredDocument)


def test_changes_return_new_records_with_sorted_roles_and_appended_signatures() -> None:
    organisation = decode_record(encode_value(ORGANISATION), Organisation)
    assert organisation.with_roles({"resident", *organisation.roles}).roles == (
        "governor",
        "resident",
        "treasury",
    )
    document = decode_record(encode_value(ANCHOR), AnchoredDocument)
    signed = document.with_countersignature(
        decode_record(encode_value(SIGNATURE), Countersignature)
    )
    assert signed.signatories() == ["2460000000", "7707083893"]
    assert document.countersignatures == ()
    key = decode_record(encode_value(KEY), SigningKey).revoked(30)
    assert encode_record(key) == encode_value({**KEY, "status": "revoked", "revoked_index": 30})


def test_a_posting_counts_credits_up_and_debits_down() -> None:
    debit = decode_record(encode_value(POSTING), Posting)
    credit = decode_record(encode_value({**POSTING, "side": "credit"}), Posting)
    assert (debit.signed_kopecks(), credit.signed_kopecks()) == (-150_000, 150_000)
