"""What every park rule needs: provenance stamps, lookups that refuse clearly, who may act."""

from typing import TypeVar

from krai.modules.identity.model import Organisation
from krai.modules.identity.queries import member as identity_member
from krai.modules.parks.model import (
    ALLOCATING_STATUSES,
    Stamped,
    park_key,
    region_key,
    resident_key,
)
from krai.modules.parks.records import Park, Region, Residency
from krai.state.calendar import local_date
from krai.state.engine import Context
from krai.state.records import Record, read_record
from krai.tx.errors import conflict, invalid_body, not_found, rule_violation

R = TypeVar("R", bound=Record)


def stamp(ctx: Context) -> Stamped:
    """The signer, entry index, time and transaction id of this transaction."""
    return Stamped(by=ctx.signer, index=ctx.index, time_ms=ctx.time_ms, tx_id=ctx.tx_id)


def required(ctx: Context, key: str, cls: type[R], what: str) -> R:
    """The record under ``key``, or a ``not_found`` refusal saying ``what`` is missing."""
    found = read_record(ctx.state, key, cls)
    if found is None:
        raise not_found(f"{what} is not registered")
    return found


def park(ctx: Context, park_id: str) -> Park:
    """The park, or a refusal."""
    return required(ctx, park_key(park_id), Park, f"park {park_id}")


def operated_park(ctx: Context, park_id: str) -> Park:
    """The park, provided the signer is its operator."""
    found = park(ctx, park_id)
    if found.operator != ctx.signer:
        raise rule_violation(f"only park {park_id}'s operator {found.operator} may do this")
    return found


def has_role(ctx: Context, role: str) -> bool:
    """Whether the signer holds ``role``."""
    found = identity_member(ctx.state, ctx.signer)
    return found is not None and role in found.roles


def operator_or_role(ctx: Context, park_id: str, role: str) -> Park:
    """The park, provided the signer operates it or holds ``role`` (e.g. an attestor)."""
    found = park(ctx, park_id)
    if found.operator != ctx.signer and not has_role(ctx, role):
        raise rule_violation(
            f"only park {park_id}'s operator {found.operator} or an {role} may do this"
        )
    return found


def member(ctx: Context, inn: str) -> Organisation:
    """The member organisation, or a refusal."""
    found = identity_member(ctx.state, inn)
    if found is None:
        raise not_found(f"organisation {inn} is not a member of the network")
    return found


def park_today(ctx: Context, park_record: Park) -> str:
    """Today's date in the park's region, by the ledger's clock."""
    region = required(ctx, region_key(park_record.region_id), Region, "region")
    return local_date(ctx.time_ms, region.utc_offset_minutes)


def absent(ctx: Context, key: str, cls: type[Stamped], what: str) -> None:
    """Refuse with ``conflict`` when ``key`` already holds a record (of type ``cls``)."""
    found = read_record(ctx.state, key, cls)
    if found is not None:
        raise conflict(f"{what} is already registered (entry {found.index})")


def unique(what: str, values: list[str] | tuple[str, ...]) -> None:
    """Refuse with ``invalid_body`` when a value is given twice."""
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise invalid_body(f"body.{what}: {', '.join(repeated)} given more than once")


def allocating_resident(ctx: Context, park_id: str, inn: str) -> Residency:
    """The residency, provided it may hold plots and power (its agreement is concluded)."""
    residency = read_record(ctx.state, resident_key(park_id, inn), Residency)
    status = None if residency is None else residency.status
    if residency is None or status not in ALLOCATING_STATUSES:
        raise rule_violation(
            f"{inn} is {status or 'not a resident'} in park {park_id}; plots and power go to "
            "residents with a concluded agreement"
        )
    return residency
