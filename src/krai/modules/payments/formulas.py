"""Declarative eligibility and amount formulas: JSON trees evaluated deterministically.

A programme's rule version holds two formulas — ``eligibility`` (true or false) and
``amount_kopecks`` (an integer) — written as JSON, never as code, so every node evaluates
them alike and nothing is ``eval``-ed. A formula is one of:

- an integer or ``true`` / ``false``;
- ``{"param": NAME}`` — a parameter of the rule version (an integer, e.g. a subsistence minimum);
- ``{"fact": KIND}`` — the person's attested fact of that kind on the date (an integer, a
  text, or null when none is attested); ``{"has": [KIND, VALUE]}`` — whether that fact equals
  the value;
- ``{"op": OP, "args": [...]}`` with OP one of ``and``, ``or``, ``not``, ``eq``, ``ne``,
  ``lt``, ``le``, ``gt``, ``ge``, ``add``, ``sub``, ``mul``, ``div`` (floor), ``min``, ``max``,
  ``if`` (condition, then, else), ``known`` (the fact is attested).

Integers only; dividing by zero, comparing a missing fact or a text with a number, or a tree
deeper than ``MAX_DEPTH`` is an error, which a rule version is checked against when it is set.
"""

from collections.abc import Callable, Mapping
from typing import Any

MAX_DEPTH = 32
Value = int | bool | str | None


class FormulaError(ValueError):
    """A formula that cannot be evaluated: malformed, or undefined for these facts."""


def evaluate(formula: Any, facts: Mapping[str, Value], params: Mapping[str, int]) -> Value:
    """The value of ``formula`` for a person's ``facts`` under a rule's ``params``."""
    return _evaluate(formula, facts, params, 0)


def compile_formula(
    formula: Any, params: Mapping[str, int]
) -> Callable[[Mapping[str, Value]], Value]:
    """``formula`` as a function of the facts, for evaluating one rule over many people.

    Gives exactly what ``evaluate`` gives (a property test holds them together); leaves,
    comparisons and sums get closures of their own, the hot path of an audit."""
    if isinstance(formula, bool | int):
        return lambda facts: formula
    if "op" not in formula:
        return _compile_leaf(formula, params)
    operator, args = str(formula["op"]), formula.get("args", [])
    if operator == "known":
        kind = str(args[0].get("fact"))
        return lambda facts: facts.get(kind) is not None
    return _compile_operation(operator, [compile_formula(arg, params) for arg in args])


Compiled = Callable[[Mapping[str, Value]], Value]


def _compile_operation(operator: str, parts: list[Compiled]) -> Compiled:
    if operator == "if":
        condition, then, otherwise = parts
        return lambda facts: then(facts) if _truth(condition(facts)) else otherwise(facts)
    if operator in COMPARISONS and len(parts) == 2:
        return _compiled_comparison(COMPARISONS[operator], *parts)
    if operator == "add":
        return _compiled_sum(parts)
    apply = OPERATORS[operator]
    return lambda facts: apply([part(facts) for part in parts])


def _compile_leaf(formula: Mapping[str, Any], params: Mapping[str, int]) -> Compiled:
    if "param" in formula:
        value = params[str(formula["param"])]
        return lambda facts: value
    if "fact" in formula:
        kind = str(formula["fact"])
        return lambda facts: facts.get(kind)
    kind, expected = formula["has"]
    kind = str(kind)
    return lambda facts: bool(facts.get(kind) == expected)


def _compiled_comparison(
    test: Callable[[int, int], bool], first: Compiled, second: Compiled
) -> Compiled:
    def compare(facts: Mapping[str, Value]) -> Value:
        left, right = first(facts), second(facts)
        if type(left) is not int or type(right) is not int:  # bool is not int here
            raise FormulaError(f"expected integers, got {[left, right]!r}")
        return test(left, right)

    return compare


def _compiled_sum(parts: list[Compiled]) -> Compiled:
    def add(facts: Mapping[str, Value]) -> Value:
        values = [part(facts) for part in parts]
        total = 0
        for value in values:
            if type(value) is not int:
                raise FormulaError(f"expected integers, got {values!r}")
            total += value
        return total

    return add


def check_formula(formula: Any, params: Mapping[str, int]) -> None:
    """Refuse a malformed formula: unknown operators, wrong arities, undefined parameters."""
    _check(formula, params, 0)


