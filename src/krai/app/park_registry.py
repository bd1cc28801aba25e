"""What the park registry's readers ask, composed from the parks module's queries: a park's
card, a fact with its proof, residents with their commitments. The CLI, the API and the
dashboard answer with the same documents."""

from typing import Any

from krai.app.ports import Storage
from krai.app.proofs import proven_by_latest_checkpoint
from krai.modules.parks import queries


def park_cards(storage: Storage, region: str | None = None) -> list[dict[str, Any]]:
    """Every park (of ``region``) with its kind, status, operator and occupancy."""
    found = (queries.park(storage, p["park_id"]) for p in queries.parks(storage, region))
    return [park for park in found if park is not None]


def park_card(storage: Storage, park_id: str, on: str) -> dict[str, Any] | None:
    """A park's card on a date: the park, its facts with provenance, infrastructure, power."""
    found = queries.park(storage, park_id, on)
    if found is None:
        return None
    return {
        "park": found,
        "facts": queries.park_facts(storage, park_id, on),
        "infrastructure": queries.infrastructure(storage, park_id, on),
        "power": queries.power(storage, park_id, on),
    }


def proven_fact(storage: Storage, park_id: str, name: str) -> dict[str, Any] | None:
    """A fact's current value and history, with the proof of the entry that stated it."""
    history = queries.fact_history(storage, park_id, name)
    if not history:
        return None
    current = history[-1]
    return {
        "fact": {"park_id": park_id, "name": name, **current},
        "history": history,
        **proven_by_latest_checkpoint(storage, current["index"]),
    }


def residents_with_commitments(storage: Storage, park_id: str, on: str) -> list[dict[str, Any]]:
    """The park's residents, each with its commitments against actuals on a date."""
    return [
        {**resident, "commitments": queries.commitments(storage, park_id, resident["inn"], on)}
        for resident in queries.residents(storage, park_id)
    ]
