"""Support measures, with a warning on double support, and regional targets with progress.

Two authorities supporting the same recipient for the same purpose over overlapping periods
is what the Accounts Chamber found costing 3.2 bn RUB: the ledger accepts the second grant
(only the authorities can decide which one stands) but warns, with both measures named.
"""

from krai.modules.parks import events
from krai.modules.parks.messages import GrantSupport, ReportIndicator, SetRegionalTarget
from krai.modules.parks.model import periods_overlap, region_key, support_key, target_key
from krai.modules.parks.records import IndicatorReport, Region, SupportMeasure, Target
from krai.modules.parks.rules.records import absent, member, park, required
from krai.state.engine import Context
from krai.state.records import scan_records, write_record
from krai.tx.errors import invalid_body, rule_violation


def check_support(message: GrantSupport) -> None:
    """A measure ends after it starts."""
    if message.until is not None and message.until <= message.from_date:
        raise rule_violation(f"until {message.until} is not after from_date {message.from_date}")


def validate_support(ctx: Context, message: GrantSupport) -> None:
    """A new measure for a member, on a registered park if one is named."""
    key = support_key(message.recipient_inn, message.measure_id)
    absent(ctx, key, SupportMeasure, message.measure_id)
    member(ctx, message.recipient_inn)
    if message.park_id is not None:
        park(ctx, message.park_id)


def apply_support(ctx: Context, message: GrantSupport) -> None:
    """Record the measure; warn of each other authority's overlapping one."""
    overlapping = _overlapping(ctx, message)
    record = SupportMeasure(
        kind=message.kind,
        recipient_inn=message.recipient_inn,
        purpose=message.purpose,
        legal_basis=message.legal_basis,
        from_=message.from_date,
        until=message.until,
        amount_kopecks=message.amount_kopecks,
        park_id=message.park_id,
        overlaps=tuple(measure_id for measure_id, _ in overlapping),
        **ctx.provenance(),
    )
    write_record(ctx.state, support_key(message.recipient_inn, message.measure_id), record)
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
                (other.by, ctx.signer),
            )
        )


def check_target(message: SetRegionalTarget) -> None:
    """A baseline is a value and a date together, or neither."""
    if (message.baseline_value is None) != (message.baseline_date is None):
        raise invalid_body("body: baseline_value and baseline_date go together, or neither")


def validate_target(ctx: Context, message: SetRegionalTarget) -> None:
    """A new target for a registered region, due after its baseline, if any."""
    absent(ctx, target_key(message.target_id), Target, f"target {message.target_id}")
    required(ctx, region_key(message.region_id), Region, f"region {message.region_id}")
    baseline = message.baseline_date
    if baseline is not None and message.by_date <= baseline:
        raise rule_violation(f"by_date {message.by_date} is not after {baseline}")


def apply_target(ctx: Context, message: SetRegionalTarget) -> None:
    """Record the target, with no reports yet."""
    record = Target(
        region_id=message.region_id,
        indicator=message.indicator,
        title=message.title,
        target_value=message.target_value,
        by_date=message.by_date,
        baseline_value=message.baseline_value,
        baseline_date=message.baseline_date,
        legal_basis=message.legal_basis,
        reports=(),
        **ctx.provenance(),
    )
    write_record(ctx.state, target_key(message.target_id), record)
    ctx.emit(
        events.RegionalTargetSet(
            message.target_id, message.region_id, message.target_value, message.by_date
        )
    )


def validate_indicator(ctx: Context, message: ReportIndicator) -> None:
    """A report on a target, dated no earlier than its baseline, if any."""
    target = _target(ctx, message.target_id)
    if target.baseline_date is not None and message.as_of < target.baseline_date:
        raise rule_violation(
            f"as_of {message.as_of} precedes the baseline date {target.baseline_date}"
        )


def apply_indicator(ctx: Context, message: ReportIndicator) -> None:
    """Add the report, in date order, and the progress it shows."""
    report = IndicatorReport(
        as_of=message.as_of, value=message.value, source=message.source, **ctx.provenance()
    )
    target = _target(ctx, message.target_id).with_report(report)
    write_record(ctx.state, target_key(message.target_id), target)
    progress = target.progress_basis_points(message.value)
    ctx.emit(events.IndicatorReported(message.target_id, message.as_of, message.value, progress))


def _overlapping(ctx: Context, message: GrantSupport) -> list[tuple[str, SupportMeasure]]:
    """The other authorities' measures for the same recipient and purpose over the period."""
    prefix = support_key(message.recipient_inn, "")
    period = (message.from_date, message.until)
    return [
        (key[len(prefix) :], other)
        for key, other in scan_records(ctx.state, prefix, SupportMeasure)
        if other.purpose == message.purpose
        and other.by != ctx.signer
        and periods_overlap((other.from_, other.until), period)
    ]


def _target(ctx: Context, target_id: str) -> Target:
    return required(ctx, target_key(target_id), Target, f"target {target_id}")
