"""identity: organisations (INN/OGRN, or a foreign identifier), their keys and roles, and m-of-n
governance."""

from typing import TYPE_CHECKING

from krai.state.descriptor import ModuleDescriptor

if TYPE_CHECKING:
    from krai.state.engine import Module


def _state_machine() -> "Module":
    """The state machine, imported when an engine is built (reads need only the records)."""
    from krai.modules.identity.machine import IdentityModule  # noqa: PLC0415 - loaded on demand

    return IdentityModule()


DESCRIPTOR = ModuleDescriptor(
    name="identity",
    kind="base",
    state_machine=_state_machine,
    genesis=True,
    routers=("krai.entrypoints.api.identity:router",),
)
