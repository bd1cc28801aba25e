"""The dashboard: server-rendered pages in Russian and English, each with a JSON twin."""

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages and its own static assets to ``app``."""
