"""Residents: application, agreement with commitments, quarterly actuals, automatic breach.

A milestone is assessed on the quarter that contains its due date: the investment reported
for all quarters up to and including that one, and the jobs at that quarter's end. It is
assessed as soon as that quarter's report arrives, or, once the report is overdue (the
quarter's end plus ``REPORT_GRACE_DAYS``), by a review on what was reported. A milestone
short of its commitment puts the resident in breach: the ledger does it, no one decides it.
"""

from typing import Any

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
    actual_totals,
    agreement_key,
    milestone_quarter,
    quarter_end,
    quarter_start,
    resident_key,
)
from krai.modules.parks.rules.records import (
    append_history,
    operated_park,
    park,
    park_today,
)
from krai.state.calendar import days_between
from krai.state.engine import Context
from krai.tx.errors import conflict, invalid_body, rule_violation


def validate_application(ctx: Context, message: ApplyForResidency) -> None:
    """Into a park that is not excluded: a first step, or an intention turned application."""
    record = park(ctx, message.park_id)
    if record["status"] == "excluded":
        raise rule_violation(f"park {message.park_id} is excluded; it takes no residents")
    residency = ctx.read(resident_key(message.park_id, ctx.signer))
    if residency is not None and (residency["status"], message.stage) != (
        "intention",
        "application",
    ):
        raise conflict(f"{ctx.signer} is already {residency['status']} in park {message.park_id}")


def apply_application(ctx: Context, message: ApplyForResidency) -> None:
    """Record (or advance) the residency with what the applicant plans."""
    key = resident_key(message.park_id, ctx.signer)
    residency = ctx.read(key) or {"milestones": [], "actuals": {}, **ctx.provenance()}
    residency["status"] = message.stage
    residency["activity"] = message.activity
    for name in ("planned_investment_kopecks", "planned_jobs"):
        if getattr(message, name) is not None:
            residency[name] = getattr(message, name)
    append_history(residency, ctx, status=message.stage, basis=message.activity)
    ctx.state.put(key, residency)
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
    if residency["status"] != "application":
        raise rule_violation(
            f"{message.resident_inn} is {residency['status']}; an agreement follows an application"
        )
    if message.agreement_id is not None:
        _require_signed_agreement(ctx, message)


def apply_agreement(ctx: Context, message: ConcludeResidentAgreement) -> None:
    """The resident's commitments, milestone by milestone, all pending."""
    key = resident_key(message.park_id, message.resident_inn)
    residency = _residency(ctx, message.park_id, message.resident_inn)
    residency["status"] = "agreement"
    residency["document_sha256"] = message.document_sha256
    if message.agreement_id is not None:
        residency["agreement_id"] = message.agreement_id
    residency["milestones"] = [
        {"due": m.due, "investment_kopecks": m.investment_kopecks, "jobs": m.jobs}
        for m in message.milestones
    ]
    append_history(residency, ctx, status="agreement", basis=message.document_sha256)
    ctx.state.put(key, residency)
    last = message.milestones[-1]
    ctx.emit(
        events.ResidentAgreementConcluded(
            message.park_id, message.resident_inn, last.investment_kopecks, last.jobs
        )
    )


def validate_resident_status(ctx: Context, message: ChangeResidentStatus) -> None:
    """An allowed transition, by the resident itself or by the operator as the table says."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    signers = RESIDENT_TRANSITIONS.get((residency["status"], message.status))
    if signers is None:
        raise rule_violation(
            f"{message.resident_inn} is {residency['status']}; it cannot become {message.status}"
        )
    if "resident" in signers and ctx.signer != message.resident_inn:
        raise rule_violation(f"only {message.resident_inn} itself may do this")
    if "resident" not in signers:
        operated_park(ctx, message.park_id)


def apply_resident_status(ctx: Context, message: ChangeResidentStatus) -> None:
    """Move the residency."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    _move(ctx, message.park_id, message.resident_inn, residency, message.status, message.basis)
    ctx.state.put(resident_key(message.park_id, message.resident_inn), residency)


def validate_actuals(ctx: Context, message: ReportActuals) -> None:
    """A resident with an agreement reports a quarter that has begun."""
    residency = _residency(ctx, message.park_id, ctx.signer)
    if residency["status"] not in ALLOCATING_STATUSES:
        raise rule_violation(f"{ctx.signer} is {residency['status']}; it has no commitments")
    today = park_today(ctx, park(ctx, message.park_id))
    if quarter_start(message.quarter) > today:
        raise rule_violation(f"quarter {message.quarter} has not begun (today is {today})")


