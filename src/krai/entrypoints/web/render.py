"""Pages and their JSON twins: one data dictionary per page, rendered by a Jinja2 template or
returned as JSON — the same data either way.

A request wants JSON when it asks ``?format=json``, when its path ends in ``.json``, or when
its ``Accept`` header prefers ``application/json`` to HTML. Every page is registered twice,
``/path`` and ``/path.json``.
"""

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from krai.app.follow_status import ledger_status
from krai.bootstrap import Services, follower_files
from krai.entrypoints.web.language import COOKIE, language_of
from krai.entrypoints.words.i18n import LANGUAGES, Words
from krai.modules.release import MODULES

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
COOKIE_SECONDS = 365 * 24 * 3600


@cache
def environment() -> Environment:
    """The templates, autoescaped, from the package."""
    env = Environment(
        loader=PackageLoader("krai.entrypoints.web", "templates"),
        autoescape=select_autoescape(["j2", "html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["hex_short"] = lambda text: f"{text[:12]}…" if len(text) > 12 else text
    env.globals["navigation"] = [m.navigation for m in MODULES if m.navigation is not None]
    return env


def page(router: APIRouter, path: str) -> Callable[[Endpoint], Endpoint]:
    """Register a GET endpoint at ``path`` and at its JSON twin ``path.json``."""

    def register(endpoint: Endpoint) -> Endpoint:
        twin = "/index.json" if path == "/" else f"{path}.json"
        for route in (twin, path):
            router.add_api_route(route, endpoint, methods=["GET"], include_in_schema=False)
        return endpoint

    return register


def services_of(request: Request) -> Services:
    """The process's services."""
    services: Services = request.app.state.services
    return services


def wants_json(request: Request) -> bool:
    """Whether the request asks for the page's JSON twin."""
    if request.query_params.get("format") == "json" or request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def respond(
    request: Request,
    template: str,
    data: dict[str, Any],
    title: str,
    status_code: int = 200,
    **view: Any,
) -> Response:
    """The page ``template`` over ``data`` (``view``: what only the HTML needs, such as
    charts), or ``data`` itself as JSON."""
    if wants_json(request):
        return JSONResponse(data, status_code=status_code)
    language = language_of(request)
    words = Words(language)
    html = (
        environment()
        .get_template(template)
        .render(
            data=data,
            t=words,
            lang=language,
            title=words(title),
            switch=_language_switch(request, language),
            json_link=_json_link(request),
            path=request.url.path,
            follower=_follower(request),
            **view,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, language, max_age=COOKIE_SECONDS, samesite="lax")
    return response


def not_found(request: Request, what: str) -> Response:
    """A 404 page (or JSON) naming what is missing."""
    return respond(
        request, "missing.j2", {"error": "not_found", "missing": what}, "missing.title", 404
    )


def bad_day(request: Request, text: str, message: str) -> Response:
    """A 400 page (or JSON) saying ``text`` is not a calendar date."""
    data = {"error": "malformed", "message": message, "text": text}
    return respond(request, "bad_day.j2", data, "bad_day.title", 400)


def _follower(request: Request) -> dict[str, Any] | None:
    """A follower's status for the banner of every page (ADR 0036); None on a primary."""
    services = services_of(request)
    settings = services.settings
    if settings.follows is None:
        return None
    return ledger_status(
        services.storage, follower_files(settings), settings.follows, services.clock.now_ms()
    )


def _language_switch(request: Request, language: str) -> dict[str, str]:
    other = "en" if language == "ru" else "ru"
    query = {**request.query_params, "lang": other}
    return {"language": other, "href": f"{request.url.path}?{urlencode(query)}"}


def _json_link(request: Request) -> str:
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    query["format"] = "json"
    return f"{request.url.path}?{urlencode(query)}"
