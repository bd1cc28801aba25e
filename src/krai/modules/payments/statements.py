"""A bank statement of any length as the bodies of ``payments.reconcile_statement`` version 2:
parts that each fit one transaction, under one statement id (docs/modules/payments.md,
"Statement parts").

Lines are packed greedily, in order: a part takes lines while the whole signed transaction,
with the largest envelope docs/spec/transaction.md allows, stays within
``MAX_TRANSACTION_BYTES``. Sizes are the RFC 8785 bytes themselves: a JSON array is ``[``, its
items' canonical bytes joined by ``,``, and ``]``, so a part's size is the sum of its lines'.
"""

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from krai.crypto.canonical import JSONValue, canonical_bytes
from krai.modules.payments.messages import (
    MAX_LINES_PER_PART,
    MAX_STATEMENT_PARTS,
    ReconcileStatementPart,
)
from krai.modules.payments.records import statement_sha256
from krai.tx.envelope import MAX_TEXT_CHARS, MAX_TRANSACTION_BYTES

WIDEST_CHARACTER = "\x01"
"""A character RFC 8785 writes as ``\\u0001``: six bytes, the most any one character takes."""
SIGNATURE_BYTES = 64


def envelope_bytes() -> int:
    """The most bytes the envelope adds around a part's body: network and signer of the
    longest allowed text of the widest characters, the longest nonce, a 64-byte signature."""
    widest = WIDEST_CHARACTER * MAX_TEXT_CHARS
    envelope: dict[str, JSONValue] = {
        "v": 1,
        "network": widest,
        "type": ReconcileStatementPart.TYPE,
        "version": ReconcileStatementPart.VERSION,
        "signer": widest,
        "key_id": "0" * 16,
        "nonce": "0" * 64,
        "body": {},
        "sig": base64.b64encode(bytes(SIGNATURE_BYTES)).decode(),
    }
    return len(canonical_bytes(envelope)) - len(b"{}")


def room_for_lines(statement_id: str) -> int:
    """The bytes a part's ``lines`` array may take: the transaction limit less the widest
    envelope and the rest of the body at the largest part numbers."""
    body = _body(statement_id, MAX_STATEMENT_PARTS, MAX_STATEMENT_PARTS, "0" * 64, [])
    return MAX_TRANSACTION_BYTES - envelope_bytes() - len(canonical_bytes(body)) + len(b"[]")


def split_statement(
    statement_id: str, lines: Sequence[Mapping[str, JSONValue]]
) -> list[dict[str, Any]]:
    """The bodies of the parts recording ``lines`` as statement ``statement_id``, in order;
    one part when they fit. A line too long to fit any part is a part alone, which the
    ledger refuses as oversize."""
    if not lines:
        raise ValueError("a statement has at least one line")
    digest = statement_sha256([dict(line) for line in lines])
    groups = _packed(lines, room_for_lines(statement_id))
    return [
        _body(statement_id, part, len(groups), digest, group)
        for part, group in enumerate(groups, start=1)
    ]


def _packed(
    lines: Sequence[Mapping[str, JSONValue]], room: int
) -> list[list[Mapping[str, JSONValue]]]:
    """Consecutive runs of ``lines`` whose JSON arrays each take at most ``room`` bytes and
    hold at most ``MAX_LINES_PER_PART`` lines."""
    groups: list[list[Mapping[str, JSONValue]]] = []
    group: list[Mapping[str, JSONValue]] = []
    used = len(b"[]")
    for line in lines:
        size = len(canonical_bytes(line))
        separator = 1 if group else 0
        if group and (used + separator + size > room or len(group) == MAX_LINES_PER_PART):
            groups.append(group)
            group, used, separator = [], len(b"[]"), 0
        group.append(line)
        used += separator + size
    groups.append(group)
    return groups


def _body(
    statement_id: str,
    part: int,
    parts: int,
    digest: str,
    lines: Sequence[Mapping[str, JSONValue]],
) -> dict[str, Any]:
    return {
        "statement_id": statement_id,
        "part": part,
        "parts": parts,
        "statement_sha256": digest,
        "lines": [dict(line) for line in lines],
    }
