"""The demo's areas in the order of their simulated time, and the build that runs them."""

from collections.abc import Callable
from dataclasses import dataclass

from krai.config.settings import Settings
from krai.demo import clusters, energy, parks, payments
from krai.demo.world import Phase, Step, found

PHASES = (
    Phase(
        "Krasnoyarsk park of digital technologies, spring 2018",
        parks.KRASNOYARSK_WORK,
        parks.krasnoyarsk,
    ),
    Phase("Energy exchange: a week of hourly auctions, June 2018", energy.ENERGY_WORK, energy.week),
    Phase("Residents' quarterly reports, 2018–2019", parks.REPORTS_WORK, parks.krasnoyarsk_reports),
    Phase(
        "Great Stone, NOC «Sever» and Yakutia's 2030 targets, 2025",
        clusters.GREAT_STONE_WORK,
        clusters.great_stone,
    ),
    Phase(
        "Angara-Yenisei cluster and the Minusinsk site, December 2025",
        clusters.ANGARA_WORK,
        clusters.angara_yenisei,
    ),
    Phase(
        "Social payments: Kaliningrad benefit and Novgorod drugs, 2026",
        payments.PAYMENTS_WORK,
        payments.programmes,
    ),
)


@dataclass(frozen=True)
class Built:
    """What the build made: the figures per kind, and the log's size and root."""

    counts: dict[str, int]
    size: int
    root_hash: str


def build_world(settings: Settings, report: Callable[[Phase, Step], None]) -> Built:
    """Found the network in ``settings.home`` and build every area; ``report`` is told of each
    step as it is done."""
    world = found(settings)
    try:
        for phase in PHASES:
            for step in phase.build(world):
                report(phase, step)
        checkpoint = world.services.storage.latest_checkpoint()
        assert checkpoint is not None
        return Built(
            dict(sorted(world.counts.items())), checkpoint.size, checkpoint.root_hash.hex()
        )
    finally:
        world.services.close()
