"""Assignments, accruals and payments.

An accrual must equal what the rule version in effect gives the person for the period, on the
facts attested so far; one that does not is refused, unless it carries an override with its
legal basis — then it waits for a second official of the operator to approve it, and the
audit lists it. A payment never exceeds what is accrued and unpaid, never goes to a person
whose death is attested by then, and moves the money out of the programme's earmarked budget.
Each assignment keeps a card per year of its accruals and payments in brief, which refuses a
second accrual for a month and is what the audit reads (ADR 0015).
"""

from typing import Any

import msgspec

from krai.modules.accounts.rules import move
from krai.modules.payments import events
from krai.modules.payments.messages import (
    Accrue,
    ApproveOverride,
    Assign,
    Pay,
    TerminateAssignment,
)
from krai.modules.payments.model import (
    ACCRUAL_MONTHS_AHEAD,
    accrual_key,
    assignment_key,
    card_key,
    months_after,
    payment_key,
    person_assignment_key,
    unreconciled_key,
    zone_name,
)
from krai.modules.payments.queries import death_date, entitlement
from krai.modules.payments.records import (
    EMPTY_CARD,
    Accrual,
    Assignment,
    Card,
    CardAccrual,
    CardPayment,
    LegalBasis,
    Override,
    Payment,
    PersonAssignment,
    Termination,
    Unreconciled,
)
from krai.modules.payments.rules.records import (
    absent,
    concerns,
    not_after_today,
    operated_programme,
    paying_programme,
    programme,
    required,
    stamp,
)
from krai.state.calendar import local_date
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, invalid_body, rule_violation


def check_assignment(message: Assign) -> None:
    """It ends after it starts."""
    if message.end_date is not None and message.end_date < message.start_date:
        raise invalid_body("body.end_date precedes start_date")


def validate_assignment(ctx: Context, message: Assign) -> None:
    """The programme's operator assigns a new measure, decided on or before today."""
    scheme = operated_programme(ctx, message.programme_id)
    what = f"assignment {message.assignment_id}"
    absent(ctx, assignment_key(message.assignment_id), Assignment, what)
    not_after_today(ctx, "decision_date", message.decision_date, scheme.offset_minutes())


def apply_assignment(ctx: Context, message: Assign) -> None:
    """Record the assignment and index it under the person's pseudonym."""
    record = Assignment(
        **ctx.provenance(),
        programme_id=message.programme_id,
        pseudonym=message.pseudonym,
        dedup_key=message.dedup_key,
        decision_date=message.decision_date,
        start_date=message.start_date,
        decision_sha256=message.decision_sha256,
        end_date=message.end_date,
    )
    write_record(ctx.state, assignment_key(message.assignment_id), record)
    index_key = person_assignment_key(message.pseudonym, message.assignment_id)
    write_record(ctx.state, index_key, PersonAssignment(ctx.index))
    concerns(ctx, (message.pseudonym, message.dedup_key), "assignment", message.assignment_id)
    ctx.emit(events.MeasureAssigned(message.assignment_id, message.programme_id, message.pseudonym))


def validate_termination(ctx: Context, message: TerminateAssignment) -> None:
    """The operator ends an open assignment no earlier than it started."""
    found = _assignment(ctx, message.assignment_id)
    operated_programme(ctx, found.programme_id)
    if message.end_date < found.start_date:
        raise rule_violation(f"end_date {message.end_date} precedes the start {found.start_date}")


def apply_termination(ctx: Context, message: TerminateAssignment) -> None:
    """Set the end date, keeping the basis."""
    found = _assignment(ctx, message.assignment_id)
    termination = Termination(**ctx.provenance(), basis=message.basis)
    ended = msgspec.structs.replace(found, end_date=message.end_date, terminated=termination)
    write_record(ctx.state, assignment_key(message.assignment_id), ended)
    concerns(ctx, (found.pseudonym,), "termination", message.assignment_id)
    ctx.emit(events.AssignmentTerminated(message.assignment_id, message.end_date))


