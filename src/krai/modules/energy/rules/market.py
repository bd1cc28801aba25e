"""Market set-up: the operator opens it, sets connection limits and the grid's prices;
participants join with the account settlement uses."""

from krai.modules.accounts.queries import account_record
from krai.modules.energy import events
from krai.modules.energy.messages import (
    JoinMarket,
    OpenMarket,
    OpenMarketV1,
    SetConnectionLimits,
    SetGridPrices,
)
from krai.modules.energy.model import (
    gate_closure_ms,
    grid_prices_key,
    market_key,
    participant_key,
    periods_per_day,
)
from krai.modules.energy.records import GridPrice, GridPrices, LimitStep, Market, Participant
from krai.modules.energy.rules.records import market, operated_market
from krai.state.calendar import local_time_text
from krai.state.engine import Context
from krai.state.records import write_record
from krai.tx.errors import conflict, invalid_body, rule_violation


def check_open_v1(message: OpenMarketV1) -> None:
    """The floor lies below the cap."""
    if message.price_floor_kopecks_per_mwh >= message.price_cap_kopecks_per_mwh:
        raise invalid_body("body.price_floor_kopecks_per_mwh must lie below the cap")


def check_open(message: OpenMarket) -> None:
    """The floor lies below the cap; the grid's account is not the settlement account."""
    if message.price_floor_kopecks_per_mwh >= message.price_cap_kopecks_per_mwh:
        raise invalid_body("body.price_floor_kopecks_per_mwh must lie below the cap")
    if message.grid_account == message.settlement_account:
        raise invalid_body("body.grid_account must differ from the settlement account")


def validate_open_v1(ctx: Context, message: OpenMarketV1) -> None:
    """Version 1 (replay of old logs): a new market for a registered park, settled through
    the operator's account."""
    _new_market(ctx, message.market_id, message.settlement_account)
    ctx.require_reference("park", message.park_id)


def validate_open(ctx: Context, message: OpenMarket) -> None:
    """A new market for a registered park, settled through an account of the operator's own,
    paying an open grid account."""
    _new_market(ctx, message.market_id, message.settlement_account)
    ctx.require_reference("park", message.park_id)
    grid = account_record(ctx.state, message.grid_account)
    if grid is None or grid.status != "open":
        raise rule_violation(f"grid account {message.grid_account} is not an open account")


def apply_open(ctx: Context, message: OpenMarket | OpenMarketV1) -> None:
    """Record the market with no limits yet."""
    record = Market(
        park_id=message.park_id,
        title=message.title,
        utc_offset_minutes=message.utc_offset_minutes,
        period_minutes=message.period_minutes,
        gate_closure=message.gate_closure,
        reveal_minutes=message.reveal_minutes,
        price_floor_kopecks_per_mwh=message.price_floor_kopecks_per_mwh,
        price_cap_kopecks_per_mwh=message.price_cap_kopecks_per_mwh,
        grid_fee_kopecks_per_mwh=message.grid_fee_kopecks_per_mwh,
        settlement_account=message.settlement_account,
        operator=ctx.signer,
        limits=(),
        grid_account=message.grid_account if isinstance(message, OpenMarket) else None,
        **ctx.provenance(),
    )
    write_record(ctx.state, market_key(message.market_id), record)
    ctx.emit(events.MarketOpened(message.market_id, message.park_id, ctx.signer))


def validate_limits(ctx: Context, message: SetConnectionLimits) -> None:
    """The operator sets limits for days whose gate has not closed."""
    found = operated_market(ctx, message.market_id)
    _before_gate(ctx, found, message.from_date, "connection limits")


def apply_limits(ctx: Context, message: SetConnectionLimits) -> None:
    """Insert the step (replacing one of the same date) into the limits timeline."""
    found = market(ctx, message.market_id)
    step = LimitStep(
        from_=message.from_date,
        import_limit_kw=message.import_limit_kw,
        export_limit_kw=message.export_limit_kw,
        source=message.source,
        **ctx.provenance(),
    )
    write_record(ctx.state, market_key(message.market_id), found.with_limits(step))
    ctx.emit(
        events.ConnectionLimitsSet(
            message.market_id, message.from_date, message.import_limit_kw, message.export_limit_kw
        )
    )


def validate_grid_prices(ctx: Context, message: SetGridPrices) -> None:
    """Every period of the day once, before the gate closes; the grid buys below its sell price."""
    found = operated_market(ctx, message.market_id)
    _before_gate(ctx, found, message.delivery_date, "grid prices")
    periods = sorted(p.period for p in message.prices)
    expected = list(range(1, periods_per_day(found) + 1))
    if periods != expected:
        raise invalid_body(f"body.prices must give periods 1..{expected[-1]} once each")
    for price in message.prices:
        if price.grid_buy_price_kopecks_per_mwh >= price.grid_sell_price_kopecks_per_mwh:
            raise invalid_body(
                f"body.prices: period {price.period}: the grid buys at "
                f"{price.grid_buy_price_kopecks_per_mwh}, not below its sell price "
                f"{price.grid_sell_price_kopecks_per_mwh}"
            )


def apply_grid_prices(ctx: Context, message: SetGridPrices) -> None:
    """Record the day's grid prices by period."""
    periods = {
        str(p.period): GridPrice(
            grid_sell_price_kopecks_per_mwh=p.grid_sell_price_kopecks_per_mwh,
            grid_buy_price_kopecks_per_mwh=p.grid_buy_price_kopecks_per_mwh,
        )
        for p in message.prices
    }
    record = GridPrices(periods=periods, source=message.source, **ctx.provenance())
    write_record(ctx.state, grid_prices_key(message.market_id, message.delivery_date), record)
    ctx.emit(events.GridPricesSet(message.market_id, message.delivery_date, len(message.prices)))


def validate_join(ctx: Context, message: JoinMarket) -> None:
    """A participant joins once, with an account of its own."""
    market(ctx, message.market_id)
    if ctx.state.get_bytes(participant_key(message.market_id, ctx.signer)) is not None:
        raise conflict(f"{ctx.signer} has already joined market {message.market_id}")
    _own_account(ctx, message.account_id)


def apply_join(ctx: Context, message: JoinMarket) -> None:
    """Record the participant and its settlement account."""
    record = Participant(account_id=message.account_id, **ctx.provenance())
    write_record(ctx.state, participant_key(message.market_id, ctx.signer), record)
    ctx.emit(events.MarketJoined(message.market_id, ctx.signer))


def _before_gate(ctx: Context, found: Market, day: str, what: str) -> None:
    closes = gate_closure_ms(found, day)
    if ctx.time_ms >= closes:
        offset = found.utc_offset_minutes
        raise rule_violation(
            f"the gate for {day} closed at {local_time_text(closes, offset)} local time; "
            f"{what} for it can no longer change"
        )


def _new_market(ctx: Context, market_id: str, settlement_account: str) -> None:
    if ctx.state.get_bytes(market_key(market_id)) is not None:
        raise conflict(f"market {market_id} is already open")
    _own_account(ctx, settlement_account)


def _own_account(ctx: Context, account_id: str) -> None:
    found = account_record(ctx.state, account_id)
    if found is None or found.owner != ctx.signer:
        raise rule_violation(f"account {account_id} is not an open account of {ctx.signer}")
