"""Compiled decoders of the bank statement bodies (``payments.reconcile_statement`` versions
1 and 2), the longest bodies the ledger decodes: up to ``MAX_LINES_PER_PART`` lines of five
fields each (ADR 0030).

msgspec converts the parsed body into structs of the same members, types and bounds as the
message dataclasses; the calendar check of each distinct booking date follows. A body it
accepts gives the message ``decode_message`` gives; anything else returns None, and the
handler decodes it with ``decode_message``, whose refusal names the first offending field.
"""

import re
from collections.abc import Mapping
from operator import attrgetter
from typing import Annotated, Any, Literal, get_args

import msgspec

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.modules.payments.messages import (
    MAX_LINES_PER_PART,
    MAX_STATEMENT_PARTS,
    ReconcileStatement,
    ReconcileStatementPart,
    Slug,
    StatementLine,
)
from krai.state.calendar import is_calendar_date
from krai.state.messages import Date, Hex256, Pattern, decode_message


def _pattern(hint: Any) -> msgspec.Meta:
    """The ``Pattern`` of an annotated string as msgspec's constraint, anchored at both ends
    as ``re.fullmatch`` is (msgspec searches)."""
    (pattern,) = [c for c in get_args(hint)[1:] if isinstance(c, Pattern)]
    return msgspec.Meta(pattern=rf"\A(?:{pattern.regex})\Z")


class _Line(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A ``StatementLine``; ``booked_on`` is checked apart, once per distinct date."""

    line_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    booked_on: str
    direction: Literal["debit", "credit"]
    amount_kopecks: Annotated[int, msgspec.Meta(ge=1, le=MAX_SAFE_INTEGER)]
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=140)]


_Lines = Annotated[list[_Line], msgspec.Meta(min_length=1, max_length=MAX_LINES_PER_PART)]
_PartNumber = Annotated[int, msgspec.Meta(ge=1, le=MAX_STATEMENT_PARTS)]


class _Statement(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A ``ReconcileStatement`` body."""

    statement_id: Annotated[str, _pattern(Slug)]
    lines: _Lines


class _Part(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A ``ReconcileStatementPart`` body."""

    statement_id: Annotated[str, _pattern(Slug)]
    part: _PartNumber
    parts: _PartNumber
    statement_sha256: Annotated[str, _pattern(Hex256)]
    lines: _Lines


_DATE = re.compile(next(c.regex for c in get_args(Date)[1:] if isinstance(c, Pattern)))
_BOOKED_ON = attrgetter("booked_on")


def _lines(lines: list[_Line]) -> tuple[StatementLine, ...] | None:
    """The lines as messages, or None when a booking date is not a calendar date."""
    dates = set(map(_BOOKED_ON, lines))
    if not all(_is_date(day) for day in dates):
        return None
    return tuple(
        StatementLine(
            line.line_id, line.booked_on, line.direction, line.amount_kopecks, line.reference
        )
        for line in lines
    )


def _is_date(day: str) -> bool:
    """What ``Date`` checks: the pattern, then that the day exists."""
    return _DATE.fullmatch(day) is not None and is_calendar_date(day)


def _converted(body: Mapping[str, Any], kind: type[Any]) -> Any:
    """``body`` as the struct ``kind`` when msgspec accepts it and its lines are a list (as
    ``decode_message`` requires; msgspec takes a tuple too), else None."""
    if type(body.get("lines")) is not list:
        return None
    try:
        return msgspec.convert(body, kind, strict=True)
    except msgspec.ValidationError:
        return None


def decode_statement(body: Mapping[str, Any]) -> ReconcileStatement:
    """``decode_message(ReconcileStatement, body)``, compiled where it can be."""
    converted = _converted(body, _Statement)
    lines = None if converted is None else _lines(converted.lines)
    if converted is None or lines is None:
        return decode_message(ReconcileStatement, body)
    return ReconcileStatement(converted.statement_id, lines)  # type: ignore[arg-type]


def decode_part(body: Mapping[str, Any]) -> ReconcileStatementPart:
    """``decode_message(ReconcileStatementPart, body)``, compiled where it can be."""
    converted = _converted(body, _Part)
    lines = None if converted is None else _lines(converted.lines)
    if converted is None or lines is None:
        return decode_message(ReconcileStatementPart, body)
    return ReconcileStatementPart(
        converted.statement_id,
        converted.part,
        converted.parts,
        converted.statement_sha256,
        lines,  # type: ignore[arg-type]
    )