def validate_accrual(ctx: Context, message: Accrue) -> None:
    """One accrual per assignment and period, no later than next month, equal to the rule's
    amount or overridden."""
    found = _assignment(ctx, message.assignment_id)
    scheme = operated_programme(ctx, found.programme_id)
    absent(ctx, accrual_key(message.accrual_id), Accrual, f"accrual {message.accrual_id}")
    _not_beyond_next_month(ctx, message.period, scheme.offset_minutes())
    if not found.active_in(message.period):
        raise rule_violation(f"assignment {message.assignment_id} does not cover {message.period}")
    existing = _card(ctx, message.assignment_id, message.period).accruals.get(message.period)
    if existing is not None:
        raise conflict(
            f"assignment {message.assignment_id} already has accrual {existing.accrual_id} "
            f"for {message.period}"
        )
    due = _due(ctx, found, message.period)
    if due["amount_kopecks"] != message.amount_kopecks and message.override is None:
        raise rule_violation(
            f"the rule (version {due['version']}) gives {due['amount_kopecks']} kopecks for "
            f"{message.period}, not {message.amount_kopecks}; an override with its legal basis "
            "and a second approver is needed"
        )


def apply_accrual(ctx: Context, message: Accrue) -> None:
    """Record the accrual; an overridden one awaits its second approver."""
    found = _assignment(ctx, message.assignment_id)
    due = _due(ctx, found, message.period)
    overridden = due["amount_kopecks"] != message.amount_kopecks
    record = Accrual(
        **ctx.provenance(),
        assignment_id=message.assignment_id,
        programme_id=found.programme_id,
        pseudonym=found.pseudonym,
        period=message.period,
        amount_kopecks=message.amount_kopecks,
        rule_version=due["version"],
        rule_amount_kopecks=due["amount_kopecks"],
        status="awaiting_approval" if overridden else "accrued",
        paid_kopecks=0,
        override=_override(message),
    )
    write_record(ctx.state, accrual_key(message.accrual_id), record)
    concerns(ctx, (found.pseudonym,), "accrual", message.accrual_id)
    card = _card(ctx, message.assignment_id, message.period)
    entry = CardAccrual(
        message.accrual_id,
        message.amount_kopecks,
        ctx.time_ms,
        override=True if message.override is not None else None,
    )
    card_of_year = card_key(message.assignment_id, message.period[:4])
    write_record(ctx.state, card_of_year, card.with_accrual(message.period, entry))
    ctx.emit(
        events.Accrued(
            message.accrual_id,
            message.assignment_id,
            message.period,
            message.amount_kopecks,
            int(due["version"]),
        )
    )
    if overridden:
        ctx.emit(
            events.OverrideRequested(
                message.accrual_id, due["amount_kopecks"], message.amount_kopecks
            )
        )


def _override(message: Accrue) -> Override | None:
    given = message.override
    if given is None:
        return None
    basis = LegalBasis(given.legal_basis.act, given.legal_basis.article)
    return Override(basis, given.reason)


def validate_override(ctx: Context, message: ApproveOverride) -> None:
    """A second authority — not the operator that requested it — approves an override."""
    found = _accrual(ctx, message.accrual_id)
    if found.status != "awaiting_approval":
        raise conflict(f"accrual {message.accrual_id} is {found.status}")
    if ctx.signer == found.by:
        raise rule_violation("the organisation that requested an override cannot approve it")


def apply_override(ctx: Context, message: ApproveOverride) -> None:
    """The accrual becomes payable."""
    found = _accrual(ctx, message.accrual_id)
    write_record(ctx.state, accrual_key(message.accrual_id), found.approved(stamp(ctx)))
    concerns(ctx, (found.pseudonym,), "override", message.accrual_id)
    ctx.emit(events.OverrideApproved(message.accrual_id, ctx.signer))


