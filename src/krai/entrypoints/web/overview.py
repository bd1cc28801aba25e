"""The overview page: the network, its organisations and roles, the latest checkpoint."""

import datetime as dt
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from krai.app.ports import Storage
from krai.bootstrap import Services
from krai.entrypoints.web.render import page, respond, services_of
from krai.modules.identity import queries as identity

router = APIRouter()
AREAS = ("parks", "energy", "payments", "explorer")


@page(router, "/")
def overview(request: Request) -> Response:
    """The network at a glance, with a link to each area."""
    return respond(request, "overview.j2", overview_data(services_of(request)), "overview.title")


def overview_data(services: Services) -> dict[str, Any]:
    """What the overview shows."""
    storage = services.storage
    organisations = [
        {"inn": org["inn"], "name": org["name"], "roles": sorted(org["roles"])}
        for org in identity.organisations(storage)
    ]
    return {
        "origin": services.origin,
        "log_size": storage.log_size(),
        "quorum": identity.quorum(storage),
        "organisations": organisations,
        "roles": _role_counts(organisations),
        "checkpoint": latest_checkpoint(storage),
        "areas": [{"area": area, "href": f"/{area}"} for area in AREAS],
    }


def latest_checkpoint(storage: Storage) -> dict[str, Any] | None:
    """The newest signed checkpoint: size, root hash, note text and signing time."""
    found = storage.latest_checkpoint()
    if found is None:
        return None
    return {
        "size": found.size,
        "root_hash": found.root_hash.hex(),
        "note": found.note,
        "time_ms": found.time_ms,
    }


def _role_counts(organisations: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for org in organisations:
        for role in org["roles"]:
            counts[role] = counts.get(role, 0) + 1
    return dict(sorted(counts.items()))


def ledger_day(storage: Storage) -> str:
    """The UTC day of the newest entry: the dashboard's "today", so that a page reads the
    ledger as of its own time, never the server's clock."""
    size = storage.log_size()
    newest = storage.entry(size - 1) if size else None
    moment = dt.datetime.fromtimestamp((newest.time_ms if newest else 0) / 1000, tz=dt.UTC)
    return moment.date().isoformat()
