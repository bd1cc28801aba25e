"""What every payment rule needs: provenance stamps, lookups that refuse, who operates what."""

from typing import Any

from krai.modules.identity.queries import organisation
from krai.modules.payments.model import programme_key
from krai.state.engine import Context
from krai.tx.errors import conflict, rule_violation


def absent(ctx: Context, key: str, what: str) -> None:
    """Refuse with ``conflict`` when ``key`` already holds a record."""
    found = ctx.read(key)
    if found is not None:
        raise conflict(f"{what} already exists (entry {found.get('index')})")


def programme(ctx: Context, programme_id: str) -> dict[str, Any]:
    """The programme, or a refusal."""
    return ctx.require(programme_key(programme_id), f"programme {programme_id}")


def operated_programme(ctx: Context, programme_id: str) -> dict[str, Any]:
    """The programme, provided the signer operates it."""
    found = programme(ctx, programme_id)
    if found["operator"] != ctx.signer:
        raise rule_violation(
            f"only programme {programme_id}'s operator {found['operator']} may do this"
        )
    return found


def paying_programme(ctx: Context, programme_id: str) -> dict[str, Any]:
    """The programme, provided the signer is its payment agent."""
    found = programme(ctx, programme_id)
    if found["payment_agent"] != ctx.signer:
        raise rule_violation(
            f"only programme {programme_id}'s payment agent {found['payment_agent']} may pay"
        )
    return found


def member_roles(ctx: Context, inn: str) -> list[str]:
    """The roles a member holds (none for a stranger)."""
    member = organisation(ctx.state, inn)
    return [] if member is None else list(member["roles"])
