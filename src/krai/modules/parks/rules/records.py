"""What every park rule needs: provenance stamps, lookups that refuse clearly, who may act."""

from typing import Any

from krai.modules.identity.queries import organisation
from krai.modules.parks.model import (
    ALLOCATING_STATUSES,
    park_key,
    region_key,
    resident_key,
)
from krai.state.calendar import local_date
from krai.state.engine import Context
from krai.tx.errors import conflict, invalid_body, not_found, rule_violation


def park(ctx: Context, park_id: str) -> dict[str, Any]:
    """The park, or a refusal."""
    return ctx.require(park_key(park_id), f"park {park_id}")


def operated_park(ctx: Context, park_id: str) -> dict[str, Any]:
    """The park, provided the signer is its operator."""
    found = park(ctx, park_id)
    if found["operator"] != ctx.signer:
        raise rule_violation(f"only park {park_id}'s operator {found['operator']} may do this")
    return found


def has_role(ctx: Context, role: str) -> bool:
    """Whether the signer holds ``role``."""
    member = organisation(ctx.state, ctx.signer)
    return member is not None and role in member["roles"]


def operator_or_role(ctx: Context, park_id: str, role: str) -> dict[str, Any]:
    """The park, provided the signer operates it or holds ``role`` (e.g. an attestor)."""
    found = park(ctx, park_id)
    if found["operator"] != ctx.signer and not has_role(ctx, role):
        raise rule_violation(
            f"only park {park_id}'s operator {found['operator']} or an {role} may do this"
        )
    return found


def member(ctx: Context, inn: str) -> dict[str, Any]:
    """The member organisation, or a refusal."""
    found = organisation(ctx.state, inn)
    if found is None:
        raise not_found(f"organisation {inn} is not a member of the network")
    return found


def park_today(ctx: Context, park_record: dict[str, Any]) -> str:
    """Today's date in the park's region, by the ledger's clock."""
    region = ctx.require(region_key(park_record["region_id"]), "region")
    return local_date(ctx.time_ms, int(region["utc_offset_minutes"]))


def append_history(record: dict[str, Any], ctx: Context, **change: Any) -> None:
    """Add a change, with its provenance, to a record's history."""
    record.setdefault("history", []).append({**change, **ctx.provenance()})


def absent(ctx: Context, key: str, what: str) -> None:
    """Refuse with ``conflict`` when ``key`` already holds a record."""
    found = ctx.read(key)
    if found is not None:
        raise conflict(f"{what} is already registered (entry {found['index']})")


def unique(what: str, values: list[str] | tuple[str, ...]) -> None:
    """Refuse with ``invalid_body`` when a value is given twice."""
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise invalid_body(f"body.{what}: {', '.join(repeated)} given more than once")


def allocating_resident(ctx: Context, park_id: str, inn: str) -> dict[str, Any]:
    """The residency, provided it may hold plots and power (its agreement is concluded)."""
    residency = ctx.read(resident_key(park_id, inn))
    status = None if residency is None else residency["status"]
    if residency is None or status not in ALLOCATING_STATUSES:
        raise rule_violation(
            f"{inn} is {status or 'not a resident'} in park {park_id}; plots and power go to "
            "residents with a concluded agreement"
        )
    return residency
