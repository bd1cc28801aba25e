"""What every payment rule needs: provenance stamps, lookups that refuse, who operates what."""

from collections.abc import Iterable

from krai.modules.identity.queries import member
from krai.modules.payments.model import programme_key, subject_entry_key, zone_name
from krai.modules.payments.records import Programme, Provenance, SubjectEntry, SubjectEntryKind
from krai.state.calendar import local_date
from krai.state.engine import Context
from krai.state.records import R, read_record, write_record
from krai.tx.errors import conflict, not_found, rule_violation


def stamp(ctx: Context) -> Provenance:
    """Who establishes a record in this entry, and where and when in the log."""
    return Provenance(ctx.signer, ctx.index, ctx.time_ms, ctx.tx_id)


def concerns(
    ctx: Context, subjects: Iterable[str], kind: SubjectEntryKind, ref: str, item: str = ""
) -> None:
    """Index this entry under each subject it concerns (``subject_entry_key``), with ``item``
    (a statement's line, a claim's dispensing) added to what it already lists."""
    for subject in dict.fromkeys(subjects):
        key = subject_entry_key(subject, ctx.index)
        known = read_record(ctx.state, key, SubjectEntry) or SubjectEntry(kind, ref)
        write_record(ctx.state, key, known.with_item(item) if item else known)


def absent(ctx: Context, key: str, cls: type[Provenance], what: str) -> None:
    """Refuse with ``conflict`` when ``key`` already holds a record of type ``cls``."""
    found = read_record(ctx.state, key, cls)
    if found is not None:
        raise conflict(f"{what} already exists (entry {found.index})")


def required(ctx: Context, key: str, cls: type[R], what: str) -> R:
    """The record of type ``cls`` under ``key``, or a ``not_found`` refusal naming ``what``."""
    found = read_record(ctx.state, key, cls)
    if found is None:
        raise not_found(f"{what} is not registered")
    return found


def programme(ctx: Context, programme_id: str) -> Programme:
    """The programme, or a refusal."""
    return required(ctx, programme_key(programme_id), Programme, f"programme {programme_id}")


def operated_programme(ctx: Context, programme_id: str) -> Programme:
    """The programme, provided the signer operates it."""
    found = programme(ctx, programme_id)
    if found.operator != ctx.signer:
        raise rule_violation(
            f"only programme {programme_id}'s operator {found.operator} may do this"
        )
    return found


def paying_programme(ctx: Context, programme_id: str) -> Programme:
    """The programme, provided the signer is its payment agent."""
    found = programme(ctx, programme_id)
    if found.payment_agent != ctx.signer:
        raise rule_violation(
            f"only programme {programme_id}'s payment agent {found.payment_agent} may pay"
        )
    return found


def member_roles(ctx: Context, inn: str) -> list[str]:
    """The roles a member holds (none for a stranger)."""
    found = member(ctx.state, inn)
    return [] if found is None else list(found.roles)


def not_after_today(ctx: Context, name: str, day: str, utc_offset_minutes: int) -> None:
    """Refuse a ``day`` after the entry's own date (the sequencer's time) in the zone."""
    today = local_date(ctx.time_ms, utc_offset_minutes)
    if day > today:
        raise rule_violation(
            f"{name} {day} is after today, {today} ({zone_name(utc_offset_minutes)}): "
            "it cannot have happened yet"
        )