def _evaluate(
    formula: Any, facts: Mapping[str, Value], params: Mapping[str, int], depth: int
) -> Value:
    if depth > MAX_DEPTH:
        raise FormulaError(f"a formula nests deeper than {MAX_DEPTH}")
    if isinstance(formula, bool | int):
        return formula
    if not isinstance(formula, Mapping):
        raise FormulaError(f"not a formula: {formula!r}")
    if "op" not in formula:
        return _leaf(formula, facts, params)
    operator, args = str(formula["op"]), formula.get("args", [])
    if operator == "known":
        return facts.get(str(args[0].get("fact"))) is not None
    if operator == "if":
        condition = _truth(_evaluate(args[0], facts, params, depth + 1))
        return _evaluate(args[1] if condition else args[2], facts, params, depth + 1)
    values = [_evaluate(arg, facts, params, depth + 1) for arg in args]
    return OPERATORS[operator](values)


def _leaf(
    formula: Mapping[str, Any], facts: Mapping[str, Value], params: Mapping[str, int]
) -> Value:
    if "param" in formula:
        return params[str(formula["param"])]
    if "fact" in formula:
        return facts.get(str(formula["fact"]))
    kind, value = formula["has"]
    return bool(facts.get(str(kind)) == value)


def _truth(value: Value) -> bool:
    if not isinstance(value, bool):
        raise FormulaError(f"expected true or false, got {value!r}")
    return value


def _numbers(values: list[Value]) -> list[int]:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise FormulaError(f"expected integers, got {values!r}")
    return [int(v) for v in values]  # type: ignore[arg-type]


def _order(test: Callable[[int, int], bool]) -> Callable[[list[Value]], Value]:
    def compare(values: list[Value]) -> Value:
        first, second = _numbers(values)
        return test(first, second)

    return compare


def _equal(values: list[Value]) -> Value:
    first, second = values
    if first is None or second is None or isinstance(first, bool) != isinstance(second, bool):
        raise FormulaError(f"cannot compare {first!r} with {second!r}")
    if isinstance(first, str) != isinstance(second, str):
        raise FormulaError(f"cannot compare {first!r} with {second!r}")
    return first == second


def _divide(values: list[Value]) -> Value:
    numerator, denominator = _numbers(values)
    if denominator == 0:
        raise FormulaError("division by zero")
    return numerator // denominator


def _product(values: list[Value]) -> Value:
    result = 1
    for value in _numbers(values):
        result *= value
    return result


COMPARISONS: dict[str, Callable[[int, int], bool]] = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
OPERATORS: dict[str, Callable[[list[Value]], Value]] = {
    "and": lambda values: all(_truth(v) for v in values),
    "or": lambda values: any(_truth(v) for v in values),
    "not": lambda values: not _truth(values[0]),
    "eq": _equal,
    "ne": lambda values: not _equal(values),
    **{name: _order(test) for name, test in COMPARISONS.items()},
    "add": lambda values: sum(_numbers(values)),
    "sub": lambda values: _numbers(values)[0] - sum(_numbers(values)[1:]),
    "mul": _product,
    "div": _divide,
    "min": lambda values: min(_numbers(values)),
    "max": lambda values: max(_numbers(values)),
}
ARITY: dict[str, tuple[int, int]] = {
    "not": (1, 1),
    "eq": (2, 2),
    "ne": (2, 2),
    "lt": (2, 2),
    "le": (2, 2),
    "gt": (2, 2),
    "ge": (2, 2),
    "div": (2, 2),
    "sub": (2, 10),
    "if": (3, 3),
    "known": (1, 1),
}


def _check(formula: Any, params: Mapping[str, int], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError(f"a formula nests deeper than {MAX_DEPTH}")
    if isinstance(formula, bool | int):
        return
    if not isinstance(formula, Mapping) or len(formula) not in (1, 2):
        raise FormulaError(f"not a formula: {formula!r}")
    if "param" in formula:
        if formula["param"] not in params:
            raise FormulaError(f"parameter {formula['param']!r} is not defined")
        return
    if "fact" in formula or "has" in formula:
        return
    _check_operation(formula, params, depth)


def _check_operation(formula: Mapping[str, Any], params: Mapping[str, int], depth: int) -> None:
    operator, args = formula.get("op"), formula.get("args")
    if operator not in OPERATORS and operator not in ("if", "known"):
        raise FormulaError(f"unknown operator {operator!r}")
    if not isinstance(args, list):
        raise FormulaError(f"{operator}: args must be a list")
    low, high = ARITY.get(str(operator), (1, 20))
    if not low <= len(args) <= high:
        raise FormulaError(f"{operator} takes {low}..{high} arguments, not {len(args)}")
    if operator == "known":
        if not (isinstance(args[0], Mapping) and "fact" in args[0]):
            raise FormulaError("known takes a fact")
        return
    for arg in args:
        _check(arg, params, depth + 1)
