"""``/v1/status``: the ledger's size, and for a follower how far behind it is and its alarm."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from krai.app.follow_status import ledger_status
from krai.app.mirror_push import read_mirror_states
from krai.bootstrap import follower_files
from krai.entrypoints.api.context import ServicesDep
from krai.entrypoints.api.problems import PROBLEM_RESPONSES

router = APIRouter(tags=["log"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/status",
    summary="Role, size and checkpoint; a follower's lag (entries, seconds) and alarm",
)
def status(services: ServicesDep) -> JSONResponse:
    """``role`` is ``primary`` or ``follower``; a follower also gives ``following`` (the
    primary's URL), ``behind_entries``, ``behind_seconds`` (since a poll last found it
    holding all the primary published) and ``alarm`` (null, or the newest alarm's summary).
    A primary with mirrors gives ``mirrors``: each one's last cosigned size, error, failures
    and when it is tried again (ADR 0037)."""
    settings = services.settings
    files = follower_files(settings)
    document = ledger_status(services.storage, files, settings.follows, services.clock.now_ms())
    if settings.mirrors:
        document["mirrors"] = read_mirror_states(files) or [
            {"name": mirror.name, "url": mirror.url, "cosigned_size": None, "error": None}
            for mirror in settings.mirrors
        ]
    return JSONResponse(document)
