"""The API's documentation pages, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, from the
assets the ``fastapi-offline`` package ships (served at ``/api-docs``), never from a CDN.

Each page is sent with a Content-Security-Policy that lets the browser load nothing from
elsewhere: ReDoc's sidebar asks for its maker's logo from the internet, and the browser drops
the request instead of leaking the reader's visit.
"""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

ASSETS = "/api-docs"
POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:"
)

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``."""
    page = get_swagger_ui_html(
        openapi_url=_root(request) + "/openapi.json",
        title="krai — Swagger UI",
        swagger_js_url=f"{_root(request)}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{_root(request)}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{_root(request)}{ASSETS}/favicon.png",
    )
    return _own_assets_only(page)


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over ``/openapi.json``."""
    page = get_redoc_html(
        openapi_url=_root(request) + "/openapi.json",
        title="krai — ReDoc",
        redoc_js_url=f"{_root(request)}{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{_root(request)}{ASSETS}/favicon.png",
        with_google_fonts=False,
    )
    return _own_assets_only(page)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def _own_assets_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["content-security-policy"] = POLICY
    return page
