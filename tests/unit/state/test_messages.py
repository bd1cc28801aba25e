"""Strict body decoding and body schemas."""

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import pytest

from krai.state.messages import (
    Length,
    Max,
    Min,
    Pattern,
    decode_message,
    encode_message,
    message_schema,
)
from krai.tx.errors import Code, RejectedError


@dataclass(frozen=True)
class Step:
    energy_kwh: Annotated[int, Min(0), Max(1_000)]
    price_kopecks_per_mwh: int


@dataclass(frozen=True)
class Order:
    TYPE: ClassVar[str] = "test.order"
    VERSION: ClassVar[int] = 1
    side: Literal["buy", "sell"]
    steps: Annotated[list[Step], Length(1, 3)]
    code: Annotated[str, Pattern(r"[A-Z]{2}\d")]
    block: bool
    note: str | None = None


GOOD = {
    "side": "buy",
    "steps": [{"energy_kwh": 5, "price_kopecks_per_mwh": 100}],
    "code": "AB1",
    "block": False,
}


def refusal(body: dict[str, object]) -> str:
    with pytest.raises(RejectedError) as caught:
        decode_message(Order, body)
    assert caught.value.code == Code.INVALID_BODY
    return caught.value.message


def test_a_good_body_round_trips() -> None:
    order = decode_message(Order, GOOD)
    assert order.steps == (Step(5, 100),) and order.note is None
    assert encode_message(order) == GOOD


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"side": "hold"}, "body.side must be one of buy, sell"),
        ({"steps": []}, "body.steps has length 0"),
        (
            {"steps": [{"energy_kwh": -1, "price_kopecks_per_mwh": 1}]},
            "body.steps[0].energy_kwh is -1",
        ),
        ({"steps": [{"energy_kwh": 1}]}, "body.steps[0].price_kopecks_per_mwh is required"),
        ({"steps": [{"energy_kwh": True, "price_kopecks_per_mwh": 1}]}, "must be an integer"),
        ({"code": "ab1"}, "does not match"),
        ({"block": 0}, "body.block must be true or false"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ({"steps": "many"}, "body.steps must be a list"),
    ],
)
def test_bad_bodies_name_the_field(change: dict[str, object], fragment: str) -> None:
    assert fragment in refusal({**GOOD, **change})


def test_schema_describes_types_constraints_and_required_fields() -> None:
    schema = message_schema(Order)
    assert schema["required"] == ["side", "steps", "code", "block"]
    assert schema["properties"]["side"] == {"enum": ["buy", "sell"]}
    step = schema["properties"]["steps"]["items"]
    assert step["properties"]["energy_kwh"] == {"type": "integer", "minimum": 0, "maximum": 1000}
    assert schema["additionalProperties"] is False


def test_schema_speaks_json_schema_2020_12_as_the_decoder_checks() -> None:
    schema = message_schema(Order)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    steps = schema["properties"]["steps"]
    assert (steps["minItems"], steps["maxItems"]) == (1, 3)
    assert "minLength" not in steps
    assert schema["properties"]["code"]["pattern"] == r"^(?:[A-Z]{2}\d)$"
    assert schema["properties"]["note"] == {"type": ["string", "null"]}
    assert "$schema" not in steps["items"]
    assert decode_message(Order, {**GOOD, "note": None}).note is None


def test_an_unknown_constraint_is_refused_when_the_class_is_compiled() -> None:
    @dataclass(frozen=True)
    class Odd:
        TYPE: ClassVar[str] = "test.odd"
        VERSION: ClassVar[int] = 1
        note: Annotated[str, "not a constraint"]

    with pytest.raises(TypeError, match="unsupported constraint"):
        decode_message(Odd, {"note": "x"})
