"""Residents: application, agreement with commitments, quarterly actuals, automatic breach.

A milestone is assessed on the quarter that contains its due date: the investment reported
for all quarters up to and including that one, and the jobs at that quarter's end. It is
assessed as soon as that quarter's report arrives, or, once the report is overdue (the
quarter's end plus ``REPORT_GRACE_DAYS``), by a review on what was reported. A milestone
short of its commitment puts the resident in breach: the ledger does it, no one decides it.
"""

from collections.abc import Callable

import msgspec

from krai.modules.parks import events
from krai.modules.parks.messages import (
    ApplyForResidency,
    ChangeResidentStatus,
    ConcludeResidentAgreement,
    ReportActuals,
    ReviewCommitments,
)
from krai.modules.parks.model import (
    ALLOCATING_STATUSES,
    REPORT_GRACE_DAYS,
    RESIDENT_TRANSITIONS,
    ResidentStatus,
    agreement_key,
    milestone_quarter,
    quarter_end,
    quarter_start,
    resident_key,
)
from krai.modules.parks.records import (
    Agreement,
    Assessment,
    Commitment,
    QuarterActuals,
    Residency,
    ResidencyChange,
    actual_totals,
)
from krai.modules.parks.rules.records import (
    operated_park,
    park,
    park_today,
    required,
)
from krai.state.calendar import days_between
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, invalid_body, rule_violation


def validate_application(ctx: Context, message: ApplyForResidency) -> None:
    """Into a park that is not excluded: a first step, or an intention turned application."""
    record = park(ctx, message.park_id)
    if record.status == "excluded":
        raise rule_violation(f"park {message.park_id} is excluded; it takes no residents")
    residency = read_record(ctx.state, resident_key(message.park_id, ctx.signer), Residency)
    if residency is not None and (residency.status, message.stage) != (
        "intention",
        "application",
    ):
        raise conflict(f"{ctx.signer} is already {residency.status} in park {message.park_id}")


def apply_application(ctx: Context, message: ApplyForResidency) -> None:
    """Record (or advance) the residency with what the applicant plans."""
    key = resident_key(message.park_id, ctx.signer)
    found = read_record(ctx.state, key, Residency) or Residency(
        status=message.stage,
        activity=message.activity,
        milestones=(),
        actuals={},
        history=(),
        **ctx.provenance(),
    )
    planned = found.with_plans(
        message.activity, message.planned_investment_kopecks, message.planned_jobs
    )
    write_record(ctx.state, key, _changed(ctx, planned, message.stage, message.activity))
    ctx.emit(events.ResidencyApplied(message.park_id, ctx.signer, message.stage))


def check_agreement(message: ConcludeResidentAgreement) -> None:
    """Milestones fall on distinct, increasing dates and their figures never decrease."""
    dates = [m.due for m in message.milestones]
    if dates != sorted(set(dates)):
        raise invalid_body("body.milestones: due dates must be distinct and in order")
    for earlier, later in zip(message.milestones, message.milestones[1:], strict=False):
        if later.investment_kopecks < earlier.investment_kopecks or later.jobs < earlier.jobs:
            raise invalid_body(
                f"body.milestones: figures are cumulative; {later.due} is below {earlier.due}"
            )


def validate_agreement(ctx: Context, message: ConcludeResidentAgreement) -> None:
    """The operator concludes it with an applicant, on a signed agreement if one is named."""
    operated_park(ctx, message.park_id)
    residency = _residency(ctx, message.park_id, message.resident_inn)
    if residency.status != "application":
        raise rule_violation(
            f"{message.resident_inn} is {residency.status}; an agreement follows an application"
        )
    if message.agreement_id is not None:
        _require_signed_agreement(ctx, message)


def apply_agreement(ctx: Context, message: ConcludeResidentAgreement) -> None:
    """The resident's commitments, milestone by milestone, all pending."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    committed = msgspec.structs.replace(
        residency,
        document_sha256=message.document_sha256,
        agreement_id=message.agreement_id or residency.agreement_id,
        milestones=tuple(
            Commitment(due=m.due, investment_kopecks=m.investment_kopecks, jobs=m.jobs)
            for m in message.milestones
        ),
    )
    concluded = _changed(ctx, committed, "agreement", message.document_sha256)
    write_record(ctx.state, resident_key(message.park_id, message.resident_inn), concluded)
    last = message.milestones[-1]
    ctx.emit(
        events.ResidentAgreementConcluded(
            message.park_id, message.resident_inn, last.investment_kopecks, last.jobs
        )
    )


def validate_resident_status(ctx: Context, message: ChangeResidentStatus) -> None:
    """An allowed transition, by the resident itself or by the operator as the table says."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    signers = RESIDENT_TRANSITIONS.get((residency.status, message.status))
    if signers is None:
        raise rule_violation(
            f"{message.resident_inn} is {residency.status}; it cannot become {message.status}"
        )
    if "resident" in signers and ctx.signer != message.resident_inn:
        raise rule_violation(f"only {message.resident_inn} itself may do this")
    if "resident" not in signers:
        operated_park(ctx, message.park_id)


