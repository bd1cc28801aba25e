"""The admission channel's messages (ADR 0050): what a worker sends is what the sequencer
reads, the transactions' members are read from their canonical bytes, and anything else is
refused as a format error."""

import struct

import pytest
from tests.unit.app.test_admission import STRANGER
from tests.unit.app.test_sequencer import PARK, anchor

from krai.app.admission_wire import (
    ChannelFormatError,
    answers_bytes,
    failure_bytes,
    read_reply,
    read_request,
    reply_tag,
    request_bytes,
)
from krai.app.sequencer import Receipt
from krai.crypto.gost import GostPrivateKey
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError

GOST_KEY = GostPrivateKey(bytes(31) + b"\x07").public_key


def as_sent(tx: Transaction) -> tuple[object, ...]:
    """Everything of a transaction the sequencer uses: fields, bytes, signed message, id."""
    return (tx, tx.body, tx.canonical(), tx.signing_message(), tx.tx_id)


def test_a_request_reads_back_as_the_transactions_and_keys_sent() -> None:
    transactions = [anchor(1), anchor(2), anchor(3, STRANGER), anchor(4)]
    keys = [PARK[2].public_key, None, GOST_KEY, PARK[2].public_key]
    tag, read, read_keys = read_request(request_bytes(7, transactions, keys))
    assert tag == 7
    assert [as_sent(tx) for tx in read] == [as_sent(tx) for tx in transactions]
    assert read_keys == keys


def test_a_transactions_members_come_from_its_canonical_bytes_alone() -> None:
    sent = anchor(1)
    data = request_bytes(1, [sent], [None])
    assert sent.body["title"] == "Document 1"
    changed = data.replace(b'"title":"Document 1"', b'"title":"Dogument 1"', 1)  # the same length
    _, [read], _ = read_request(changed)
    assert read.body["title"] == "Dogument 1"
    assert read.canonical() == changed[-len(sent.canonical()) :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # a byte missing
        lambda data: data + b" ",  # a byte too many
        lambda data: data[:10],  # no lengths
        lambda data: data.replace(b'"sig":', b'"sag":', 1),  # an unknown member
        lambda data: data.replace(b'"sig":"', b'"sig":"/', 1)[:-1],  # sig is not where said
    ],
)
def test_bytes_that_are_not_a_request_are_refused(damage: object) -> None:
    data = request_bytes(1, [anchor(1), anchor(2)], [None, None])
    with pytest.raises(ChannelFormatError):
        read_request(damage(data))  # type: ignore[operator]


def test_a_reply_reads_back_as_the_receipts_and_refusals_in_order() -> None:
    transactions = [anchor(1), anchor(2), anchor(3)]
    receipt = Receipt(transactions[0].tx_id, 5, "ab" * 32, 1_700_000_000_000)
    last = Receipt(transactions[2].tx_id, 6, "cd" * 32, 1_700_000_000_001)
    refusal = RejectedError(Code.REPLAY, "nonce c2 was used — before")
    data = answers_bytes(9, [receipt, refusal, last])
    assert reply_tag(data) == 9
    outcomes = read_reply(data, transactions)
    assert isinstance(outcomes, list)
    assert outcomes[0] == receipt
    assert outcomes[2] == last
    assert isinstance(outcomes[1], RejectedError)
    assert (outcomes[1].code, outcomes[1].message) == (refusal.code, refusal.message)


def test_a_failure_reads_back_as_its_reason() -> None:
    data = failure_bytes(3, "database is locked — gone")
    assert reply_tag(data) == 3
    assert read_reply(data, [anchor(1)]) == "database is locked — gone"


def test_a_reply_that_does_not_answer_its_request_is_refused() -> None:
    transactions = [anchor(1), anchor(2)]
    receipt = Receipt(transactions[0].tx_id, 5, "ab" * 32, 1)
    data = answers_bytes(1, [receipt, receipt])
    with pytest.raises(ChannelFormatError):
        read_reply(data, transactions[:1])  # another count
    with pytest.raises(ChannelFormatError):
        read_reply(data[:-1], transactions)  # cut short
    with pytest.raises(ChannelFormatError):
        read_reply(data + b"\x00", transactions)  # too long
    with pytest.raises(ChannelFormatError):
        reply_tag(struct.pack("<I", 1))
