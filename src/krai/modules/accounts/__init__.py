"""accounts: rouble accounts in kopecks, double entry, earmarked funds; ``rules.move``."""

from typing import TYPE_CHECKING

from krai.state.descriptor import ModuleDescriptor

if TYPE_CHECKING:
    from krai.state.engine import Module


def _state_machine() -> "Module":
    """The state machine, imported when an engine is built (reads need only the records)."""
    from krai.modules.accounts.machine import AccountsModule  # noqa: PLC0415 - loaded on demand

    return AccountsModule()


DESCRIPTOR = ModuleDescriptor(
    name="accounts",
    kind="base",
    state_machine=_state_machine,
)
