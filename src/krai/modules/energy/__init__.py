"""energy: a day-ahead power exchange inside a park, with sealed orders, clearing every node
recomputes, metering, settlement through accounts, and waste heat sold to district heating.

The clearing itself is a pure function of one period's book (``clearing.clear``) with an
O(n) optimality certificate (``certificate.check_certificate``); see docs/spec/clearing.md.
"""

from typing import TYPE_CHECKING

from krai.state.descriptor import ModuleDescriptor, Navigation

if TYPE_CHECKING:
    from krai.state.engine import Module


def _state_machine() -> "Module":
    """The state machine, imported when an engine is built (reads need only the records)."""
    from krai.modules.energy.machine import EnergyModule  # noqa: PLC0415 - loaded on demand

    return EnergyModule()


DESCRIPTOR = ModuleDescriptor(
    name="energy",
    kind="domain",
    state_machine=_state_machine,
    commands=(("energy", "krai.entrypoints.cli.energy:app"),),
    routers=("krai.entrypoints.api.energy:router",),
    pages=("krai.entrypoints.web.energy:router",),
    navigation=Navigation("/energy", "nav.energy"),
)
