"""The dashboard: server-rendered pages in Russian and English, each with a JSON twin.

Pages: the overview (``/``), parks and clusters (``/parks…``), the energy exchange
(``/energy…``), social payments (``/payments…``) and the ledger explorer (``/explorer…``).
Add ``?format=json`` or ``.json`` to any page's path, or send ``Accept: application/json``,
for exactly the data the page shows. Assets are the package's own, served at ``/static``.
"""

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from krai.entrypoints.web import energy, explorer, overview, parks, payments


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages and its own static assets to ``app``."""
    static = resources.files(__name__).joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for area in (overview, parks, energy, payments, explorer):
        app.include_router(area.router)
