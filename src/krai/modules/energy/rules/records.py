"""What every energy rule needs: provenance stamps, lookups that refuse, the operator check."""

from krai.modules.energy.model import market_key, participant_key
from krai.modules.energy.records import Market, Participant, Stamp
from krai.state.calendar import local_time_text
from krai.state.engine import Context
from krai.state.records import R, read_record
from krai.tx.errors import Code, RejectedError, rule_violation


def stamp(ctx: Context) -> Stamp:
    """Who establishes a record in this entry, and where and when in the log."""
    return Stamp(by=ctx.signer, index=ctx.index, time_ms=ctx.time_ms, tx_id=ctx.tx_id)


def required(ctx: Context, key: str, cls: type[R], what: str) -> R:
    """The record under ``key``, or a ``not_found`` refusal saying ``what`` is missing."""
    found = read_record(ctx.state, key, cls)
    if found is None:
        raise RejectedError(Code.NOT_FOUND, f"{what} is not registered")
    return found


def market(ctx: Context, market_id: str) -> Market:
    """The market, or a refusal."""
    return required(ctx, market_key(market_id), Market, f"market {market_id}")


def operated_market(ctx: Context, market_id: str) -> Market:
    """The market, provided the signer operates it."""
    found = market(ctx, market_id)
    if found.operator != ctx.signer:
        raise rule_violation(f"only market {market_id}'s operator {found.operator} may do this")
    return found


def participant(ctx: Context, market_id: str, inn: str) -> Participant:
    """The participant, or a refusal."""
    key = participant_key(market_id, inn)
    return required(ctx, key, Participant, f"{inn} as a participant of {market_id}")


def after_delivery(ctx: Context, found: Market, ends_ms: int, what: str) -> None:
    """Refuse what can only follow delivery (readings, settlement) before ``what`` has ended."""
    if ctx.time_ms < ends_ms:
        ends = local_time_text(ends_ms, found.utc_offset_minutes)
        raise rule_violation(f"{what} ends at {ends} market time; it is not over yet")
