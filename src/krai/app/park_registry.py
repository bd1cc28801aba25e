"""What the park registry's readers ask, composed from the parks module's queries: a park's
card, a fact with its proof, residents with their commitments, sites, agreements, targets,
regions and clusters. Each is the JSON document the CLI's ``--json``, the API and the page's
JSON twin all answer (typed records become their stored JSON objects, with their ids)."""

from typing import Any

from krai.app.ports import Storage
from krai.modules.identity import queries as identity
from krai.modules.parks import queries
from krai.state.records import record_json, records_json


def park_cards(storage: Storage, region: str | None = None) -> list[dict[str, Any]]:
    """Every park (of ``region``) with its kind, status, operator (``operator_name``) and
    occupancy."""
    found = (queries.park(storage, p.park_id) for p in queries.parks(storage, region))
    cards = [park for park in found if park is not None]
    names = organisation_names(storage, {card["operator"] for card in cards})
    return [_named(card, "operator", names) for card in cards]


def park_card(storage: Storage, park_id: str, on: str) -> dict[str, Any] | None:
    """A park's card on a date: the park, its facts with provenance, infrastructure, power
    (figures as integers in their units; the edges read them through ``Words``). Each
    organisation named by identifier comes with its name, as the network knows it:
    ``operator_name``, each fact's ``by_name``, each object's ``owner_name``."""
    found = queries.park(storage, park_id, on)
    if found is None:
        return None
    facts = queries.park_facts(storage, park_id, on)
    objects = queries.infrastructure(storage, park_id, on)
    owners = {o["owner_inn"] for o in objects if "owner_inn" in o}
    names = organisation_names(storage, {found["operator"], *(f["by"] for f in facts), *owners})
    return {
        "park": _named(found, "operator", names),
        "facts": [_named(f, "by", names) for f in facts],
        "infrastructure": [_named(o, "owner_inn", names, "owner_name") for o in objects],
        "power": queries.power(storage, park_id, on),
    }


def proven_fact(storage: Storage, park_id: str, name: str) -> dict[str, Any] | None:
    """A fact's current value and history, with the proof of the entry that stated it."""
    history = queries.fact_history(storage, park_id, name)
    if not history:
        return None
    current = history[-1]
    from krai.app.proofs import proven_by_latest_checkpoint  # noqa: PLC0415 - only a proven fact

    return {
        "fact": _named(
            {"park_id": park_id, "name": name, **record_json(current)},
            "by",
            organisation_names(storage, {current.by}),
        ),
        "history": [{"name": name, **h} for h in records_json(history)],
        **proven_by_latest_checkpoint(storage, current.index),
    }


def residents_with_commitments(storage: Storage, park_id: str, on: str) -> list[dict[str, Any]]:
    """The park's residents, each with its ``name``, its commitments against actuals on a date
    and the power allocated to it (``power``: each allocation from, until, kW, and its release)."""
    allocations = records_json(queries.power_allocations(storage, park_id))
    residents = queries.residents(storage, park_id)
    names = organisation_names(storage, {resident.inn for resident in residents})
    return [
        {
            **record_json(resident),
            "name": names.get(resident.inn),
            "commitments": queries.commitments(storage, park_id, resident.inn, on),
            "power": [a for a in allocations if a["resident_inn"] == resident.inn],
        }
        for resident in residents
    ]


def support_measures(storage: Storage, park_id: str | None = None) -> list[dict[str, Any]]:
    """Support measures (of one park: those naming it, and those naming no park granted to
    its operator or a resident of it): what, to whom and by whom (with the organisations'
    names), from and until when, the amount (``amount_kopecks``, absent when the source gives
    none), the legal basis, and the measures of other authorities it overlaps
    (``overlapping``: each one's id, kind, authority and purpose)."""
    every = records_json(queries.support(storage))
    members = set() if park_id is None else _park_members(storage, park_id)
    by_id = {(m["recipient_inn"], m["measure_id"]): m for m in every}
    names = organisation_names(
        storage, {m["recipient_inn"] for m in every} | {m["by"] for m in every}
    )
    return [
        {
            **measure,
            "recipient_name": names.get(measure["recipient_inn"]),
            "by_name": names.get(measure["by"]),
            "overlapping": [
                _overlapped(by_id[(measure["recipient_inn"], o)], names)
                for o in measure["overlaps"]
                if (measure["recipient_inn"], o) in by_id
            ],
        }
        for measure in every
        if park_id is None or _concerns(measure, park_id, members)
    ]


def organisation_names(storage: Storage, identifiers: set[str]) -> dict[str, str]:
    """The member organisations' names by identifier (one unknown to the network is left
    out)."""
    found = (identity.member(storage, i) for i in sorted(identifiers))
    return {org.inn: org.name for org in found if org is not None}


def _named(
    document: dict[str, Any], field: str, names: dict[str, str], name_field: str = ""
) -> dict[str, Any]:
    """``document`` with the name of the organisation in ``field`` beside it (``<field>_name``
    unless told; null when the network does not know it), when it names one."""
    if field not in document:
        return document
    return {**document, name_field or f"{field}_name": names.get(document[field])}


def _park_members(storage: Storage, park_id: str) -> set[str]:
    found = queries.park_record(storage, park_id)
    operator = set() if found is None else {found.operator}
    return operator | {r.inn for r in queries.residents(storage, park_id)}


def _concerns(measure: dict[str, Any], park_id: str, members: set[str]) -> bool:
    named = measure.get("park_id")
    return named == park_id or (named is None and measure["recipient_inn"] in members)


def _overlapped(measure: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    fields = ("measure_id", "kind", "by", "purpose", "from", "until")
    shown = {k: measure[k] for k in fields if k in measure}
    return {**shown, "by_name": names.get(measure["by"])}


def power_timeline(storage: Storage, park_id: str) -> list[dict[str, Any]]:
    """Capacity, allocated and free kW from each date on which one of them changes."""
    return queries.power_timeline(storage, park_id)


def sites(
    storage: Storage,
    park_id: str | None = None,
    status: str | None = None,
    min_area_m2: int = 0,
    max_price_kopecks: int | None = None,
) -> list[dict[str, Any]]:
    """Sites matching an investor's search, by cadastral number, with their history."""
    return records_json(queries.sites(storage, park_id, status, min_area_m2, max_price_kopecks))


def agreements(storage: Storage, party: str | None = None) -> list[dict[str, Any]]:
    """Agreements (one organisation is party to) with their parties (and their names,
    ``party_names``) and signatures."""
    found = records_json(queries.agreements(storage, party))
    names = organisation_names(storage, {p for agreement in found for p in agreement["parties"]})
    return [{**a, "party_names": {p: names[p] for p in a["parties"] if p in names}} for a in found]


def targets(
    storage: Storage, region: str | None = None, on: str | None = None
) -> list[dict[str, Any]]:
    """Regional targets with their progress (and, with ``on``, whether on track)."""
    return queries.targets(storage, region, on)


def regions(storage: Storage) -> list[dict[str, Any]]:
    """Every region with its names and time zone."""
    return records_json(queries.regions(storage))


def clusters(storage: Storage) -> list[dict[str, Any]]:
    """Every cluster with its regions, value chain, members, status and planned events."""
    return records_json(queries.clusters(storage))


def cluster(storage: Storage, cluster_id: str) -> dict[str, Any] | None:
    """A cluster with its members also under each value-chain stage."""
    return queries.cluster(storage, cluster_id)


def parks(storage: Storage) -> list[dict[str, Any]]:
    """Every park as stored, with its id."""
    return records_json(queries.parks(storage))
