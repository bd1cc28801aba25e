"""``/v1/status``: the ledger's size, and for a follower how far behind it is and its alarm."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from krai.app.follow_status import ledger_status
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
    holding all the primary published) and ``alarm`` (null, or the newest alarm's summary)."""
    settings = services.settings
    document = ledger_status(
        services.storage, follower_files(settings), settings.follows, services.clock.now_ms()
    )
    return JSONResponse(document)
