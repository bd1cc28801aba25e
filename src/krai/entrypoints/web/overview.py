"""The overview page: the network, its organisations and roles, the latest checkpoint and the
published one (as ``GET /v1/checkpoint`` and ``GET /v1/checkpoint/published``)."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from krai.app import organisations
from krai.app.publication import NotYetPublishedError, latest_checkpoint, published_checkpoint
from krai.bootstrap import Services
from krai.entrypoints.web.render import not_found, page, respond, services_of
from krai.modules.identity import queries as identity

router = APIRouter()
AREAS = ("parks", "energy", "payments", "explorer")


@page(router, "/organisations/{identifier}")
def organisation(request: Request, identifier: str) -> Response:
    """An organisation: who it is, its roles, keys, parks, agreements, support and latest
    signed entries."""
    found = organisations.organisation(services_of(request).storage, identifier)
    if found is None:
        return not_found(request, f"organisation {identifier}")
    return respond(request, "organisation.j2", found, "organisation.title")


@page(router, "/")
def overview(request: Request) -> Response:
    """The network at a glance, with a link to each area."""
    return respond(request, "overview.j2", overview_data(services_of(request)), "overview.title")


def overview_data(services: Services) -> dict[str, Any]:
    """What the overview shows."""
    storage = services.storage
    organisations = [
        {
            "inn": org.inn,
            "country": org.country or "RU",
            "name": org.name,
            "roles": sorted(org.roles),
        }
        for org in identity.organisations(storage)
    ]
    return {
        "origin": services.origin,
        "log_size": storage.log_size(),
        "quorum": identity.quorum(storage),
        "organisations": organisations,
        "roles": _role_counts(organisations),
        "checkpoint": latest_checkpoint(services.publication),
        "published": _published(services),
        "areas": [{"area": area, "href": f"/{area}"} for area in AREAS],
    }


def _published(services: Services) -> dict[str, Any] | None:
    """The published checkpoint; None before one is (with witnesses: before their quorum)."""
    try:
        return published_checkpoint(services.publication)
    except NotYetPublishedError:
        return None


def _role_counts(organisations: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for org in organisations:
        for role in org["roles"]:
            counts[role] = counts.get(role, 0) + 1
    return dict(sorted(counts.items()))
