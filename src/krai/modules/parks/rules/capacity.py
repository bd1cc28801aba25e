"""Infrastructure with capacity timelines, and power allocations that never exceed capacity.

The power a park can allocate on a date is the sum, over its substations (and residents' own
generation declared for the grid), of the guaranteed part of each one's timeline step in
effect that date: the capacity when exact, «более» or «не менее»; nothing when unknown,
«около», «до» or «менее». On no date may the allocations in effect exceed it: an
allocation or a reduced timeline that would break this is refused with the first date on
which it would, and the figures.
"""

from krai.modules.parks import events
from krai.modules.parks.messages import (
    AllocatePower,
    CapacityStep,
    RegisterInfrastructure,
    ReleasePower,
    SetCapacity,
)
from krai.modules.parks.model import (
    CAPACITY_UNIT,
    OWN_GENERATION,
    Role,
    infrastructure_key,
    power_key,
)
from krai.modules.parks.queries import power_allocations, substation_timelines
from krai.modules.parks.records import (
    Infrastructure,
    PowerAllocation,
    Release,
    Timelines,
    TimelineStep,
    power_dates,
    power_on,
    timeline_with,
)
from krai.modules.parks.rules.records import (
    absent,
    allocating_resident,
    member,
    operated_park,
    operator_or_role,
    required,
    unique,
)
from krai.state.engine import Context
from krai.state.records import write_record
from krai.state.store import StateView
from krai.tx.errors import invalid_body, rule_violation


def check_infrastructure(message: RegisterInfrastructure) -> None:
    """Each timeline date once; a bound only on a known capacity; an owner and a grid
    declaration only on a resident's own generation, which names its owner."""
    unique("timeline from_date", [step.from_date for step in message.timeline])
    for step in message.timeline:
        check_step(step)
    own = message.kind == OWN_GENERATION
    if own != (message.owner_inn is not None):
        raise invalid_body("body.owner_inn is required exactly for own_generation")
    if message.declared_for_grid is not None and not own:
        raise invalid_body("body.declared_for_grid applies only to own_generation")


def check_step(step: CapacityStep) -> None:
    """An unknown capacity takes no bound."""
    if step.capacity is None and step.bound is not None:
        raise invalid_body(f"a step from {step.from_date} of unknown capacity takes no bound")


def check_capacity(message: SetCapacity) -> None:
    """The step's bound applies to a known capacity."""
    check_step(message.step)


def validate_infrastructure(ctx: Context, message: RegisterInfrastructure) -> None:
    """The operator, or an attestor (a grid company), registers a new object."""
    operator_or_role(ctx, message.park_id, Role.ATTESTOR)
    key = infrastructure_key(message.park_id, message.object_id)
    absent(ctx, key, Infrastructure, f"object {message.object_id} of park {message.park_id}")
    if message.owner_inn is not None:
        member(ctx, message.owner_inn)


def apply_infrastructure(ctx: Context, message: RegisterInfrastructure) -> None:
    """Record the object and its timeline, each step with its provenance."""
    record = Infrastructure(
        kind=message.kind,
        name=message.name,
        unit=CAPACITY_UNIT[message.kind],
        timeline=_timeline(ctx, message),
        superseded=(),
        source=message.source,
        owner_inn=message.owner_inn,
        declared_for_grid=bool(message.declared_for_grid),
        **ctx.provenance(),
    )
    write_record(ctx.state, infrastructure_key(message.park_id, message.object_id), record)
    ctx.emit(events.InfrastructureRegistered(message.park_id, message.object_id, message.kind))
    for step in message.timeline:
        ctx.emit(_capacity_set(message.park_id, message.object_id, record.unit, step))


def validate_capacity(ctx: Context, message: SetCapacity) -> None:
    """The operator or an attestor sets a step; the grid's capacity still covers every
    allocation."""
    operator_or_role(ctx, message.park_id, Role.ATTESTOR)
    record = _object(ctx, message.park_id, message.object_id)
    if record.feeds_grid():
        timeline = timeline_with(record.timeline, _step(ctx, message.step))
        overrides = {message.object_id: timeline}
        _refuse_overallocation(ctx.state, message.park_id, overrides=overrides)


def apply_capacity(ctx: Context, message: SetCapacity) -> None:
    """Insert the step, or replace the one of the same date (kept as superseded)."""
    record = _object(ctx, message.park_id, message.object_id).with_step(_step(ctx, message.step))
    write_record(ctx.state, infrastructure_key(message.park_id, message.object_id), record)
    ctx.emit(_capacity_set(message.park_id, message.object_id, record.unit, message.step))


