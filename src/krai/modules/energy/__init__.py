"""energy: a day-ahead power exchange inside a park, with sealed orders, clearing every node
recomputes, metering, settlement through accounts, and waste heat sold to district heating.

The clearing itself is a pure function of one period's book (``clearing.clear``) with an
O(n) optimality certificate (``certificate.check_certificate``); see docs/spec/clearing.md.
"""

from collections.abc import Sequence
from typing import Any

from krai.modules.energy import messages as m
from krai.modules.energy.rules import heat, market, orders, settlement
from krai.state.descriptor import ModuleDescriptor, Navigation
from krai.state.engine import Handler, handler

OPERATOR = frozenset({"market_operator"})
TRADERS = frozenset({"market_participant", "resident"})
METERS = frozenset({"meter_operator"})
UTILITY = frozenset({"heat_utility"})


class EnergyModule:
    """The energy exchange state machine."""

    name = "energy"

    def handlers(self) -> Sequence[Handler[Any]]:
        """Every energy transaction, with who may submit it."""
        return [
            handler(
                m.OpenMarket,
                OPERATOR,
                market.apply_open,
                market.validate_open,
                market.check_open,
                summary="Open a day-ahead market for a park",
            ),
            handler(
                m.SetConnectionLimits,
                OPERATOR,
                market.apply_limits,
                market.validate_limits,
                summary="Set the connection's import and export limits from a date",
            ),
            handler(
                m.SetGridPrices,
                OPERATOR,
                market.apply_grid_prices,
                market.validate_grid_prices,
                summary="Publish the grid's sell and buy prices of a day's periods",
            ),
            handler(
                m.JoinMarket,
                TRADERS,
                market.apply_join,
                market.validate_join,
                summary="Join a market with the account settlement uses",
            ),
            handler(
                m.CommitOrders,
                TRADERS,
                orders.apply_commit,
                orders.validate_commit,
                summary="Commit to a day's orders by their hash before the gate closes",
            ),
            handler(
                m.RevealOrders,
                TRADERS,
                orders.apply_reveal,
                orders.validate_reveal,
                summary="Reveal the committed orders after the gate closes",
            ),
            handler(
                m.SubmitClearing,
                OPERATOR,
                orders.apply_clearing,
                orders.validate_clearing,
                summary="Submit a period's clearing; every node recomputes it",
            ),
            handler(
                m.SubmitReadings,
                METERS,
                settlement.apply_readings,
                settlement.validate_readings,
                summary="Submit meter readings of a day",
            ),
            handler(
                m.SettleDay,
                OPERATOR,
                settlement.apply_settlement,
                settlement.validate_settlement,
                summary="Settle a day on net positions (again: a true-up)",
            ),
            handler(
                m.SetHeatTariff,
                UTILITY,
                heat.apply_tariff,
                heat.validate_tariff,
                summary="Set the two-part tariff for residents' waste heat",
            ),
            handler(
                m.ContractHeat,
                UTILITY,
                heat.apply_contract,
                heat.validate_contract,
                summary="Contract a resident's heat capacity into a micro-district",
            ),
            handler(
                m.SubmitHeatReadings,
                METERS,
                heat.apply_heat_readings,
                heat.validate_heat_readings,
                summary="Submit a month's heat readings",
            ),
            handler(
                m.SettleHeat,
                UTILITY,
                heat.apply_heat_settlement,
                heat.validate_heat_settlement,
                summary="Pay residents for a month's heat",
            ),
        ]


DESCRIPTOR = ModuleDescriptor(
    name="energy",
    kind="domain",
    state_machine=EnergyModule,
    commands=(("energy", "krai.entrypoints.cli.energy:app"),),
    routers=("krai.entrypoints.api.energy:router",),
    pages=("krai.entrypoints.web.energy:router",),
    navigation=Navigation("/energy", "nav.energy"),
)
