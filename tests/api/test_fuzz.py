"""Nothing a client sends makes the server fail: random bytes, JSON, path parameters, query
strings, methods and paths on every route answer with a status below 500, and every error is
a problem document. Also the OpenAPI document itself: every route, with the problem schema."""

import json
import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Live

PROBLEM = "application/problem+json"
PARAMETER = re.compile(r"\{([^}:]+)(?::path)?\}")
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
VALUES = (
    st.text(max_size=30)
    | st.integers(min_value=-(2**70), max_value=2**70).map(str)
    | st.sampled_from(["0", "-1", "1e3", "2018-06-02", "x001/000", "..", "%2F", "%FF", "🙂"])
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def routes(ledger: Live) -> list[tuple[str, str]]:
    """(method, path template) of every route in the OpenAPI document."""
    document = ledger.client.get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    ]


def filled(template: str, values: list[str]) -> str:
    supply = iter(values)
    return PARAMETER.sub(lambda _: quote(next(supply, "x"), safe="/%"), template)


def check(answer: httpx.Response) -> None:
    assert answer.status_code < 500, (answer.request.method, answer.request.url, answer.text)
    if answer.status_code >= 400 and answer.request.method != "HEAD":
        assert answer.headers["content-type"] == PROBLEM, answer.text
        problem = answer.json()
        assert problem["status"] == answer.status_code
        assert problem["type"] == f"/problems/{problem['code']}"


def send(live: Live, method: str, url: str, **options: Any) -> httpx.Response:
    try:
        return live.client.request(method, url, **options)
    except httpx.InvalidURL:
        pytest.skip("httpx refuses to send this URL")


def test_the_openapi_document_lists_the_routes_and_the_problem_schema(ledger: Live) -> None:
    document = ledger.client.get("/openapi.json").json()
    assert {"/v1/transactions", "/checkpoint", "/tile/{path}", "/v1/vault/enrol"} <= set(
        document["paths"]
    )
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["properties"])
    submit = document["paths"]["/v1/transactions"]["post"]
    assert PROBLEM in submit["responses"]["4XX"]["content"]


@FUZZ
@given(data=st.data())
def test_random_requests_to_every_route_never_fail(
    ledger: Live, routes: list[tuple[str, str]], data: st.DataObject
) -> None:
    method, template = data.draw(st.sampled_from(routes))
    url = filled(template, data.draw(st.lists(VALUES, min_size=3, max_size=3)))
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), VALUES, max_size=3))
    headers = {"authorization": f"Bearer {ledger.token}"} if data.draw(st.booleans()) else {}
    body = data.draw(
        st.binary(max_size=300)
        | JSON.map(lambda value: json.dumps(value).encode())
        | st.just(b'{"transactions": [{}, 1, "x", null]}')
    )
    method = data.draw(st.sampled_from([method, method, "GET", "POST", "PUT", "DELETE"]))
    check(send(ledger, method, url, params=query, content=body, headers=headers))


QUERY_NAMES = [
    "index", "size", "first", "second", "start", "limit", "raw", "wait", "on", "region",
    "park", "status", "min_area_m2", "max_price_kopecks", "party", "as_of", "payment",
    "dispensing", "programme",
]  # fmt: skip


@FUZZ
@given(path=st.text(max_size=40), method=st.sampled_from(["GET", "POST", "PATCH", "HEAD"]))
def test_random_paths_answer_problems(ledger: Live, path: str, method: str) -> None:
    check(send(ledger, method, "/" + quote(path, safe="/")))


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /v1/entries/%FF HTTP/1.1",
        b"GET /v1/parks?region=%FF%FE HTTP/1.1",
        b"GET /tile/0/%00 HTTP/1.1",
        b"GET /v1/entries/99999999999999999999999999999999 HTTP/1.1",
        b"GET /v1/proofs/inclusion?index=1e400 HTTP/1.1",
    ],
)
def test_raw_requests_with_bytes_that_are_not_utf8(ledger: Live, raw: bytes) -> None:
    import socket

    host, port = ledger.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(raw + b"\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    assert 400 <= status < 500, reply[:300]
