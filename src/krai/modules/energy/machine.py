"""The energy state machine: its handlers, who may submit each, and what each reads."""

from collections.abc import Sequence
from typing import Any

from krai.modules.energy import messages as m
from krai.modules.energy.rules import balances, heat, market, orders, settlement
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
                m.OpenMarketV1,
                OPERATOR,
                market.apply_open,
                market.validate_open_v1,
                market.check_open_v1,
                summary="Open a market without a grid account (version 1, for old logs)",
            ),
            handler(
                m.OpenMarket,
                OPERATOR,
                market.apply_open,
                market.validate_open,
                market.check_open,
                summary="Open a day-ahead market for a registered park, with its grid account",
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
                m.SettleDayV1,
                OPERATOR,
                settlement.apply_settlement,
                settlement.validate_settlement,
                summary="Settle a market without a grid account (version 1, for old logs)",
            ),
            handler(
                m.SettleDay,
                OPERATOR,
                balances.apply_settlement,
                balances.validate_settlement,
                summary="Settle a day as balances, the grid's share included (again: a true-up)",
            ),
            handler(
                m.CollectOutstanding,
                OPERATOR,
                balances.apply_collection,
                balances.validate_collection,
                summary="Collect what accounts now cover of settled days' outstanding amounts",
            ),
            handler(
                m.WriteOff,
                OPERATOR,
                balances.apply_write_off,
                balances.validate_write_off,
                summary="Close a party's outstanding amount of a day without money",
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
