"""The operator's bearer token: routes that touch personal data refuse everyone else.

The token lives 0600 in the home (``Settings.operator_token_file``, created by ``krai
serve``); it is read on each request, compared in constant time, and never logged. No token,
a wrong one, or a token file others may read: 401.
"""

import hmac

from fastapi import Request

from krai.app.ports import OperatorTokenError
from krai.entrypoints.api.context import services
from krai.entrypoints.api.problems import ProblemError

SCHEME = "bearer"


def require_operator(request: Request) -> None:
    """Pass only a request bearing the operator's token; else a 401 problem."""
    given = _bearer(request.headers.get("authorization", ""))
    try:
        expected = services(request).operator_token()
    except OperatorTokenError:
        raise ProblemError("unauthorized", "this server has no usable operator token") from None
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ProblemError("unauthorized", "the operator's bearer token is required")


def _bearer(header: str) -> str | None:
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == SCHEME and token else None
