"""The operator's bearer token: routes that touch personal data refuse everyone else.

The token lives 0600 in the home (``Settings.operator_token_file``, created by ``krai
serve``); it is read on each request, compared in constant time, and never logged. No token,
a wrong one, or a token file others may read: 401. The scheme is declared in the OpenAPI
document (``operatorToken``, HTTP bearer), so clients generated from it send the header.
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from krai.app.ports import OperatorTokenError
from krai.entrypoints.api.context import services
from krai.entrypoints.api.problems import ProblemError

BEARER = HTTPBearer(
    scheme_name="operatorToken",
    description="The operator's token from `<home>/keys/api-operator.token` (created by "
    "`krai serve` on its first start).",
    auto_error=False,
)


def require_operator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> None:
    """Pass only a request bearing the operator's token; else a 401 problem."""
    try:
        expected = services(request).operator_token()
    except OperatorTokenError:
        raise ProblemError("unauthorized", "this server has no usable operator token") from None
    given = None if credentials is None else credentials.credentials.strip()
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ProblemError("unauthorized", "the operator's bearer token is required")
