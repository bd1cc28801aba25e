"""A module is one descriptor: its state machine, and the edges that show it to people.

The descriptor names its command-line group, API routers and dashboard pages by import path
(``"package.module:attribute"``) rather than importing them: a module is deterministic core
and may not import the web or CLI libraries, while each edge loads only what is its own.
Bootstrap builds the engine from the descriptors, the CLI adds their command groups, the API
their routers, the dashboard their pages and navigation; a test holds every descriptor to
what exists (docs/modules/README.md lists the files a new module touches).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from krai.state.engine import Module


@dataclass(frozen=True)
class Navigation:
    """The module's entry in the dashboard's navigation: where it goes, and its label's key in
    the dashboard's catalogue (``nav.<name>``)."""

    path: str
    label: str


@dataclass(frozen=True)
class ModuleDescriptor:
    """Everything the rest of krai needs to know of one module."""

    name: str
    kind: Literal["base", "domain"]
    state_machine: Callable[[], "Module"]
    """Builds the state machine; a module imports its machine (messages, rules) only here, so
    that reading its records does not load them."""
    genesis: bool = False
    """Whether the state machine applies the genesis (has ``apply_genesis``): a replay builds
    such a module at once and every other one only when the log first needs it."""
    commands: tuple[tuple[str, str], ...] = ()
    """CLI groups: (group name, import path of a ``typer.Typer``)."""
    routers: tuple[str, ...] = ()
    """``/v1`` API routers: import paths of ``fastapi.APIRouter`` objects."""
    pages: tuple[str, ...] = ()
    """Dashboard pages: import paths of ``fastapi.APIRouter`` objects."""
    navigation: Navigation | None = None
