"""What every route shares: the process's services, the submitter, dates, and JSON answers."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from krai.app import lookups
from krai.app.ports import Storage
from krai.app.submission import Submissions
from krai.app.today import ledger_today
from krai.bootstrap import Services
from krai.entrypoints.api.problems import ProblemError, malformed
from krai.state.calendar import CalendarDayError
from krai.state.calendar import calendar_day as checked_day


def services(request: Request) -> Services:
    """The services the application was created with."""
    found: Services = request.app.state.services
    return found


# The dependencies below only read the application's state: ``async`` so that FastAPI calls
# them on the event loop instead of handing each to its thread pool (ADR 0039).


async def services_dependency(request: Request) -> Services:
    """The services the application was created with."""
    return services(request)


async def storage(request: Request) -> Storage:
    """The ledger's storage, read by every query."""
    return services(request).storage


async def submitter(request: Request) -> Submissions:
    """The process's one submitter, started with the application."""
    found: Submissions | None = getattr(request.app.state, "submitter", None)
    if found is None:
        raise ProblemError("unavailable", "the server is not accepting transactions")
    return found


ServicesDep = Annotated[Services, Depends(services_dependency)]
StorageDep = Annotated[Storage, Depends(storage)]
SubmitterDep = Annotated[Submissions, Depends(submitter)]


def document(
    content: Any, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON answer, written as it is (no re-encoding of already plain documents)."""
    return JSONResponse(content, status, headers=headers)


def found(content: Any, missing: str) -> JSONResponse:
    """``content`` as JSON, or the 404 problem of ``krai.app.lookups.found`` saying
    ``missing`` when it is None."""
    return document(lookups.found(content, missing))


def day_or_today(text: str | None, storage: Storage, name: str = "on") -> str:
    """A date ``YYYY-MM-DD`` from a query parameter; by default the ledger's today (the day
    of its newest entry, docs/api.md)."""
    if text is None:
        return ledger_today(storage)
    return calendar_day(text, name)


def calendar_day(text: str, name: str) -> str:
    """``text`` if it is a calendar date ``YYYY-MM-DD``, else a 400 problem."""
    try:
        return checked_day(text, name)
    except CalendarDayError as error:
        raise malformed(str(error)) from error