def validate_payment(ctx: Context, message: Pay) -> None:
    """The programme's agent pays, by today, what is accrued and unpaid, to a person not
    known dead."""
    found = _accrual(ctx, message.accrual_id)
    scheme = paying_programme(ctx, found.programme_id)
    not_after_today(ctx, "paid_on", message.paid_on, scheme.offset_minutes())
    absent(ctx, payment_key(message.payment_id), Payment, f"payment {message.payment_id}")
    if found.status != "accrued":
        raise rule_violation(f"accrual {message.accrual_id} is {found.status}, not payable")
    unpaid = found.unpaid_kopecks()
    if message.amount_kopecks > unpaid:
        raise rule_violation(
            f"accrual {message.accrual_id} has {unpaid} kopecks unpaid, "
            f"not {message.amount_kopecks}"
        )
    assignment = _assignment(ctx, found.assignment_id)
    died = death_date(ctx.state, [assignment.pseudonym, assignment.dedup_key])
    if died is not None and died <= message.paid_on:
        raise rule_violation(
            f"the recipient's death on {died} is attested; nothing is paid after it"
        )


def apply_payment(ctx: Context, message: Pay) -> None:
    """Move the money from the earmarked budget to the payout account and record it."""
    found = _accrual(ctx, message.accrual_id)
    scheme = programme(ctx, found.programme_id)
    move(
        ctx,
        scheme.budget_account,
        message.payout_account,
        message.amount_kopecks,
        purpose=scheme.purpose,
        reference=message.payment_id,
    )
    paid = found.paid(message.payment_id, message.amount_kopecks)
    write_record(ctx.state, accrual_key(message.accrual_id), paid)
    record = Payment(
        **ctx.provenance(),
        accrual_id=message.accrual_id,
        programme_id=found.programme_id,
        pseudonym=found.pseudonym,
        amount_kopecks=message.amount_kopecks,
        paid_on=message.paid_on,
        payout_account=message.payout_account,
        bank="unreconciled",
    )
    write_record(ctx.state, payment_key(message.payment_id), record)
    concerns(ctx, (found.pseudonym,), "payment", message.payment_id)
    write_record(ctx.state, unreconciled_key(message.payment_id), Unreconciled(message.paid_on))
    card = _card(ctx, found.assignment_id, found.period)
    entry = CardPayment(message.paid_on, ctx.time_ms)
    card_of_year = card_key(found.assignment_id, found.period[:4])
    write_record(ctx.state, card_of_year, card.with_payment(message.payment_id, entry))
    ctx.emit(events.Paid(message.payment_id, message.accrual_id, message.amount_kopecks))


def _not_beyond_next_month(ctx: Context, period: str, utc_offset_minutes: int) -> None:
    """Refuse an accrual for a month after the one following today's (``ACCRUAL_MONTHS_AHEAD``)."""
    today = local_date(ctx.time_ms, utc_offset_minutes)
    last = months_after(today[:7], ACCRUAL_MONTHS_AHEAD)
    if period > last:
        raise rule_violation(
            f"period {period} is beyond {last}, the latest month accrued on "
            f"{today} ({zone_name(utc_offset_minutes)})"
        )


def _due(ctx: Context, assignment: Assignment, period: str) -> dict[str, Any]:
    subject = (assignment.pseudonym, assignment.dedup_key, assignment.programme_id)
    key = ("payments.due", *subject, period)
    due = ctx.once(key, lambda: entitlement(ctx.state, assignment, period))
    if "error" in due:
        raise rule_violation(str(due["error"]))
    return due


def _card(ctx: Context, assignment_id: str, period: str) -> Card:
    """The assignment's card for the period's year; empty before its first accrual."""
    return read_record(ctx.state, card_key(assignment_id, period[:4]), Card) or EMPTY_CARD


def _assignment(ctx: Context, assignment_id: str) -> Assignment:
    return required(ctx, assignment_key(assignment_id), Assignment, f"assignment {assignment_id}")


def _accrual(ctx: Context, accrual_id: str) -> Accrual:
    return required(ctx, accrual_key(accrual_id), Accrual, f"accrual {accrual_id}")
