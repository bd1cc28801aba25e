"""An event's JSON is its name and its fields, whichever way it is built."""

import dataclasses
import importlib
import inspect
from dataclasses import dataclass
from typing import Any, ClassVar, get_type_hints

import pytest

from krai.state.events import event_json
from krai.state.messages import encode_message

MODULES = ["accounts", "energy", "identity", "notary", "parks", "payments"]
SAMPLES: dict[Any, Any] = {str: "text", int: 7, bool: True}


def plain_event_classes() -> list[type[Any]]:
    """Every module's event class whose fields are all strings, integers or booleans."""
    found = []
    for name in MODULES:
        module = importlib.import_module(f"krai.modules.{name}.events")
        for _, kind in inspect.getmembers(module, inspect.isclass):
            if dataclasses.is_dataclass(kind) and hasattr(kind, "NAME") and plain(kind):
                found.append(kind)
    return found


def plain(kind: type[Any]) -> bool:
    hints = get_type_hints(kind)
    return all(hints[field.name] in SAMPLES for field in dataclasses.fields(kind))


def test_most_events_are_plain() -> None:
    assert len(plain_event_classes()) > 20


@pytest.mark.parametrize("kind", plain_event_classes(), ids=lambda kind: kind.NAME)
def test_every_plain_event_encodes_as_its_fields(kind: type[Any]) -> None:
    hints = get_type_hints(kind)
    event = kind(**{field.name: SAMPLES[hints[field.name]] for field in dataclasses.fields(kind)})
    assert event_json(event) == {"event": kind.NAME, **encode_message(event)}


@dataclass(frozen=True)
class Mixed:
    NAME: ClassVar[str] = "test.Mixed"
    by: str
    amounts: tuple[int, ...]
    note: str | None = None


def test_an_event_with_lists_and_absent_options_leaves_out_what_is_none() -> None:
    assert event_json(Mixed("1234567894", (1, 2))) == {
        "event": "test.Mixed",
        "by": "1234567894",
        "amounts": [1, 2],
    }
