"""The ASGI application: one ``Services`` for the process, the API routes and the dashboard."""

from fastapi import FastAPI

from krai.bootstrap import Services
from krai.entrypoints import web
from krai.entrypoints.api import routes


def create_app(services: Services) -> FastAPI:
    """The application serving ``services``: ``/v1/…``, ``/checkpoint``, ``/tile/…`` and the
    dashboard. The caller owns ``services`` and closes it after the server stops."""
    app = FastAPI(
        title="krai",
        summary="A verifiable ledger for regional development programmes",
        version="0.1.0",
    )
    app.state.services = services
    app.include_router(routes.router)
    web.mount(app)
    return app
