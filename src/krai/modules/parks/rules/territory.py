"""Regions, clusters over regions, parks with their lifecycle, and attested facts about parks."""

from krai.modules.parks import events
from krai.modules.parks.messages import (
    AddClusterMember,
    ChangeClusterStatus,
    ChangeParkStatus,
    Fact,
    RegisterCluster,
    RegisterPark,
    RegisterRegion,
    StateParkFacts,
)
from krai.modules.parks.model import (
    CLUSTER_TRANSITIONS,
    CURRENCY_MINOR_UNITS,
    PARK_TRANSITIONS,
    TEXT_FACTS,
    Role,
    cluster_key,
    fact_key,
    park_key,
    region_key,
)
from krai.modules.parks.records import (
    Cluster,
    ClusterChange,
    ClusterMember,
    FactStatement,
    Park,
    ParkChange,
    Planned,
    Region,
    Stage,
    StatedFact,
)
from krai.modules.parks.rules.records import (
    absent,
    has_role,
    member,
    operator_or_role,
    park,
    park_today,
    required,
    unique,
)
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, invalid_body, rule_violation


def validate_region(ctx: Context, message: RegisterRegion) -> None:
    """The region is new."""
    absent(ctx, region_key(message.region_id), Region, f"region {message.region_id}")


def apply_region(ctx: Context, message: RegisterRegion) -> None:
    """Record the region."""
    record = Region(
        name_ru=message.name_ru,
        name_en=message.name_en,
        time_zone=message.time_zone,
        utc_offset_minutes=message.utc_offset_minutes,
        **ctx.provenance(),
    )
    write_record(ctx.state, region_key(message.region_id), record)
    ctx.emit(events.RegionRegistered(message.region_id))


def check_cluster(message: RegisterCluster) -> None:
    """Regions and stages are each named once."""
    unique("regions", message.regions)
    unique("value_chain stage_id", [stage.stage_id for stage in message.value_chain])


def validate_cluster(ctx: Context, message: RegisterCluster) -> None:
    """The cluster is new and its regions are registered."""
    absent(ctx, cluster_key(message.cluster_id), Cluster, f"cluster {message.cluster_id}")
    for region_id in message.regions:
        required(ctx, region_key(region_id), Region, f"region {region_id}")


def apply_cluster(ctx: Context, message: RegisterCluster) -> None:
    """Record the cluster; its signer coordinates it."""
    record = Cluster(
        name_ru=message.name_ru,
        name_en=message.name_en,
        specialisation=message.specialisation,
        regions=tuple(message.regions),
        value_chain=tuple(
            Stage(stage_id=s.stage_id, name_ru=s.name_ru, name_en=s.name_en)
            for s in message.value_chain
        ),
        members=(),
        source=message.source,
        coordinator=ctx.signer,
        status=message.status,
        planned=tuple(Planned(what=p.what, on=p.on) for p in message.planned or ()),
        **ctx.provenance(),
    )
    write_record(ctx.state, cluster_key(message.cluster_id), record)
    ctx.emit(events.ClusterRegistered(message.cluster_id, tuple(message.regions)))


def validate_cluster_status(ctx: Context, message: ChangeClusterStatus) -> None:
    """The coordinator makes an allowed transition (a first status from none is any), dated no
    earlier than the last one."""
    cluster = _coordinated_cluster(ctx, message.cluster_id, "change its status")
    if cluster.status is not None and (cluster.status, message.status) not in CLUSTER_TRANSITIONS:
        raise rule_violation(
            f"cluster {message.cluster_id} is {cluster.status}; it cannot become {message.status}"
        )
    if cluster.history and message.on < cluster.history[-1].on:
        raise rule_violation(f"on {message.on} precedes the last change, {cluster.history[-1].on}")


def apply_cluster_status(ctx: Context, message: ChangeClusterStatus) -> None:
    """Move the cluster and keep the change, with its date, in its history."""
    cluster = _coordinated_cluster(ctx, message.cluster_id, "change its status")
    change = ClusterChange(
        status=message.status, on=message.on, basis=message.basis, **ctx.provenance()
    )
    write_record(ctx.state, cluster_key(message.cluster_id), cluster.changed(change))
    ctx.emit(
        events.ClusterStatusChanged(message.cluster_id, cluster.status, message.status, message.on)
    )


