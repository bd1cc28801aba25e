"""Transaction bodies as frozen dataclasses, decoded strictly from JSON and described as schemas.

Each message class names its ``TYPE`` and ``VERSION``. Field types may be ``str``, ``int``,
``bool``, ``list[T]``, ``T | None`` (optional: may be absent), ``Literal[...]``, a nested
frozen dataclass, or any of these inside ``Annotated[T, constraint, ...]`` with the
constraints below. Unknown fields, missing fields and wrong types are refused.
"""

import dataclasses
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    Protocol,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    get_type_hints,
)

from krai.state.calendar import is_calendar_date
from krai.tx.errors import invalid_body

M = TypeVar("M")


class Message(Protocol):
    """A transaction body type."""

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]


@dataclass(frozen=True)
class Min:
    """The integer must be at least ``value``."""

    value: int


@dataclass(frozen=True)
class Max:
    """The integer must be at most ``value``."""

    value: int


@dataclass(frozen=True)
class Pattern:
    """The string must match the regular expression entirely."""

    regex: str


@dataclass(frozen=True)
class Length:
    """The string or list length must lie in [minimum, maximum]."""

    minimum: int = 0
    maximum: int = 1000


@dataclass(frozen=True)
class Check:
    """A predicate the server runs (e.g. an INN check digit), and what a schema can say of it.

    ``describe`` is the error text when it fails; ``about`` is the published description: what
    the field is and what the server checks beyond the schema. ``pattern``, ``choices`` and
    ``format`` are what the predicate implies that JSON Schema can state.
    """

    predicate: Callable[[Any], bool]
    describe: str
    about: str
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    format: str | None = None


