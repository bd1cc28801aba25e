"""The splitter of bank statements into parts: every part a transaction within the size limit
whatever the envelope, the parts' lines the statement's in order, one digest of the whole."""

import hashlib
from datetime import date
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from krai.crypto.canonical import MAX_SAFE_INTEGER, canonical_bytes
from krai.crypto.keys import Ed25519PrivateKey
from krai.modules.payments.messages import ReconcileStatementPart
from krai.modules.payments.records import statement_sha256
from krai.modules.payments.statements import envelope_bytes, room_for_lines, split_statement
from krai.state.messages import decode_message
from krai.tx.envelope import MAX_TEXT_CHARS, MAX_TRANSACTION_BYTES, Transaction, sign

KEY = Ed25519PrivateKey(bytes([7]) * 32)
WIDE = "\x01" * MAX_TEXT_CHARS
"""The widest network or signer the envelope allows: six canonical bytes a character."""
TEXT = st.characters(blacklist_categories=("Cs",))
LINE = st.fixed_dictionaries(
    {
        "line_id": st.text(TEXT, min_size=1, max_size=64),
        "booked_on": st.dates(date(2000, 1, 1), date(2099, 12, 31)).map(date.isoformat),
        "direction": st.sampled_from(["debit", "credit"]),
        "amount_kopecks": st.integers(1, MAX_SAFE_INTEGER),
        "reference": st.text(TEXT, min_size=1, max_size=140),
    }
)
LINES = st.builds(
    lambda drawn, count: [drawn[n % len(drawn)] for n in range(count)],
    st.lists(LINE, min_size=1, max_size=30),
    st.integers(1, 3000),
)
"""Statements of up to 3,000 lines (up to tens of parts), cycling through up to 30 lines of
any size: a long statement is drawn without drawing each of its lines."""
STATEMENT_IDS = st.from_regex(r"[a-z0-9][a-z0-9._:-]{0,95}", fullmatch=True)


def signed(body: dict[str, Any], network: str, signer: str) -> Transaction:
    """The part as the largest transaction it can be: the longest nonce, a 64-byte signature."""
    unsigned = Transaction(
        network, ReconcileStatementPart.TYPE, 2, signer, "0" * 16, "n" * 64, body
    )
    return sign(unsigned, KEY)


def ordinary_lines(count: int) -> list[dict[str, Any]]:
    return [
        {
            "line_id": str(number),
            "booked_on": "2026-03-26",
            "direction": "debit",
            "amount_kopecks": 1_234_567,
            "reference": f"pay-kgd-2026-03-{number:05d}",
        }
        for number in range(1, count + 1)
    ]


@settings(max_examples=60, deadline=None)
@given(statement_id=STATEMENT_IDS, lines=LINES)
def test_every_part_fits_and_the_parts_are_the_statement(
    statement_id: str, lines: list[dict[str, Any]]
) -> None:
    bodies = split_statement(statement_id, lines)
    digest = hashlib.sha256(canonical_bytes(lines)).hexdigest()
    assert [line for body in bodies for line in body["lines"]] == lines
    for number, body in enumerate(bodies, start=1):
        assert (body["statement_id"], body["part"], body["parts"]) == (
            statement_id,
            number,
            len(bodies),
        )
        assert body["statement_sha256"] == digest == statement_sha256(lines)
        assert len(signed(body, WIDE, WIDE).canonical()) <= MAX_TRANSACTION_BYTES
        decode_message(ReconcileStatementPart, body)  # the ledger's strict decoder accepts it


@settings(max_examples=20, deadline=None)
@given(lines=LINES)
def test_parts_are_packed_greedily(lines: list[dict[str, Any]]) -> None:
    """A part ends only where the next line would not fit: no more parts than needed."""
    bodies = split_statement("veb-2026-03", lines)
    room = room_for_lines("veb-2026-03")
    for body, following in pairwise(bodies):
        assert len(canonical_bytes([*body["lines"], following["lines"][0]])) > room


def test_a_small_statement_is_one_part() -> None:
    [body] = split_statement("veb-2026-03", ordinary_lines(3))
    assert (body["part"], body["parts"], len(body["lines"])) == (1, 1, 3)


def test_fifteen_hundred_lines_take_three_parts_well_within_the_limit() -> None:
    """About 120 bytes a line, 62 KB a part: each real transaction leaves room to spare."""
    bodies = split_statement("veb-" + "x" * 56, ordinary_lines(1500))
    assert [len(b["lines"]) for b in bodies] == [504, 503, 493]
    real = [signed(b, "kaliningrad.krai.test/log", "7707083893") for b in bodies]
    assert max(len(t.canonical()) for t in real) <= MAX_TRANSACTION_BYTES - envelope_bytes() + 400


def test_the_envelope_allowance_is_that_of_the_widest_envelope() -> None:
    empty = signed({}, WIDE, WIDE)
    assert envelope_bytes() == len(empty.canonical()) - len(b"{}")
