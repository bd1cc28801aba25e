"""Events: past-tense facts that ``apply`` establishes, kept beside the entry that caused them."""

import dataclasses
from typing import Any, ClassVar, Protocol, get_type_hints

from krai.state.messages import encode_message

SCALARS = (str, int, bool)


class Event(Protocol):
    """A frozen dataclass with a ``NAME`` such as ``"identity.OrganisationAdmitted"``."""

    NAME: ClassVar[str]


_PLAIN: dict[type[Any], bool] = {}
"""Per event class: whether every field is a plain string, integer or boolean."""


def event_json(event: Event) -> dict[str, Any]:
    """The event as a JSON object: its name and its fields."""
    kind = type(event)
    plain = _PLAIN.get(kind)
    if plain is None:
        plain = _PLAIN[kind] = _only_scalars(kind)
    if plain:  # most events: the fields as they are, without encoding each one
        return {"event": event.NAME, **vars(event)}
    return {"event": event.NAME, **encode_message(event)}


def _only_scalars(kind: type[Any]) -> bool:
    if "__slots__" in vars(kind):
        return False
    hints = get_type_hints(kind)
    return all(hints[field.name] in SCALARS for field in dataclasses.fields(kind))