def apply_actuals(ctx: Context, message: ReportActuals) -> None:
    """Record the quarter (a later report of it supersedes), then assess what it settles."""
    residency = _residency(ctx, message.park_id, ctx.signer)
    previous = residency["actuals"].get(message.quarter)
    report: dict[str, Any] = {
        "investment_kopecks": message.investment_kopecks,
        "jobs": message.jobs,
        "source": message.source,
        **ctx.provenance(),
    }
    if previous is not None:
        report["supersedes"] = previous
    residency["actuals"][message.quarter] = report
    ctx.emit(
        events.ActualsReported(
            message.park_id, ctx.signer, message.quarter, message.investment_kopecks, message.jobs
        )
    )
    settled = [m for m in _pending(residency) if milestone_quarter(m["due"]) <= message.quarter]
    _assess(ctx, message.park_id, ctx.signer, residency, settled)


def validate_review(ctx: Context, message: ReviewCommitments) -> None:
    """The park's operator or an overseer reviews a resident with an overdue milestone."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    if not _overdue(residency, park_today(ctx, park(ctx, message.park_id))):
        raise conflict(f"no milestone of {message.resident_inn} is overdue for assessment")


def apply_review(ctx: Context, message: ReviewCommitments) -> None:
    """Assess every overdue milestone on what was reported."""
    residency = _residency(ctx, message.park_id, message.resident_inn)
    overdue = _overdue(residency, park_today(ctx, park(ctx, message.park_id)))
    _assess(ctx, message.park_id, message.resident_inn, residency, overdue)


def _assess(
    ctx: Context, park_id: str, inn: str, residency: dict[str, Any], due: list[dict[str, Any]]
) -> None:
    missed = []
    for milestone in due:
        investment, jobs = actual_totals(residency["actuals"], milestone_quarter(milestone["due"]))
        short_investment = max(0, milestone["investment_kopecks"] - investment)
        short_jobs = max(0, milestone["jobs"] - jobs)
        milestone["assessment"] = {
            "investment_kopecks": investment,
            "jobs": jobs,
            "met": short_investment == 0 and short_jobs == 0,
            **ctx.provenance(),
        }
        if short_investment or short_jobs:
            missed.append(milestone)
            event = events.CommitmentBreached(
                park_id, inn, milestone["due"], short_investment, short_jobs
            )
            ctx.emit(event)
    if missed and residency["status"] in ALLOCATING_STATUSES - {"breach"}:
        basis = f"milestone {missed[0]['due']} missed"
        _move(ctx, park_id, inn, residency, "breach", basis)
    ctx.state.put(resident_key(park_id, inn), residency)


def _overdue(residency: dict[str, Any], today: str) -> list[dict[str, Any]]:
    return [
        m
        for m in _pending(residency)
        if days_between(quarter_end(milestone_quarter(m["due"])), today) > REPORT_GRACE_DAYS
    ]


def _pending(residency: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in residency["milestones"] if "assessment" not in m]


def _move(  # noqa: PLR0917 -- the residency is named by park and INN
    ctx: Context, park_id: str, inn: str, residency: dict[str, Any], status: str, basis: str
) -> None:
    previous = residency["status"]
    residency["status"] = status
    append_history(residency, ctx, status=status, basis=basis)
    ctx.emit(events.ResidentStatusChanged(park_id, inn, previous, status))


def _residency(ctx: Context, park_id: str, inn: str) -> dict[str, Any]:
    return ctx.require(resident_key(park_id, inn), f"{inn} as a resident of park {park_id}")


def _require_signed_agreement(ctx: Context, message: ConcludeResidentAgreement) -> None:
    agreement_id = str(message.agreement_id)
    agreement = ctx.require(agreement_key(agreement_id), f"agreement {agreement_id}")
    if agreement["status"] != "in_force":
        raise rule_violation(f"agreement {agreement_id} is {agreement['status']}, not in force")
    if not {ctx.signer, message.resident_inn} <= set(agreement["parties"]):
        raise rule_violation(f"agreement {agreement_id} is not between the park and the resident")
    if agreement["document_sha256"] != message.document_sha256:
        raise rule_violation(f"agreement {agreement_id} was signed on another document")