def check_cluster_member(message: AddClusterMember) -> None:
    """A member is either a park or an organisation."""
    if (message.park_id is None) == (message.inn is None):
        raise invalid_body("body: name exactly one of park_id and inn")


def validate_cluster_member(ctx: Context, message: AddClusterMember) -> None:
    """The coordinator adds a registered park in the cluster's regions, or a member, once."""
    cluster = _coordinated_cluster(ctx, message.cluster_id)
    if message.stage_id not in {stage.stage_id for stage in cluster.value_chain}:
        raise rule_violation(f"cluster {message.cluster_id} has no stage {message.stage_id}")
    if message.park_id is not None:
        region_id = park(ctx, message.park_id).region_id
        if region_id not in cluster.regions:
            raise rule_violation(
                f"park {message.park_id} lies in {region_id}, outside cluster "
                f"{message.cluster_id}'s regions {', '.join(cluster.regions)}"
            )
    if message.inn is not None:
        member(ctx, message.inn)
    if any(_same_member(existing, message) for existing in cluster.members):
        raise conflict(f"{message.park_id or message.inn} is already at stage {message.stage_id}")


def apply_cluster_member(ctx: Context, message: AddClusterMember) -> None:
    """Add the member at its stage."""
    cluster = _coordinated_cluster(ctx, message.cluster_id)
    entry = ClusterMember(
        stage_id=message.stage_id,
        park_id=message.park_id,
        inn=None if message.park_id else message.inn,
        **ctx.provenance(),
    )
    write_record(ctx.state, cluster_key(message.cluster_id), cluster.with_member(entry))
    ctx.emit(events.ClusterMemberAdded(message.cluster_id, message.stage_id, entry.member_id()))


def validate_park(ctx: Context, message: RegisterPark) -> None:
    """The park is new, its region registered, its saleable area within its total area."""
    absent(ctx, park_key(message.park_id), Park, f"park {message.park_id}")
    required(ctx, region_key(message.region_id), Region, f"region {message.region_id}")
    if message.saleable_area_m2 > message.total_area_m2:
        raise rule_violation(
            f"saleable area {message.saleable_area_m2:,} m² exceeds the park's total area "
            f"{message.total_area_m2:,} m²"
        )


def apply_park(ctx: Context, message: RegisterPark) -> None:
    """Record the park, planned; its signer operates it."""
    record = Park(
        name_ru=message.name_ru,
        name_en=message.name_en,
        kind=message.kind,
        region_id=message.region_id,
        operator=ctx.signer,
        status="planned",
        total_area_m2=message.total_area_m2,
        saleable_area_m2=message.saleable_area_m2,
        sites_area_m2=0,
        source=message.source,
        history=(ParkChange(status="planned", basis=message.source, **ctx.provenance()),),
        **ctx.provenance(),
    )
    write_record(ctx.state, park_key(message.park_id), record)
    ctx.emit(events.ParkRegistered(message.park_id, ctx.signer))


def validate_park_status(ctx: Context, message: ChangeParkStatus) -> None:
    """An allowed transition, signed by whom it needs; recognition runs to a future date."""
    record = park(ctx, message.park_id)
    signers = PARK_TRANSITIONS.get((record.status, message.status))
    if signers is None:
        raise rule_violation(
            f"park {message.park_id} is {record.status}; it cannot become {message.status}"
        )
    _require_signer(ctx, record, signers, f"{record.status} → {message.status}")
    recognising = message.status == "recognised"
    if recognising != (message.recognised_until is not None):
        raise invalid_body("body.recognised_until is required exactly when recognising a park")
    today = park_today(ctx, record)
    if message.recognised_until is not None and message.recognised_until <= today:
        raise rule_violation(f"recognised_until {message.recognised_until} is not after {today}")


