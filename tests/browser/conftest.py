"""A real dashboard for browser tests: the merged scenario world in a SQLite home, served by
uvicorn on 127.0.0.1 in a background thread, and Debian's Chromium driven by Playwright.

Every wait is bounded. Playwright's own browser download is not used: the tests drive
``/usr/bin/chromium`` (installed by ``make test``), and fail, never skip, without it.
"""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from krai.bootstrap import build
from krai.config.settings import load_settings
from krai.entrypoints.api.app import create_app
from tests.browser.world import build_world

CHROMIUM = Path("/usr/bin/chromium")
START_SECONDS = 15
WAIT_MS = 15_000
"""How long a page may take to show what a test waits for."""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a dashboard serving the merged scenario world."""
    home = tmp_path_factory.mktemp("dashboard") / "home"
    build_world(home).close()
    services = build(load_settings(home))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(services), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        assert thread.is_alive(), "the server thread stopped before it started serving"
        assert time.monotonic() < deadline, f"the server did not start in {START_SECONDS} s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_SECONDS)
        listener.close()
        services.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile of a browser set to Russian (no language cookie)."""
    yield from _profile(browser, "ru-RU")


@pytest.fixture
def english(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile of a browser set to English."""
    yield from _profile(browser, "en-GB")


def _profile(browser: Browser, locale: str) -> Iterator[BrowserContext]:
    fresh = browser.new_context(locale=locale)
    fresh.set_default_timeout(WAIT_MS)
    try:
        yield fresh
    finally:
        fresh.close()
