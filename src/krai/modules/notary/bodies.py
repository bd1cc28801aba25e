"""A faster decoder of the ``notary.anchor`` body, the body most logs hold most of (ADR 0030,
ADR 0043).

A body of the usual form — a ``dict`` of ``str`` members within ``Anchor``'s bounds — is
turned into the ``Anchor`` ``decode_message`` would give; any other body is decoded by
``decode_message`` itself, so every refusal and its words are unchanged (a property test
holds the two to each other).
"""

import dataclasses
import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, get_args, get_origin, get_type_hints

from krai.modules.notary.messages import Anchor
from krai.modules.notary.model import DOCUMENT_KINDS
from krai.state.messages import Length, Pattern, decode_message

T = TypeVar("T")

_HINTS = get_type_hints(Anchor, include_extras=True)
_FIELDS = frozenset(field.name for field in dataclasses.fields(Anchor))


def _constraint(hint: Any, kind: type[T]) -> T:
    """The constraint of type ``kind`` in an annotated (and perhaps optional) field's hint."""
    found = [c for c in get_args(hint) if isinstance(c, kind)]
    found += [_constraint(a, kind) for a in get_args(hint) if get_origin(a) is Annotated]
    (constraint,) = found
    return constraint


_HEX256 = re.compile(_constraint(_HINTS["sha256"], Pattern).regex)
_TITLE = _constraint(_HINTS["title"], Length)
_REFERENCE = _constraint(_HINTS["reference"], Length)


def decode_anchor(body: Mapping[str, Any]) -> Anchor:
    """``decode_message(Anchor, body)``, without its general walk for the usual body."""
    if type(body) is dict and _FIELDS.issuperset(body):
        sha256, title, kind = body.get("sha256"), body.get("title"), body.get("kind")
        reference = body.get("reference")
        if (
            type(sha256) is str
            and _HEX256.fullmatch(sha256)
            and type(title) is str
            and _TITLE.minimum <= len(title) <= _TITLE.maximum
            and type(kind) is str
            and kind in DOCUMENT_KINDS
            and (reference is None or _is_reference(reference))
        ):
            return Anchor(sha256, title, kind, reference)  # type: ignore[arg-type]
    return decode_message(Anchor, body)


def _is_reference(value: Any) -> bool:
    return type(value) is str and _REFERENCE.minimum <= len(value) <= _REFERENCE.maximum
