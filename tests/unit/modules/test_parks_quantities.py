"""A stated quantity's qualifier decides what a rule may rely on, and records keep it."""

import pytest

from krai.modules.parks.model import CURRENCY_MINOR_UNITS, guaranteed
from krai.modules.parks.records import FactStatement, TimelineStep
from krai.state.records import decode_record, encode_record

PROVENANCE = {"by": "7707083893", "index": 1, "time_ms": 0, "tx_id": "t"}


@pytest.mark.parametrize(
    ("value", "bound", "relied_on"),
    [
        (120_000, "exact", 120_000),
        (120_000, "over", 120_000),
        (120_000, "at_least", 120_000),
        (120_000, "about", 0),
        (120_000, "up_to", 0),
        (120_000, "under", 0),
        (None, "exact", 0),
    ],
)
def test_only_a_guaranteed_least_amount_is_relied_on(
    value: int | None, bound: str, relied_on: int
) -> None:
    assert guaranteed(value, bound) == relied_on


def test_an_exact_step_is_stored_as_before_the_qualifiers_existed() -> None:
    step = TimelineStep(from_="2018-03-15", capacity=120_000, source="s", **PROVENANCE)
    assert b"bound" not in encode_record(step)
    assert step.guaranteed() == 120_000


def test_an_unknown_capacity_is_null_and_guarantees_nothing() -> None:
    step = TimelineStep(from_="2018-03-15", capacity=None, source="s", **PROVENANCE)
    assert b'"capacity":null' in encode_record(step)
    assert decode_record(encode_record(step), TimelineStep).guaranteed() == 0


def test_a_fact_keeps_its_bound_and_currency() -> None:
    fact = FactStatement(
        value=19_300_000_000,
        as_of="2018-03-15",
        source="s",
        currency="USD",
        bound="about",
        **PROVENANCE,
    )
    again = decode_record(encode_record(fact), FactStatement)
    assert (again.value, again.bound, again.currency) == (19_300_000_000, "about", "USD")


def test_the_currency_table_holds_iso_4217_minor_units() -> None:
    assert CURRENCY_MINOR_UNITS["RUB"] == 2
    assert CURRENCY_MINOR_UNITS["USD"] == 2
    assert CURRENCY_MINOR_UNITS["JPY"] == 0
    assert all(len(code) == 3 and code.isupper() for code in CURRENCY_MINOR_UNITS)
