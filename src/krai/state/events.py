"""Events: past-tense facts that ``apply`` establishes, kept beside the entry that caused them."""

from typing import Any, ClassVar, Protocol

from krai.state.messages import encode_message


class Event(Protocol):
    """A frozen dataclass with a ``NAME`` such as ``"identity.OrganisationAdmitted"``."""

    NAME: ClassVar[str]


def event_json(event: Event) -> dict[str, Any]:
    """The event as a JSON object: its name and its fields."""
    return {"event": event.NAME, **encode_message(event)}
