"""The compiled decoders of bank statement bodies against ``decode_message`` (ADR 0030): on
any body, the same message or the same refusal, word for word."""

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.modules.payments import DESCRIPTOR
from krai.modules.payments.messages import ReconcileStatement, ReconcileStatementPart
from krai.modules.payments.statement_bodies import decode_part, decode_statement
from krai.state.messages import decode_message
from krai.tx.errors import RejectedError

DECODERS: list[tuple[type[Any], Callable[[Any], Any]]] = [
    (ReconcileStatement, decode_statement),
    (ReconcileStatementPart, decode_part),
]

ODD = st.sampled_from(
    [
        None, True, 0, -1, 2**53, 2**53 - 1, 2**70, 1.0, "", "x" * 65, "x" * 141, "😀" * 64,
        "😀" * 65, "debit", "credit", "refund", "2026-02-30", "2026-01-01\n", "2026-1-01",
        "veb-1", "VEB", "veb-1\n", "0" * 64, "0" * 64 + "\n", "A" * 64, [], {}, (), ["x"],
    ]
)  # fmt: skip


@st.composite
def lines(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "line_id": draw(st.text(min_size=1, max_size=66)),
        "booked_on": draw(st.sampled_from(["2026-03-01", "2026-02-28", "2024-02-29"])),
        "direction": draw(st.sampled_from(["debit", "credit"])),
        "amount_kopecks": draw(st.integers(1, 2**53 - 1)),
        "reference": draw(st.text(min_size=1, max_size=141)),
    }


@st.composite
def bodies(draw: st.DrawFn, version: int) -> dict[str, Any]:
    body: dict[str, Any] = {"statement_id": "veb-2026-03"}
    if version == 2:
        body |= {"part": draw(st.integers(1, 3)), "parts": 3, "statement_sha256": "ab" * 32}
    body["lines"] = draw(st.lists(lines(), min_size=1, max_size=5))
    for _ in range(draw(st.integers(0, 2))):
        listed = body.get("lines")
        line = draw(st.sampled_from([body, *(listed if isinstance(listed, list) else [])]))
        key = draw(st.sampled_from([*line, "extra"]))
        change = draw(st.sampled_from(["odd", "drop", "tuple"]))
        if change == "odd":
            line[key] = draw(ODD)
        elif change == "drop":
            line.pop(key, None)
        elif isinstance(listed, list):
            body["lines"] = tuple(listed)
    return body


def outcome(decode: Callable[[], Any]) -> Any:
    try:
        return decode()
    except RejectedError as error:
        return error.message


@pytest.mark.parametrize(("cls", "compiled"), DECODERS)
@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_a_statement_body_decodes_or_is_refused_as_decode_message_does(
    cls: type[Any], compiled: Callable[[Any], Any], data: st.DataObject
) -> None:
    body = data.draw(bodies(cls.VERSION))
    assert outcome(lambda: compiled(body)) == outcome(lambda: decode_message(cls, body))


def test_the_payments_handlers_decode_statements_with_the_compiled_decoders() -> None:
    handlers = {h.message: h for h in DESCRIPTOR.state_machine().handlers()}
    assert handlers[ReconcileStatement].decode is decode_statement
    assert handlers[ReconcileStatementPart].decode is decode_part