def check_allocation(message: AllocatePower) -> None:
    """An allocation ends after it starts."""
    if message.until is not None and message.until <= message.from_date:
        raise rule_violation(f"until {message.until} is not after from_date {message.from_date}")


def validate_allocation(ctx: Context, message: AllocatePower) -> None:
    """The operator allocates to a resident with an agreement, within capacity on every date."""
    operated_park(ctx, message.park_id)
    key = power_key(message.park_id, message.allocation_id)
    absent(ctx, key, PowerAllocation, f"allocation {message.allocation_id}")
    allocating_resident(ctx, message.park_id, message.resident_inn)
    _refuse_overallocation(ctx.state, message.park_id, added=_allocation(ctx, message))


def apply_allocation(ctx: Context, message: AllocatePower) -> None:
    """Record the allocation."""
    key = power_key(message.park_id, message.allocation_id)
    write_record(ctx.state, key, _allocation(ctx, message))
    ctx.emit(
        events.PowerAllocated(
            message.park_id,
            message.allocation_id,
            message.resident_inn,
            message.power_kw,
            message.from_date,
        )
    )


def validate_release(ctx: Context, message: ReleasePower) -> None:
    """The operator ends an allocation on a date inside it."""
    operated_park(ctx, message.park_id)
    allocation = _allocation_record(ctx, message.park_id, message.allocation_id)
    if not allocation.is_active(message.from_date) or message.from_date == allocation.from_:
        raise rule_violation(
            f"allocation {message.allocation_id} runs from {allocation.from_} "
            f"until {allocation.until or 'open end'}; {message.from_date} is not inside it"
        )


def apply_release(ctx: Context, message: ReleasePower) -> None:
    """End the allocation from the date on."""
    allocation = _allocation_record(ctx, message.park_id, message.allocation_id)
    release = Release(basis=message.basis, **ctx.provenance())
    ended = allocation.released_from(message.from_date, release)
    write_record(ctx.state, power_key(message.park_id, message.allocation_id), ended)
    ctx.emit(events.PowerReleased(message.park_id, message.allocation_id, message.from_date))


def _refuse_overallocation(
    view: StateView,
    park_id: str,
    *,
    added: PowerAllocation | None = None,
    overrides: Timelines | None = None,
) -> None:
    timelines = {**substation_timelines(view, park_id), **(overrides or {})}
    allocations: list[PowerAllocation] = list(power_allocations(view, park_id))
    candidates = [*allocations, added] if added else allocations
    for on in power_dates(timelines, candidates):
        capacity, allocated = power_on(timelines, candidates, on)
        if allocated > capacity:
            raise rule_violation(_overallocation(park_id, on, capacity, allocated, added))


def _overallocation(
    park_id: str, on: str, capacity: int, allocated: int, added: PowerAllocation | None
) -> str:
    text = (
        f"over-allocation: on {on} park {park_id} would have {allocated:,} kW allocated "
        f"of {capacity:,} kW available"
    )
    if added is None:
        return f"{text}; the reduced capacity does not cover the allocations in effect"
    before = allocated - added.power_kw
    free = capacity - before
    asked = added.power_kw
    return f"{text} ({before:,} kW already allocated, {free:,} kW free, {asked:,} kW asked)"


def _allocation(ctx: Context, message: AllocatePower) -> PowerAllocation:
    return PowerAllocation(
        resident_inn=message.resident_inn,
        power_kw=message.power_kw,
        from_=message.from_date,
        until=message.until,
        **ctx.provenance(),
    )


def _allocation_record(ctx: Context, park_id: str, allocation_id: str) -> PowerAllocation:
    key = power_key(park_id, allocation_id)
    return required(ctx, key, PowerAllocation, f"allocation {allocation_id}")


def _object(ctx: Context, park_id: str, object_id: str) -> Infrastructure:
    key = infrastructure_key(park_id, object_id)
    return required(ctx, key, Infrastructure, f"object {object_id} of park {park_id}")


def _timeline(ctx: Context, message: RegisterInfrastructure) -> tuple[TimelineStep, ...]:
    return tuple(sorted((_step(ctx, s) for s in message.timeline), key=lambda s: s.from_))


def _step(ctx: Context, step: CapacityStep) -> TimelineStep:
    return TimelineStep(
        from_=step.from_date,
        capacity=step.capacity,
        source=step.source,
        evidence_sha256=step.evidence_sha256,
        bound=step.bound or "exact",
        **ctx.provenance(),
    )


def _capacity_set(
    park_id: str, object_id: str, unit: str, step: CapacityStep
) -> events.CapacitySet:
    return events.CapacitySet(park_id, object_id, step.from_date, step.capacity, unit)
