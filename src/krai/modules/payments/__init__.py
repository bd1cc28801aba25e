"""payments: traceable social payments and preferential drug provision, without personal data.

Programmes with dated, law-referenced rule versions; facts attested about pseudonymous
people; assignments, accruals checked against the rules, payments from earmarked budgets;
prescriptions, dispensing of packs by SGTIN and reimbursement; bank statements reconciled.
People are keyed pseudonyms (``pseudonyms.py``); their personal data lives in the vault.
"""

from typing import TYPE_CHECKING

from krai.state.descriptor import ModuleDescriptor, Navigation

if TYPE_CHECKING:
    from krai.state.engine import Module


def _state_machine() -> "Module":
    """The state machine, imported when an engine is built (reads need only the records)."""
    from krai.modules.payments.machine import PaymentsModule  # noqa: PLC0415 - loaded on demand

    return PaymentsModule()


DESCRIPTOR = ModuleDescriptor(
    name="payments",
    kind="domain",
    state_machine=_state_machine,
    commands=(
        ("payments", "krai.entrypoints.cli.payments:app"),
        ("vault", "krai.entrypoints.cli.vault:app"),
    ),
    routers=("krai.entrypoints.api.payments:router", "krai.entrypoints.api.vault:router"),
    pages=("krai.entrypoints.web.payments:router",),
    navigation=Navigation("/payments", "nav.payments"),
)
