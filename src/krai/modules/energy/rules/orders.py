"""Sealed orders and clearing.

Until the gate closes a participant commits only a hash of its day's orders, so no one — the
operator included — sees a competitor's orders in time to react. After it, the participant
reveals them; the ledger checks them against the hash. Once revealing has ended, the operator
submits each period's result, and every node recomputes the clearing from the revealed orders
and refuses a result that differs in any figure. Commitments never revealed take no part and
are reported with the day's first clearing.
"""

from typing import Any

from krai.modules.energy import events
from krai.modules.energy.book import Book, decode_book
from krai.modules.energy.clearing import clear
from krai.modules.energy.messages import CommitOrders, RevealOrders, SubmitClearing
from krai.modules.energy.model import (
    PREFIX,
    blocks_key,
    clearing_key,
    commitment,
    gate_closure_ms,
    periods_per_day,
    reveal_deadline_ms,
    sealed_key,
)
from krai.modules.energy.queries import (
    block_decision,
    day_blocks,
    period_document,
    unrevealed,
)
from krai.modules.energy.records import (
    AcceptedEnergy,
    BlockChoice,
    Clearing,
    ClearingCertificate,
    Market,
    Sealed,
    SealedBlock,
    SealedOrder,
)
from krai.modules.energy.result import ClearingResult, result_json
from krai.modules.energy.rules.records import (
    market,
    operated_market,
    participant,
    required,
    stamp,
)
from krai.state.calendar import local_time_text
from krai.state.engine import Context
from krai.state.messages import encode_message
from krai.state.records import write_record
from krai.tx.errors import RejectedError, conflict, rule_violation


def validate_commit(ctx: Context, message: CommitOrders) -> None:
    """A participant commits before the gate closes."""
    found = market(ctx, message.market_id)
    participant(ctx, message.market_id, ctx.signer)
    closes = gate_closure_ms(found, message.delivery_date)
    if ctx.time_ms >= closes:
        raise rule_violation(
            f"too late: the gate for {message.delivery_date} closed at "
            f"{local_time_text(closes, found.utc_offset_minutes)} local time"
        )


def apply_commit(ctx: Context, message: CommitOrders) -> None:
    """Record (or replace) the commitment."""
    record = Sealed(commitment_sha256=message.commitment_sha256, committed=stamp(ctx))
    write_record(
        ctx.state, sealed_key(message.market_id, message.delivery_date, ctx.signer), record
    )
    ctx.emit(events.OrdersCommitted(message.market_id, message.delivery_date, ctx.signer))


def validate_reveal(ctx: Context, message: RevealOrders) -> None:
    """After the gate, before the deadline, orders that hash to the commitment and fit the day."""
    found = market(ctx, message.market_id)
    sealed = _sealed(ctx, message.market_id, message.delivery_date, ctx.signer)
    _require_reveal_window(ctx, found, message.delivery_date)
    if sealed.orders is not None:
        raise conflict(f"{ctx.signer} has already revealed its orders for {message.delivery_date}")
    orders, blocks = _revealed_json(message)
    digest = commitment(
        message.market_id, message.delivery_date, ctx.signer, message.salt, orders, blocks
    )
    if digest != sealed.commitment_sha256:
        raise rule_violation(
            f"the revealed orders hash to {digest}, not to the commitment "
            f"{sealed.commitment_sha256}"
        )
    _require_orders_fit(found, message)


def apply_reveal(ctx: Context, message: RevealOrders) -> None:
    """Keep the revealed orders beside the commitment."""
    key = sealed_key(message.market_id, message.delivery_date, ctx.signer)
    sealed = _sealed(ctx, message.market_id, message.delivery_date, ctx.signer)
    orders = tuple(
        SealedOrder(o.order_id, o.period, o.side, o.price_kopecks_per_mwh, o.energy_kwh)
        for o in message.orders
    )
    blocks = tuple(
        SealedBlock(
            b.block_id,
            b.side,
            b.first_period,
            b.last_period,
            b.price_kopecks_per_mwh,
            b.energy_kwh,
            b.min_acceptance_basis_points,
        )
        for b in message.blocks or ()
    )
    write_record(ctx.state, key, sealed.with_reveal(orders, blocks, stamp(ctx)))
    ctx.emit(
        events.OrdersRevealed(
            message.market_id, message.delivery_date, ctx.signer, len(message.orders)
        )
    )


def validate_clearing(ctx: Context, message: SubmitClearing) -> None:
    """The operator submits, after revealing ended, exactly the recomputed result."""
    found = operated_market(ctx, message.market_id)
    if message.period > periods_per_day(found):
        raise rule_violation(
            f"a day of market {message.market_id} has {periods_per_day(found)} periods"
        )
    deadline = reveal_deadline_ms(found, message.delivery_date)
    if ctx.time_ms < deadline:
        offset = found.utc_offset_minutes
        raise rule_violation(
            f"orders may be revealed until {local_time_text(deadline, offset)} local time"
        )
    key = clearing_key(message.market_id, message.delivery_date, message.period)
    if ctx.state.get_bytes(key) is not None:
        raise conflict(f"period {message.period} of {message.delivery_date} is already cleared")
    book = _book(ctx, found, message)
    expected = result_json(clear(book))
    submitted = _submitted(message)
    if submitted != expected:
        difference = _difference(submitted, expected)
        raise rule_violation(f"the clearing result differs from the recomputation: {difference}")


def apply_clearing(ctx: Context, message: SubmitClearing) -> None:
    """Store the result with its certificate; report unrevealed commitments once a day."""
    found = market(ctx, message.market_id)
    book = _book(ctx, found, message)
    result = clear(book)
    record = _clearing_record(ctx, result)
    _record_blocks(ctx, found, message)
    _report_unrevealed(ctx, message)
    key = clearing_key(message.market_id, message.delivery_date, message.period)
    write_record(ctx.state, key, record)
    ctx.emit(_cleared(message, result))


