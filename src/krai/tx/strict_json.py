"""Strict JSON: duplicate keys, floats, NaN and infinities refused, each with its code.

Apart from the envelope (``codec``), so that a reader of other JSON documents (an energy
book) loads no keys or signatures with it (ADR 0031).
"""

import json
from typing import Any, NoReturn

from krai.tx.errors import Code, RejectedError


class _FloatFoundError(ValueError):
    pass


def parse_strict_json(data: bytes) -> Any:
    """Parse JSON refusing duplicate keys, floats, NaN and infinities."""
    try:
        text = data.decode("utf-8")
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_float=_refuse_float,
            parse_constant=_refuse_float,
        )
    except _FloatFoundError as error:
        _refuse(Code.FLOAT_NOT_ALLOWED, f"{error}; use an integer in named units")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _refuse(Code.MALFORMED, f"not valid UTF-8 JSON: {error}")
    except RecursionError:
        _refuse(Code.MALFORMED, "JSON nested too deeply")
    except ValueError as error:
        _refuse(Code.MALFORMED, str(error))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _refuse_float(text: str) -> NoReturn:
    raise _FloatFoundError(f"number {text} is not an integer")


def _refuse(code: Code, message: str) -> NoReturn:
    raise RejectedError(code, message)
