"""notary: documents anchored by SHA-256, provable later: that, when, and by whom."""

from typing import TYPE_CHECKING

from krai.state.descriptor import ModuleDescriptor

if TYPE_CHECKING:
    from krai.state.engine import Module


def _state_machine() -> "Module":
    """The state machine, imported when an engine is built (reads need only the records)."""
    from krai.modules.notary.machine import NotaryModule  # noqa: PLC0415 - loaded on demand

    return NotaryModule()


DESCRIPTOR = ModuleDescriptor(
    name="notary",
    kind="base",
    state_machine=_state_machine,
    commands=(("notary", "krai.entrypoints.cli.notary:app"),),
)
