"""What every energy rule needs: provenance stamps, lookups that refuse, the operator check."""

from typing import Any

from krai.modules.energy.model import market_key, participant_key
from krai.state.engine import Context
from krai.tx.errors import rule_violation


def market(ctx: Context, market_id: str) -> dict[str, Any]:
    """The market, or a refusal."""
    return ctx.require(market_key(market_id), f"market {market_id}")


def operated_market(ctx: Context, market_id: str) -> dict[str, Any]:
    """The market, provided the signer operates it."""
    found = market(ctx, market_id)
    if found["operator"] != ctx.signer:
        raise rule_violation(f"only market {market_id}'s operator {found['operator']} may do this")
    return found


def participant(ctx: Context, market_id: str, inn: str) -> dict[str, Any]:
    """The participant, or a refusal."""
    return ctx.require(participant_key(market_id, inn), f"{inn} as a participant of {market_id}")
