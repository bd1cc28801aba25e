"""The dashboard: server-rendered pages in Russian and English, each with a JSON twin.

Pages: the overview (``/``), parks and clusters (``/parks…``), the energy exchange
(``/energy…``), social payments (``/payments…``) and the ledger explorer (``/explorer…``).
Add ``?format=json`` or ``.json`` to any page's path, or send ``Accept: application/json``,
for exactly the data the page shows. Assets are the package's own, served at ``/static``.
"""

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from krai.entrypoints.edges import load_edge
from krai.entrypoints.web import explorer, overview
from krai.modules.release import MODULES


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages and its own static assets to ``app``."""
    static = resources.files(__name__).joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(overview.router)
    for module in MODULES:
        for path in module.pages:
            app.include_router(load_edge(path, APIRouter))
    app.include_router(explorer.router)