def _clearing_record(ctx: Context, result: ClearingResult) -> Clearing:
    bounds = result.certificate
    return Clearing(
        price_kopecks_per_mwh=result.price_kopecks_per_mwh,
        accepted=tuple(AcceptedEnergy(a.id, a.energy_kwh) for a in result.accepted),
        import_kwh=result.import_kwh,
        export_kwh=result.export_kwh,
        welfare_millikopecks=result.welfare_millikopecks,
        certificate=ClearingCertificate(
            bounds.price_low_kopecks_per_mwh, bounds.price_high_kopecks_per_mwh, bounds.traded_kwh
        ),
        **ctx.provenance(),
    )


def _require_reveal_window(ctx: Context, found: Market, day: str) -> None:
    offset = found.utc_offset_minutes
    opens, closes = gate_closure_ms(found, day), reveal_deadline_ms(found, day)
    if not opens <= ctx.time_ms < closes:
        raise rule_violation(
            f"orders for {day} are revealed from {local_time_text(opens, offset)} "
            f"until {local_time_text(closes, offset)} local time"
        )


def _revealed_json(message: RevealOrders) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    orders = [encode_message(order) for order in message.orders]
    return orders, [encode_message(block) for block in message.blocks or ()]


def _require_orders_fit(found: Market, message: RevealOrders) -> None:
    floor, cap = found.price_floor_kopecks_per_mwh, found.price_cap_kopecks_per_mwh
    last = periods_per_day(found)
    blocks = message.blocks or ()
    if not message.orders and not blocks:
        raise rule_violation("nothing revealed: give orders or blocks")
    named = [
        *((o.order_id, o.period, o.period, o.price_kopecks_per_mwh) for o in message.orders),
        *((b.block_id, b.first_period, b.last_period, b.price_kopecks_per_mwh) for b in blocks),
    ]
    seen: set[str] = set()
    for own_id, first, final, price in named:
        if own_id in seen:
            raise rule_violation(f"order id {own_id} is used twice")
        seen.add(own_id)
        if not 1 <= first <= final <= last:
            raise rule_violation(
                f"order {own_id}: periods {first}..{final} are not within 1..{last}"
            )
        if not floor <= price <= cap:
            raise rule_violation(
                f"order {own_id}: price {price} lies outside the floor {floor} and cap {cap} "
                "kopecks/MWh"
            )


def _sealed(ctx: Context, market_id: str, day: str, inn: str) -> Sealed:
    key = sealed_key(market_id, day, inn)
    return required(ctx, key, Sealed, f"a commitment of {inn} for {day}")


def _submitted(message: SubmitClearing) -> dict[str, Any]:
    return {
        "price_kopecks_per_mwh": message.price_kopecks_per_mwh,
        "accepted": [{"id": a.id, "energy_kwh": a.energy_kwh} for a in message.accepted],
        "import_kwh": message.import_kwh,
        "export_kwh": message.export_kwh,
        "welfare_millikopecks": message.welfare_millikopecks,
    }


def _difference(submitted: dict[str, Any], expected: dict[str, Any]) -> str:
    for name in ("price_kopecks_per_mwh", "import_kwh", "export_kwh", "welfare_millikopecks"):
        if submitted[name] != expected[name]:
            return f"{name} {submitted[name]}, recomputed {expected[name]}"
    wanted = {a["id"]: a["energy_kwh"] for a in expected["accepted"]}
    for accepted in submitted["accepted"]:
        if wanted.get(accepted["id"]) != accepted["energy_kwh"]:
            recomputed = wanted.get(accepted["id"], 0)
            return f"order {accepted['id']} {accepted['energy_kwh']} kWh, recomputed {recomputed}"
    return "the accepted orders differ (missing, extra or out of order)"


def _report_unrevealed(ctx: Context, message: SubmitClearing) -> None:
    day_prefix = f"{PREFIX}clearing/{message.market_id}/{message.delivery_date}/"
    first_of_day = next(ctx.state.scan_bytes(day_prefix), None) is None
    missing = unrevealed(ctx.state, message.market_id, message.delivery_date)
    if first_of_day and missing:
        ctx.emit(
            events.CommitmentsUnrevealed(message.market_id, message.delivery_date, tuple(missing))
        )


def _record_blocks(ctx: Context, found: Market, message: SubmitClearing) -> None:
    key = blocks_key(message.market_id, message.delivery_date)
    if ctx.state.get_bytes(key) is not None or not day_blocks(
        ctx.state, message.market_id, message.delivery_date
    ):
        return
    decision = block_decision(ctx.state, found, message.market_id, message.delivery_date)
    record = BlockChoice(accepted=decision.accepted, dropped=decision.dropped, **ctx.provenance())
    write_record(ctx.state, key, record)
    ctx.emit(
        events.BlocksDecided(
            message.market_id,
            message.delivery_date,
            tuple(sorted(decision.accepted)),
            tuple(sorted(decision.dropped)),
        )
    )


def _cleared(message: SubmitClearing, result: ClearingResult) -> events.PeriodCleared:
    return events.PeriodCleared(
        message.market_id,
        message.delivery_date,
        message.period,
        result.price_kopecks_per_mwh,
        result.certificate.traded_kwh,
        result.import_kwh,
        result.export_kwh,
    )


def _book(ctx: Context, found: Market, message: SubmitClearing) -> Book:
    document = period_document(
        ctx.state, found, message.market_id, message.delivery_date, message.period
    )
    try:
        return decode_book(document)
    except RejectedError as error:
        raise rule_violation(
            f"period {message.period} cannot be cleared: {error.message}"
        ) from None
