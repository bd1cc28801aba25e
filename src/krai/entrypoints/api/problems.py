"""Errors as RFC 9457 problem details: ``application/problem+json`` with a stable type per code.

Every refusal code of ``krai.tx.errors.Code`` has its problem type ``/problems/<code>`` (a URI
relative to the API, served by ``GET /problems/<code>``), a title and an HTTP status; the API
adds its own codes for what is not a transaction's fault (an unknown route, a missing token,
a body too large). Clients match on ``code`` (or ``type``), never on ``detail``.
"""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from krai.tx.errors import Code, RejectedError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/problems/"


@dataclass(frozen=True)
class Kind:
    """A problem type: its HTTP status and its title."""

    status: int
    title: str


REFUSALS: dict[Code, Kind] = {
    Code.MALFORMED: Kind(400, "The request or transaction is malformed"),
    Code.FLOAT_NOT_ALLOWED: Kind(400, "A number is not an integer"),
    Code.OVERSIZE: Kind(413, "Too large"),
    Code.UNKNOWN_TYPE: Kind(400, "No such transaction type"),
    Code.UNKNOWN_VERSION: Kind(400, "No such version of the transaction type"),
    Code.WRONG_NETWORK: Kind(400, "The transaction is for another network"),
    Code.BAD_SIGNATURE: Kind(401, "The signature does not verify"),
    Code.UNKNOWN_SIGNER: Kind(401, "The signer is not a member organisation"),
    Code.UNKNOWN_KEY: Kind(401, "The signer has no such key"),
    Code.REVOKED_KEY: Kind(401, "The signing key was revoked"),
    Code.ROLE_NOT_ALLOWED: Kind(403, "The signer's roles do not allow this transaction"),
    Code.REPLAY: Kind(409, "The transaction was already submitted"),
    Code.INVALID_BODY: Kind(400, "The transaction's body is invalid"),
    Code.NOT_FOUND: Kind(404, "Not found"),
    Code.CONFLICT: Kind(409, "It already exists"),
    Code.RULE_VIOLATION: Kind(422, "The transaction breaks a rule of the ledger"),
}
API_PROBLEMS: dict[str, Kind] = {
    "unauthorized": Kind(401, "The operator's bearer token is required"),
    "method_not_allowed": Kind(405, "Method not allowed"),
    "not_acceptable": Kind(406, "Not acceptable"),
    "unsupported_media_type": Kind(415, "Unsupported media type"),
    "vault_refused": Kind(422, "The vault refused the request"),
    "malformed_file": Kind(422, "The uploaded file is malformed"),
    "unavailable": Kind(503, "The ledger cannot answer now"),
    "internal": Kind(500, "Internal error"),
}
PROBLEMS: dict[str, Kind] = {code.value: kind for code, kind in REFUSALS.items()} | API_PROBLEMS


class Problem(BaseModel):
    """RFC 9457 problem details, with krai's stable ``code``."""

    type: str = Field(examples=["/problems/bad_signature"])
    title: str
    status: int
    detail: str
    code: str = Field(examples=["bad_signature"])
    errors: list[str] | None = Field(
        default=None,
        description="For a malformed_file: every place at fault with its reason, e.g. "
        "`7707083893!B9: 'x' is not a number`.",
    )


class ProblemError(Exception):
    """Raised by a route to answer with a problem."""

    def __init__(self, code: str, detail: str, errors: list[str] | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.errors = errors


def not_found(detail: str) -> ProblemError:
    """The thing asked for is not on the ledger."""
    return ProblemError(Code.NOT_FOUND.value, detail)


def malformed(detail: str) -> ProblemError:
    """The request itself is malformed."""
    return ProblemError(Code.MALFORMED.value, detail)


def problem_document(code: str, detail: str, errors: list[str] | None = None) -> dict[str, Any]:
    """The problem object of ``code``, with the ``errors`` extension member when given."""
    kind = PROBLEMS.get(code, API_PROBLEMS["internal"])
    document: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        document["errors"] = errors
    return document


def problem_response(
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    errors: list[str] | None = None,
) -> JSONResponse:
    """A problem as an HTTP response with its status."""
    document = problem_document(code, detail, errors)
    return JSONResponse(
        document, document["status"], headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def refusal_document(error: RejectedError) -> dict[str, Any]:
    """The problem object of a refused transaction."""
    return problem_document(error.code.value, error.message)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": Problem,
        "description": "A problem (RFC 9457)",
        "content": {PROBLEM_MEDIA_TYPE: {}},
    },
}
"""The OpenAPI description of every route's problem answers."""

STATUS_CODES = {404: Code.NOT_FOUND.value, 405: "method_not_allowed", 406: "not_acceptable"}


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem, never with FastAPI's own error shapes."""

    async def on_problem(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ProblemError)
        headers = (
            {"WWW-Authenticate": 'Bearer realm="krai"'} if error.code == "unauthorized" else None
        )
        return problem_response(error.code, error.detail, headers, error.errors)

    async def on_refusal(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RejectedError)
        return problem_response(error.code.value, error.message)

    async def on_invalid(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return problem_response(Code.MALFORMED.value, _validation_detail(error))

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        code = STATUS_CODES.get(error.status_code, Code.MALFORMED.value)
        if error.status_code == 404:
            detail = f"no route {request.method} {request.url.path}"
        else:
            detail = str(error.detail)
        return problem_response(code, detail, dict(error.headers or {}))

    async def on_crash(_: Request, __: Exception) -> JSONResponse:
        return problem_response("internal", "the server failed; the error is logged")

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RejectedError, on_refusal)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


def _validation_detail(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item.get("loc", ()))
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


router = APIRouter(tags=["problems"])


@router.get("/problems", summary="Every problem type: its code, status and title")
def problem_types() -> JSONResponse:
    """The stable codes clients match on."""
    return JSONResponse([_kind_json(code, kind) for code, kind in sorted(PROBLEMS.items())])


@router.get("/problems/{code}", summary="One problem type")
def problem_type(code: str) -> JSONResponse:
    """What a problem ``type`` URI names."""
    kind = PROBLEMS.get(code)
    if kind is None:
        raise ProblemError(Code.NOT_FOUND.value, f"no problem type {code!r}")
    return JSONResponse(_kind_json(code, kind))


def _kind_json(code: str, kind: Kind) -> dict[str, Any]:
    return {"type": PROBLEM_BASE + code, "code": code, "status": kind.status, "title": kind.title}
