"""The published body schemas of the scenarios' engine, and the server's verdict on a body."""

import json
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from krai.state.engine import Engine
from krai.state.entry import decode_entry
from krai.state.messages import decode_message
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError
from krai.tx.strict_json import parse_strict_json
from tests.scenarios.harness import Ledger, new_engine

REFUSALS = frozenset({Code.INVALID_BODY, Code.FLOAT_NOT_ALLOWED})
"""The codes with which the server refuses a body that breaks its schema."""


@cache
def _engine() -> Engine:
    return new_engine()


def published_types() -> Iterator[dict[str, Any]]:
    """Every type as ``krai tx types --json`` and ``GET /v1/types`` publish it."""
    yield from _engine().describe()


@cache
def validator(type_name: str, version: int = 1) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator of one type's published body schema."""
    for described in published_types():
        if (described["type"], described["version"]) == (type_name, version):
            return Draft202012Validator(described["body_schema"])
    raise KeyError((type_name, version))


def server_refusal(type_name: str, body: Mapping[str, Any], version: int = 1) -> Code | None:
    """The code with which the server refuses ``body`` sent as JSON, or None if it decodes."""
    message = _engine().handler(type_name, version).message
    try:
        decode_message(message, parse_strict_json(json.dumps(body).encode()))
    except RejectedError as error:
        return error.code
    return None


def accepted_transactions(ledger: Ledger) -> Iterator[Transaction]:
    """The transactions the ledger accepted, read back from its log."""
    for data in ledger.entries:
        tx = decode_entry(data).tx
        if tx is not None:
            yield tx