def apply_resident_status(ctx: Context, message: ChangeResidentStatus) -> None:
    """Move the residency."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    moved = _move(
        ctx, message.park_id, message.resident_inn, residency, message.status, message.basis
    )
    write_record(ctx.state, resident_key(message.park_id, message.resident_inn), moved)


def validate_actuals(ctx: Context, message: ReportActuals) -> None:
    """A resident with an agreement reports a quarter that has begun."""
    residency = _residency(ctx, message.park_id, ctx.signer)
    if residency.status not in ALLOCATING_STATUSES:
        raise rule_violation(f"{ctx.signer} is {residency.status}; it has no commitments")
    today = park_today(ctx, park(ctx, message.park_id))
    if quarter_start(message.quarter) > today:
        raise rule_violation(f"quarter {message.quarter} has not begun (today is {today})")


def apply_actuals(ctx: Context, message: ReportActuals) -> None:
    """Record the quarter (a later report of it supersedes), then assess what it settles."""
    residency = _residency(ctx, message.park_id, ctx.signer)
    report = QuarterActuals(
        investment_kopecks=message.investment_kopecks,
        jobs=message.jobs,
        source=message.source,
        supersedes=residency.actuals.get(message.quarter),
        **ctx.provenance(),
    )
    reported = residency.with_actuals(message.quarter, report)
    ctx.emit(
        events.ActualsReported(
            message.park_id, ctx.signer, message.quarter, message.investment_kopecks, message.jobs
        )
    )
    _assess(
        ctx,
        message.park_id,
        ctx.signer,
        reported,
        lambda m: milestone_quarter(m.due) <= message.quarter,
    )


def validate_review(ctx: Context, message: ReviewCommitments) -> None:
    """The park's operator or an overseer reviews a resident with an overdue milestone."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    today = park_today(ctx, park(ctx, message.park_id))
    if not any(_is_overdue(m, today) for m in residency.pending()):
        raise conflict(f"no milestone of {message.resident_inn} is overdue for assessment")


def apply_review(ctx: Context, message: ReviewCommitments) -> None:
    """Assess every overdue milestone on what was reported."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    today = park_today(ctx, park(ctx, message.park_id))
    _assess(ctx, message.park_id, message.resident_inn, residency, lambda m: _is_overdue(m, today))


def _assess(
    ctx: Context,
    park_id: str,
    inn: str,
    residency: Residency,
    settles: Callable[[Commitment], bool],
) -> None:
    """Assess each pending milestone that ``settles``; a missed one puts the resident in
    breach. The residency is written whatever was assessed."""
    milestones = [
        _assessed(ctx, park_id, inn, residency, m) if m.assessment is None and settles(m) else m
        for m in residency.milestones
    ]
    assessed = msgspec.structs.replace(residency, milestones=tuple(milestones))
    missed = [
        m
        for m, before in zip(milestones, residency.milestones, strict=True)
        if m is not before and m.assessment is not None and not m.assessment.met
    ]
    if missed and assessed.status in ALLOCATING_STATUSES - {"breach"}:
        assessed = _move(ctx, park_id, inn, assessed, "breach", f"milestone {missed[0].due} missed")
    write_record(ctx.state, resident_key(park_id, inn), assessed)


def _assessed(
    ctx: Context, park_id: str, inn: str, residency: Residency, milestone: Commitment
) -> Commitment:
    """The milestone assessed on the actuals up to its quarter; a shortfall is an event."""
    investment, jobs = actual_totals(residency.actuals, milestone_quarter(milestone.due))
    short_investment = max(0, milestone.investment_kopecks - investment)
    short_jobs = max(0, milestone.jobs - jobs)
    if short_investment or short_jobs:
        ctx.emit(
            events.CommitmentBreached(park_id, inn, milestone.due, short_investment, short_jobs)
        )
    assessment = Assessment(
        investment_kopecks=investment,
        jobs=jobs,
        met=short_investment == 0 and short_jobs == 0,
        **ctx.provenance(),
    )
    return msgspec.structs.replace(milestone, assessment=assessment)


def _is_overdue(milestone: Commitment, today: str) -> bool:
    quarter_ends = quarter_end(milestone_quarter(milestone.due))
    return days_between(quarter_ends, today) > REPORT_GRACE_DAYS


def _changed(ctx: Context, residency: Residency, status: ResidentStatus, basis: str) -> Residency:
    """The residency moved to ``status``, the change kept in its history."""
    return residency.changed(ResidencyChange(status=status, basis=basis, **ctx.provenance()))


def _move(  # noqa: PLR0917 -- the residency is named by park and INN
    ctx: Context, park_id: str, inn: str, residency: Residency, status: ResidentStatus, basis: str
) -> Residency:
    ctx.emit(events.ResidentStatusChanged(park_id, inn, residency.status, status))
    return _changed(ctx, residency, status, basis)


def _residency(ctx: Context, park_id: str, inn: str) -> Residency:
    key = resident_key(park_id, inn)
    return required(ctx, key, Residency, f"{inn} as a resident of park {park_id}")


def _require_signed_agreement(ctx: Context, message: ConcludeResidentAgreement) -> None:
    agreement_id = str(message.agreement_id)
    key = agreement_key(agreement_id)
    agreement = required(ctx, key, Agreement, f"agreement {agreement_id}")
    if agreement.status != "in_force":
        raise rule_violation(f"agreement {agreement_id} is {agreement.status}, not in force")
    if not {ctx.signer, message.resident_inn} <= set(agreement.parties):
        raise rule_violation(f"agreement {agreement_id} is not between the park and the resident")
    if agreement.document_sha256 != message.document_sha256:
        raise rule_violation(f"agreement {agreement_id} was signed on another document")