def apply_park_status(ctx: Context, message: ChangeParkStatus) -> None:
    """Move the park and keep the change in its history."""
    record = park(ctx, message.park_id)
    change = ParkChange(
        status=message.status,
        basis=message.basis,
        recognised_until=message.recognised_until,
        **ctx.provenance(),
    )
    write_record(ctx.state, park_key(message.park_id), record.changed(change))
    ctx.emit(events.ParkStatusChanged(message.park_id, record.status, message.status))


def check_facts(message: StateParkFacts) -> None:
    """Each fact once; text facts as text, the others as an amount (with its bound) or as
    unknown; a currency only on money (``_kopecks``) facts, from ISO 4217."""
    unique("facts name", [fact.name for fact in message.facts])
    for fact in message.facts:
        _check_fact(fact)


def _check_fact(fact: Fact) -> None:
    wants_text = fact.name in TEXT_FACTS
    if wants_text:
        extras = (fact.amount, fact.bound, fact.currency, fact.unknown)
        if fact.text is None or any(x is not None for x in extras):
            raise invalid_body(f"body.facts: {fact.name} takes exactly one text")
        return
    if fact.text is not None or (fact.amount is not None) == bool(fact.unknown):
        raise invalid_body(f"body.facts: {fact.name} takes exactly one amount, or unknown: true")
    if fact.unknown and fact.bound is not None:
        raise invalid_body(f"body.facts: {fact.name} is unknown; it takes no bound")
    if fact.currency is not None:
        if not fact.name.endswith("_kopecks"):
            raise invalid_body(f"body.facts: {fact.name} is not money; it takes no currency")
        if fact.currency not in CURRENCY_MINOR_UNITS:
            raise invalid_body(
                f"body.facts: {fact.name}: currency {fact.currency} is not an ISO 4217 code "
                f"the registry knows ({', '.join(sorted(CURRENCY_MINOR_UNITS))})"
            )


def validate_facts(ctx: Context, message: StateParkFacts) -> None:
    """The operator, or an attestor, states them; not as of a future date."""
    record = operator_or_role(ctx, message.park_id, Role.ATTESTOR)
    today = park_today(ctx, record)
    if message.as_of > today:
        raise rule_violation(f"as_of {message.as_of} is in the future (today is {today})")


def apply_facts(ctx: Context, message: StateParkFacts) -> None:
    """Record each fact with its source, date and signer; the latest by date is current."""
    for fact in message.facts:
        key = fact_key(message.park_id, fact.name)
        record = read_record(ctx.state, key, StatedFact) or StatedFact(statements=())
        write_record(ctx.state, key, record.with_statement(_statement(ctx, message, fact)))
    names = tuple(fact.name for fact in message.facts)
    ctx.emit(events.ParkFactsStated(message.park_id, names, message.as_of))


def _statement(ctx: Context, message: StateParkFacts, fact: Fact) -> FactStatement:
    value = fact.text if fact.text is not None else fact.amount
    currency = None if fact.currency == "RUB" else fact.currency
    return FactStatement(
        value=value,
        as_of=message.as_of,
        source=message.source,
        bound=fact.bound or "exact",
        currency=currency,
        **ctx.provenance(),
    )


def _require_signer(ctx: Context, record: Park, roles: frozenset[str], change: str) -> None:
    if Role.PARK_OPERATOR in roles and record.operator == ctx.signer:
        return
    if any(role != Role.PARK_OPERATOR and has_role(ctx, role) for role in roles):
        return
    who = "the park's operator" if Role.PARK_OPERATOR in roles else " or ".join(sorted(roles))
    raise rule_violation(f"{change} must be signed by {who}")


def _coordinated_cluster(ctx: Context, cluster_id: str, action: str = "add members") -> Cluster:
    cluster = required(ctx, cluster_key(cluster_id), Cluster, f"cluster {cluster_id}")
    if cluster.coordinator != ctx.signer:
        raise rule_violation(f"only cluster {cluster_id}'s coordinator may {action}")
    return cluster


def _same_member(existing: ClusterMember, message: AddClusterMember) -> bool:
    same_stage = existing.stage_id == message.stage_id
    return same_stage and existing.member_id() in (message.park_id, message.inn)
