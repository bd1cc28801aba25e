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
from operator import ge, gt, le, lt
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

    Gives exactly what ``evaluate`` gives (a property test holds them together). Literals and
    parameters become constants known when compiling, so that the hot shapes of an audit — a
    fact compared with a constant, a choice between constants, a sum with constant terms —
    get closures that call nothing else."""
    if isinstance(formula, bool | int):
        return _Constant(formula)
    if "op" not in formula:
        return _compile_leaf(formula, params)
    operator, args = str(formula["op"]), formula.get("args", [])
    if operator == "known":
        kind = str(args[0].get("fact"))
        return lambda facts: facts.get(kind) is not None
    return _compile_operation(operator, [compile_formula(arg, params) for arg in args])


Compiled = Callable[[Mapping[str, Value]], Value]


class _Constant:
    """A compiled literal or rule parameter: the same for every person."""

    __slots__ = ("value",)

    def __init__(self, value: Value) -> None:
        self.value = value

    def __call__(self, facts: Mapping[str, Value]) -> Value:
        return self.value


class _Fact:
    """A compiled ``{"fact": KIND}``: the person's fact of that kind, or None."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, facts: Mapping[str, Value]) -> Value:
        return facts.get(self.kind)


def _compile_operation(operator: str, parts: list[Compiled]) -> Compiled:
    if operator == "if":
        return _compiled_choice(*parts)
    if operator in COMPARISONS and len(parts) == 2:
        return _compiled_comparison(COMPARISONS[operator], *parts)
    if operator == "add":
        return _compiled_sum(parts)
    if operator == "and":
        return _compiled_conjunction(parts)
    apply = OPERATORS[operator]
    return lambda facts: apply([part(facts) for part in parts])


def _compile_leaf(formula: Mapping[str, Any], params: Mapping[str, int]) -> Compiled:
    if "param" in formula:
        return _Constant(params[str(formula["param"])])
    if "fact" in formula:
        return _Fact(str(formula["fact"]))
    kind, expected = formula["has"]
    kind = str(kind)
    return lambda facts: bool(facts.get(kind) == expected)


def _compiled_choice(condition: Compiled, then: Compiled, otherwise: Compiled) -> Compiled:
    if isinstance(then, _Constant) and isinstance(otherwise, _Constant):
        yes, no = then.value, otherwise.value

        def choose_constant(facts: Mapping[str, Value]) -> Value:
            chosen = condition(facts)
            if chosen is True:
                return yes
            if chosen is False:
                return no
            raise FormulaError(f"expected true or false, got {chosen!r}")

        return choose_constant

    def choose(facts: Mapping[str, Value]) -> Value:
        return then(facts) if _truth(condition(facts)) else otherwise(facts)

    return choose


def _compiled_comparison(
    test: Callable[[int, int], bool], first: Compiled, second: Compiled
) -> Compiled:
    if isinstance(first, _Fact) and isinstance(second, _Constant) and type(second.value) is int:
        kind, bound = first.kind, second.value

        def compare_fact(facts: Mapping[str, Value]) -> Value:
            value = facts.get(kind)
            if type(value) is not int:  # bool is not int here
                raise FormulaError(f"expected integers, got {[value, bound]!r}")
            return test(value, bound)

        return compare_fact

    def compare(facts: Mapping[str, Value]) -> Value:
        left, right = first(facts), second(facts)
        if type(left) is not int or type(right) is not int:
            raise FormulaError(f"expected integers, got {[left, right]!r}")
        return test(left, right)

    return compare


def _compiled_sum(parts: list[Compiled]) -> Compiled:
    constants = [part.value for part in parts if isinstance(part, _Constant)]
    if any(type(value) is not int for value in constants):
        return lambda facts: OPERATORS["add"]([part(facts) for part in parts])
    base = sum(constants)  # type: ignore[arg-type] # all int, checked above
    varying = [part for part in parts if not isinstance(part, _Constant)]

    def add(facts: Mapping[str, Value]) -> Value:
        total = base
        for part in varying:
            value = part(facts)
            if type(value) is not int:
                raise FormulaError(f"expected integers, got {value!r}")
            total += value
        return total

    return add


def _compiled_conjunction(parts: list[Compiled]) -> Compiled:
    def conjunction(facts: Mapping[str, Value]) -> Value:
        values = [part(facts) for part in parts]  # every part, as the interpreter does
        for value in values:
            if value is False:
                return False
            if value is not True:
                raise FormulaError(f"expected true or false, got {value!r}")
        return True

    return conjunction


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
    "lt": lt,
    "le": le,
    "gt": gt,
    "ge": ge,
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
