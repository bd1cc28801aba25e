"""The edges a module's descriptor names, loaded by the edge that shows them."""

import importlib
from typing import TypeVar

T = TypeVar("T")


def load_edge(path: str, kind: type[T]) -> T:
    """The object at ``package.module:attribute``, which must be a ``kind``."""
    module_name, _, attribute = path.partition(":")
    found = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(found, kind):
        raise TypeError(f"{path} is a {type(found).__name__}, not a {kind.__name__}")
    return found
