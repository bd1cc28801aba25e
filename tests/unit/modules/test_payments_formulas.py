"""A well-formed rule formula compiled for many people gives exactly what the interpreter gives."""

from collections.abc import Callable
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from krai.modules.payments.formulas import FormulaError, check_formula, compile_formula, evaluate

OPERATORS = ["and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "add", "sub", "mul", "div"]
OPERATORS += ["min", "max", "if", "known"]
leaves = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.just({"param": "p"}),
    st.sampled_from([{"fact": "a"}, {"fact": "b"}]),
    st.just({"has": ["c", "x"]}),
)


def _node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    operation = st.builds(
        lambda op, args: {"op": op, "args": args},
        st.sampled_from(OPERATORS),
        st.lists(children, min_size=1, max_size=3),
    )
    known = st.builds(
        lambda f: {"op": "known", "args": [f]}, st.sampled_from([{"fact": "a"}, {"fact": "z"}])
    )
    return st.one_of(operation, known)


formulas = st.recursive(leaves, _node, max_leaves=8)
people = st.fixed_dictionaries(
    {
        "a": st.one_of(st.none(), st.integers(-3, 3)),
        "b": st.integers(-3, 3),
        "c": st.sampled_from(["x", "y"]),
    }
)


def _outcome(compute: Callable[[], Any]) -> tuple[str, Any, type]:
    """The value with its type (``True == 1`` in Python, but not in a rule), or an error."""
    try:
        value = compute()
    except (FormulaError, KeyError, IndexError, TypeError, ValueError):
        return ("error", None, type(None))
    return ("value", value, type(value))


@given(formulas, people)
def test_compiled_and_interpreted_formulas_agree(formula: Any, facts: dict[str, Any]) -> None:
    params = {"p": 2}
    assume(_outcome(lambda: check_formula(formula, params))[0] == "value")  # as set_rule checks
    interpreted = _outcome(lambda: evaluate(formula, facts, params))
    compiled = _outcome(lambda: compile_formula(formula, params)(facts))
    assert compiled == interpreted