Positive = Annotated[int, Min(1)]
NonNegative = Annotated[int, Min(0)]
Name = Annotated[str, Length(1, 500)]
Identifier = Annotated[str, Pattern(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")]
Hex256 = Annotated[str, Pattern(r"[0-9a-f]{64}")]
Date = Annotated[
    str,
    Pattern(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    Check(
        is_calendar_date,
        "not a calendar date",
        "A calendar date YYYY-MM-DD; the server checks that the day exists (not 2026-02-30)",
        format="date",
    ),
]
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect of the published body schemas."""


def decode_message(cls: type[M], body: Mapping[str, Any]) -> M:
    """Decode ``body`` into an instance of the dataclass ``cls``, or raise ``invalid_body``."""
    message: M = _dataclass_decoder(cast("type[Any]", cls))(body, "body")
    return message


def message_schema(cls: type[Any]) -> dict[str, Any]:
    """A JSON Schema 2020-12 of the dataclass ``cls`` as a transaction body.

    It refuses what ``decode_message`` refuses wherever a schema can say so; what only the
    server checks (check digits, real dates) is named in the fields' ``description``.
    """
    return {"$schema": SCHEMA_DIALECT, **_object_schema(cls)}


def _object_schema(cls: type[Any]) -> dict[str, Any]:
    hints = get_type_hints(cls, include_extras=True)
    fields = dataclasses.fields(cls)
    properties = {f.name: _field_schema(hints[f.name]) for f in fields}
    required = [f.name for f in fields if not _is_optional(hints[f.name])]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _field_schema(hint: Any) -> dict[str, Any]:
    """A field's schema; an optional field may also be null, which the decoder reads as absent."""
    schema = _schema(hint)
    if not _is_optional(hint):
        return schema
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    elif "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def encode_message(message: Any) -> dict[str, Any]:
    """The JSON body of a message instance (optional fields left out when None)."""
    kind = type(message)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(field.name for field in dataclasses.fields(kind))
    body: dict[str, Any] = {}
    for name in names:
        value = getattr(message, name)
        if value is None:
            continue
        kind = type(value)
        body[name] = value if kind is str or kind is int or kind is bool else _encode(value)
    return body


def _encode(value: Any) -> Any:
    if isinstance(value, str | int):
        return value
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode_message(value)
    return value


Decoder = Callable[[Any, str], Any]
"""Decodes a JSON value found at a path, or raises ``invalid_body`` naming the path."""

_DECODERS: dict[type[Any], Decoder] = {}
_SCALARS: dict[type[Any], str] = {int: "an integer", str: "a string", bool: "true or false"}


def _dataclass_decoder(cls: type[Any]) -> Decoder:
    """The decoder of a message class, compiled once from its type hints."""
    found = _DECODERS.get(cls)
    if found is None:
        found = _DECODERS[cls] = _compile_dataclass(cls)
    return found


def _compile_dataclass(cls: type[Any]) -> Decoder:
    hints = get_type_hints(cls, include_extras=True)
    fields = [
        (f.name, _is_optional(hints[f.name]), _compile(hints[f.name]))
        for f in dataclasses.fields(cls)
    ]
    names = frozenset(name for name, _, _ in fields)
    body_paths = {name: f"body.{name}" for name in names}  # the paths of a whole body's fields

    def decode(body: Any, path: str) -> Any:
        if not isinstance(body, Mapping):
            raise invalid_body(f"{path} must be an object")
        if not names.issuperset(body):
            raise invalid_body(f"{path}: unknown field(s) {', '.join(sorted(set(body) - names))}")
        values = {}
        for name, optional, decoder in fields:
            value = body.get(name)
            if value is not None:
                field_path = body_paths[name] if path == "body" else f"{path}.{name}"
                values[name] = decoder(value, field_path)
            elif optional:
                values[name] = None
            else:
                raise invalid_body(f"{path}.{name} is required")
        return cls(**values)

    return decode


def _compile(hint: Any) -> Decoder:
    origin = get_origin(hint)
    if origin is Annotated:
        base, *constraints = get_args(hint)
        return _constrained(_compile(base), [_compile_constraint(c) for c in constraints])
    if origin in (Union, types.UnionType):
        return _compile(_non_none(hint))
    container = _compile_container(hint, origin)
    if container is not None:
        return container
    if dataclasses.is_dataclass(hint):
        return _nested(cast("type[Any]", hint))
    if hint not in _SCALARS:
        raise TypeError(f"unsupported field type {hint!r}")
    return _scalar(hint)


def _compile_container(hint: Any, origin: Any) -> Decoder | None:
    """Decoders of lists, objects of one value type, literals and free JSON values."""
    if hint is Any:
        return _json_value
    if origin is dict:
        return _mapping_of(_compile(get_args(hint)[1]))
    if origin is Literal:
        return _literal(get_args(hint))
    if origin in (list, tuple):
        return _list_of(_compile(get_args(hint)[0]))
    return None


def _nested(cls: type[Any]) -> Decoder:
    def decode(value: Any, path: str) -> Any:
        return _dataclass_decoder(cls)(value, path)  # looked up late: classes may nest

    return decode


def _constrained(inner: Decoder, checks: list[Callable[[Any, str], None]]) -> Decoder:
    if len(checks) == 1:  # the common case, without a loop
        (check,) = checks

        def decode_one(value: Any, path: str) -> Any:
            decoded = inner(value, path)
            check(decoded, path)
            return decoded

        return decode_one

    def decode(value: Any, path: str) -> Any:
        decoded = inner(value, path)
        for check in checks:
            check(decoded, path)
        return decoded

    return decode


def _literal(options: tuple[Any, ...]) -> Decoder:
    def decode(value: Any, path: str) -> Any:
        if isinstance(value, bool) or value not in options:
            raise invalid_body(f"{path} must be one of {', '.join(map(str, options))}")
        return value

    return decode


def _list_of(item: Decoder) -> Decoder:
    def decode(value: Any, path: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise invalid_body(f"{path} must be a list")
        return tuple(item(element, f"{path}[{i}]") for i, element in enumerate(value))

    return decode


def _json_value(value: Any, path: str) -> Any:
    """Any JSON value, kept as it is (the codec has already refused floats)."""
    return value


def _mapping_of(item: Decoder) -> Decoder:
    def decode(value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise invalid_body(f"{path} must be an object")
        return {str(key): item(element, f"{path}.{key}") for key, element in value.items()}

    return decode


def _scalar(kind: type[Any]) -> Decoder:
    is_bool = kind is bool

    def decode(value: Any, path: str) -> Any:
        if isinstance(value, bool) != is_bool or not isinstance(value, kind):
            raise invalid_body(f"{path} must be {_SCALARS[kind]}")
        return value

    return decode


def _compile_constraint(constraint: Any) -> Callable[[Any, str], None]:
    """The check of one constraint, chosen once for its kind."""
    if isinstance(constraint, Pattern):
        return _pattern_check(constraint)
    if isinstance(constraint, Min):
        return _min_check(constraint.value)
    if isinstance(constraint, Max):
        return _max_check(constraint.value)
    if isinstance(constraint, Length):
        return _length_check(constraint.minimum, constraint.maximum)
    if isinstance(constraint, Check):
        return _predicate_check(constraint)
    raise TypeError(f"unsupported constraint {constraint!r}")


def _pattern_check(constraint: Pattern) -> Callable[[Any, str], None]:
    regex = re.compile(constraint.regex)

    def matches(value: Any, path: str) -> None:
        if not regex.fullmatch(value):
            raise invalid_body(f"{path} {value!r} does not match {constraint.regex}")

    return matches


def _min_check(least: int) -> Callable[[Any, str], None]:
    def at_least(value: Any, path: str) -> None:
        if value < least:
            raise invalid_body(f"{path} is {value}, it must be at least {least}")

    return at_least


def _max_check(most: int) -> Callable[[Any, str], None]:
    def at_most(value: Any, path: str) -> None:
        if value > most:
            raise invalid_body(f"{path} is {value}, it must be at most {most}")

    return at_most


def _length_check(minimum: int, maximum: int) -> Callable[[Any, str], None]:
    def length_within(value: Any, path: str) -> None:
        if not minimum <= len(value) <= maximum:
            raise invalid_body(f"{path} has length {len(value)}, allowed {minimum}..{maximum}")

    return length_within


def _predicate_check(constraint: Check) -> Callable[[Any, str], None]:
    predicate, describe = constraint.predicate, constraint.describe

    def holds(value: Any, path: str) -> None:
        if not predicate(value):
            raise invalid_body(f"{path} {value!r}: {describe}")

    return holds


def _is_optional(hint: Any) -> bool:
    if get_origin(hint) is Annotated:
        return _is_optional(get_args(hint)[0])
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


def _non_none(hint: Any) -> Any:
    options = [arg for arg in get_args(hint) if arg is not type(None)]
    return options[0]


def _schema(hint: Any) -> dict[str, Any]:
    origin = get_origin(hint)
    if hint is Any:
        return {}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(get_args(hint)[1])}
    return _typed_schema(hint, origin)


def _typed_schema(hint: Any, origin: Any) -> dict[str, Any]:
    if origin is Annotated:
        return _annotated_schema(*get_args(hint))
    if origin in (Union, types.UnionType):
        return _schema(_non_none(hint))
    if origin is Literal:
        return {"enum": list(get_args(hint))}
    if origin in (list, tuple):
        return {"type": "array", "items": _schema(get_args(hint)[0])}
    if dataclasses.is_dataclass(hint):
        return _object_schema(cast("type[Any]", hint))
    return {"type": {int: "integer", str: "string", bool: "boolean"}[hint]}


def _annotated_schema(base: Any, *constraints: Any) -> dict[str, Any]:
    schema = _schema(base)
    for constraint in constraints:
        schema.update(_constraint_schema(constraint, schema.get("type")))
    return schema


_LENGTH_KEYWORDS = {
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
    "string": ("minLength", "maxLength"),
}


def _constraint_schema(constraint: Any, kind: Any) -> dict[str, Any]:
    """The keywords of one constraint on a value of JSON type ``kind``."""
    if isinstance(constraint, Min):
        return {"minimum": constraint.value}
    if isinstance(constraint, Max):
        return {"maximum": constraint.value}
    if isinstance(constraint, Pattern):
        return {"pattern": _anchored(constraint.regex)}
    if isinstance(constraint, Length):
        least, most = _LENGTH_KEYWORDS[kind]
        return {least: constraint.minimum, most: constraint.maximum}
    if isinstance(constraint, Check):
        return _check_schema(constraint)
    raise TypeError(f"unsupported constraint {constraint!r}")


def _check_schema(check: Check) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": check.about}
    if check.pattern is not None:
        schema["pattern"] = _anchored(check.pattern)
    if check.choices:
        schema["enum"] = list(check.choices)
    if check.format is not None:
        schema["format"] = check.format
    return schema


def _anchored(regex: str) -> str:
    """``regex`` as a JSON Schema pattern (which searches) matching as ``re.fullmatch`` does."""
    return f"^(?:{regex})$"
