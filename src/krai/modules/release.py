"""The modules of this release, in the order their handlers are registered: the one list that
bootstrap, the CLI, the API and the dashboard read (each module is one descriptor)."""

from krai.modules import accounts, energy, identity, notary, parks, payments
from krai.state.descriptor import ModuleDescriptor

MODULES: tuple[ModuleDescriptor, ...] = (
    identity.DESCRIPTOR,
    accounts.DESCRIPTOR,
    notary.DESCRIPTOR,
    parks.DESCRIPTOR,
    energy.DESCRIPTOR,
    payments.DESCRIPTOR,
)
