"""parks: industrial parks, clusters, sites, capacity, residents, agreements, support, targets.

Every figure an investor reads carries its source, its date and the organisation that signed
it, and lives in a log entry whose inclusion anyone can prove.
"""

from typing import TYPE_CHECKING

from krai.state.descriptor import ModuleDescriptor, Navigation

if TYPE_CHECKING:
    from krai.state.engine import Module


def _state_machine() -> "Module":
    """The state machine, imported when an engine is built (reads need only the records)."""
    from krai.modules.parks.machine import ParksModule  # noqa: PLC0415 - loaded on demand

    return ParksModule()


DESCRIPTOR = ModuleDescriptor(
    name="parks",
    kind="domain",
    state_machine=_state_machine,
    commands=(("parks", "krai.entrypoints.cli.parks:app"),),
    routers=("krai.entrypoints.api.parks:router",),
    pages=("krai.entrypoints.web.parks:router",),
    navigation=Navigation("/parks", "nav.parks"),
)
