"""Support measures, with a warning on double support, and regional targets with progress.

Two authorities supporting the same recipient for the same purpose over overlapping periods
is what the Accounts Chamber found costing 3.2 bn RUB: the ledger accepts the second grant
(only the authorities can decide which one stands) but warns, with both measures named.
"""

from typing import Any

from krai.modules.parks import events
from krai.modules.parks.messages import GrantSupport, ReportIndicator, SetRegionalTarget
from krai.modules.parks.model import (
    periods_overlap,
    progress_basis_points,
    region_key,
    support_key,
    target_key,
)
from krai.modules.parks.rules.records import absent, member, park
from krai.state.engine import Context
from krai.state.store import scan
from krai.tx.errors import rule_violation


def check_support(message: GrantSupport) -> None:
    """A measure ends after it starts."""
    if message.until is not None and message.until <= message.from_date:
        raise rule_violation(f"until {message.until} is not after from_date {message.from_date}")


def validate_support(ctx: Context, message: GrantSupport) -> None:
    """A new measure for a member, on a registered park if one is named."""
    absent(ctx, support_key(message.recipient_inn, message.measure_id), message.measure_id)
    member(ctx, message.recipient_inn)
    if message.park_id is not None:
        park(ctx, message.park_id)


def apply_support(ctx: Context, message: GrantSupport) -> None:
    """Record the measure; warn of each other authority's overlapping one."""
    record: dict[str, Any] = {
        "kind": message.kind,
        "recipient_inn": message.recipient_inn,
        "purpose": message.purpose,
        "legal_basis": message.legal_basis,
        "from": message.from_date,
        **ctx.provenance(),
    }
    for name, field in (("until", "until"), ("amount_kopecks", "amount_kopecks")):
        if getattr(message, field) is not None:
            record[name] = getattr(message, field)
    if message.park_id is not None:
        record["park_id"] = message.park_id
    overlapping = _overlapping(ctx, record)
    record["overlaps"] = [measure_id for measure_id, _ in overlapping]
    ctx.state.put(support_key(message.recipient_inn, message.measure_id), record)
    ctx.emit(
        events.SupportGranted(
            message.measure_id, message.recipient_inn, message.purpose, ctx.signer
        )
    )
    for measure_id, other in overlapping:
        ctx.emit(
            events.SupportOverlapWarned(
                message.measure_id,
                measure_id,
                message.recipient_inn,
                message.purpose,
                (other["by"], ctx.signer),
            )
        )


def validate_target(ctx: Context, message: SetRegionalTarget) -> None:
    """A new target for a registered region, due after its baseline."""
    absent(ctx, target_key(message.target_id), f"target {message.target_id}")
    ctx.require(region_key(message.region_id), f"region {message.region_id}")
    if message.by_date <= message.baseline_date:
        raise rule_violation(f"by_date {message.by_date} is not after {message.baseline_date}")


def apply_target(ctx: Context, message: SetRegionalTarget) -> None:
    """Record the target, with no reports yet."""
    record = {
        "region_id": message.region_id,
        "indicator": message.indicator,
        "title": message.title,
        "target_value": message.target_value,
        "by_date": message.by_date,
        "baseline_value": message.baseline_value,
        "baseline_date": message.baseline_date,
        "legal_basis": message.legal_basis,
        "reports": [],
        **ctx.provenance(),
    }
    ctx.state.put(target_key(message.target_id), record)
    ctx.emit(
        events.RegionalTargetSet(
            message.target_id, message.region_id, message.target_value, message.by_date
        )
    )


def validate_indicator(ctx: Context, message: ReportIndicator) -> None:
    """A report on a target, dated no earlier than its baseline."""
    target = _target(ctx, message.target_id)
    if message.as_of < target["baseline_date"]:
        raise rule_violation(
            f"as_of {message.as_of} precedes the baseline date {target['baseline_date']}"
        )


def apply_indicator(ctx: Context, message: ReportIndicator) -> None:
    """Add the report, in date order, and the progress it shows."""
    target = _target(ctx, message.target_id)
    report = {"as_of": message.as_of, "value": message.value, "source": message.source}
    target["reports"].append({**report, **ctx.provenance()})
    target["reports"].sort(key=lambda r: (r["as_of"], r["index"]))
    ctx.state.put(target_key(message.target_id), target)
    progress = progress_basis_points(target, message.value)
    ctx.emit(events.IndicatorReported(message.target_id, message.as_of, message.value, progress))


def _overlapping(ctx: Context, record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    prefix = support_key(record["recipient_inn"], "")
    return [
        (key[len(prefix) :], other)
        for key, other in scan(ctx.state, prefix)
        if other["purpose"] == record["purpose"]
        and other["by"] != record["by"]
        and periods_overlap(other, record)
    ]


def _target(ctx: Context, target_id: str) -> dict[str, Any]:
    return ctx.require(target_key(target_id), f"target {target_id}")
