"""The published body schemas are JSON Schema 2020-12 and never refuse what the server takes.

Bodies the scenarios' ledger accepted are mutated (a field dropped, added, replaced by any JSON
value, a string or list stretched); whenever the published schema refuses the result, the
server's strict decoder must refuse it too.
"""

import copy
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from krai.tx.errors import Code
from tests.scenarios.body_schemas import (
    REFUSALS,
    accepted_transactions,
    published_types,
    server_refusal,
    validator,
)
from tests.scenarios.scenario import Scenario

HERE = Path(__file__).parent
REPRESENTATIVES = [
    "identity.propose_admission",  # patterns (INN, OGRN) and an array of enum strings
    "accounts.transfer",
    "notary.anchor",
    "parks.state_park_facts",  # an array of nested objects
    "energy.reveal_orders",  # arrays of nested objects, one of them optional
    "payments.register_programme",  # the payment agent's pattern, a nested object
]
Path_ = tuple[str | int, ...]


@cache
def accepted_bodies() -> dict[str, list[dict[str, Any]]]:
    """The bodies of every transaction the YAML scenarios' ledgers accepted, by type."""
    bodies: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(HERE.glob("**/*.yaml")):
        scenario = Scenario(yaml.safe_load(path.read_text(encoding="utf-8")))
        scenario.run()
        for tx in accepted_transactions(scenario.ledger):
            bodies.setdefault(tx.type, []).append(dict(tx.body))
    return bodies


def test_every_published_schema_is_valid_json_schema_2020_12() -> None:
    described = list(published_types())
    assert described
    for entry in described:
        schema = entry["body_schema"]
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)


def test_no_length_keyword_is_ignored_by_the_type_it_sits_on() -> None:
    for entry in published_types():
        for node in _nodes(entry["body_schema"]):
            kind = node.get("type")
            kinds = set(kind) if isinstance(kind, list) else {kind}
            if {"minLength", "maxLength"} & node.keys():
                assert "string" in kinds, (entry["type"], node)
            if {"minItems", "maxItems"} & node.keys():
                assert "array" in kinds, (entry["type"], node)


def test_every_pattern_is_anchored_around_the_whole_expression() -> None:
    for entry in published_types():
        for node in _nodes(entry["body_schema"]):
            if "pattern" in node:
                assert node["pattern"].startswith("^(?:"), (entry["type"], node)
                assert node["pattern"].endswith(")$"), (entry["type"], node)


def test_a_payment_agent_with_a_tail_is_refused_by_the_schema() -> None:
    body = accepted_bodies()["payments.register_programme"][0]
    schema = validator("payments.register_programme")
    assert schema.is_valid(body)
    assert not schema.is_valid({**body, "payment_agent": "3981948215abc"})
    assert server_refusal("payments.register_programme", {**body, "payment_agent": "3981948215abc"})


def test_an_array_over_its_maximum_is_refused_by_the_schema() -> None:
    body = accepted_bodies()["identity.propose_admission"][0]
    schema = validator("identity.propose_admission").schema["properties"]["roles"]
    assert (schema["minItems"], schema["maxItems"]) == (1, 20)
    too_many = {**body, "roles": ["resident"] * 21}
    assert not validator("identity.propose_admission").is_valid(too_many)
    assert not validator("identity.propose_admission").is_valid({**body, "roles": []})
    assert server_refusal("identity.propose_admission", too_many) == Code.INVALID_BODY


def test_check_digit_fields_describe_the_field_not_the_error() -> None:
    inn = validator("identity.propose_admission").schema["properties"]["inn"]
    assert inn["pattern"] == "^(?:[0-9]{10}|[0-9]{12})$"
    assert "checked by the server" in inn["description"]
    assert "not a valid" not in inn["description"]


def test_an_optional_field_may_be_null_as_the_decoder_reads_null_as_absent() -> None:
    body = accepted_bodies()["identity.propose_admission"][0]
    with_null = {**body, "name_en": None}
    assert validator("identity.propose_admission").is_valid(with_null)
    assert server_refusal("identity.propose_admission", with_null) is None
    assert not validator("identity.propose_admission").is_valid({**body, "inn": None})


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("type_name", REPRESENTATIVES)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_what_the_schema_refuses_the_server_refuses(type_name: str, data: st.DataObject) -> None:
    body = data.draw(st.sampled_from(accepted_bodies()[type_name]), label="body")
    path = data.draw(st.sampled_from(list(_paths(body))), label="path")
    mutated = data.draw(_mutations(body, path), label="mutated")
    if not validator(type_name).is_valid(mutated):
        assert server_refusal(type_name, mutated) in REFUSALS


@st.composite
def _mutations(draw: st.DrawFn, body: dict[str, Any], path: Path_) -> dict[str, Any]:
    """``body`` changed at ``path``: replaced, dropped, extended or stretched."""
    mutated = copy.deepcopy(body)
    parent: Any = {"": mutated}  # the root sits in a holder so that every path has a parent
    last: str | int = ""
    if path:
        parent, last = _at(mutated, path[:-1]), path[-1]
    value = parent[last]
    kind = draw(st.sampled_from(["replace", "drop", "add", "stretch"]))
    if kind == "drop" and isinstance(parent, dict) and path:
        del parent[last]
    elif kind == "add" and isinstance(value, dict):
        value[draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
    elif kind == "stretch" and isinstance(value, str | list) and value:
        parent[last] = value * draw(st.integers(2, 600))
    elif path:
        parent[last] = draw(JSON_VALUES)
    return mutated


def _paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """The path of ``value`` and of everything inside it."""
    yield prefix
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, inner in items:
        yield from _paths(inner, (*prefix, key))


def _at(value: Any, path: Path_) -> Any:
    for key in path:
        value = value[key]
    return value


def _nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema object inside a schema (properties, items, additionalProperties)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for inner in schema.get("properties", {}).values():
        yield from _nodes(inner)
    for key in ("items", "additionalProperties"):
        yield from _nodes(schema.get(key))
