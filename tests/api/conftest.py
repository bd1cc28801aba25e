"""A real krai server for the API tests: uvicorn on 127.0.0.1, on a free port, in a thread.

``served(services)`` starts the application of a home's services and stops it on exit, each
wait bounded. Homes come founded as ``krai init`` founds them (``ledger``), or played from a
scenario YAML through the sequencer (``scenario_home``).
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from krai.adapters.operator_token import ensure_operator_token, load_operator_token
from krai.bootstrap import Founder, Services, build, found_network
from krai.config.settings import Settings, default_database_url, load_settings
from krai.entrypoints.api.app import create_app
from krai.tx.envelope import Transaction, sign
from tests.scenarios.scenario import Scenario
from tests.scenarios.sql_ledger import SqlLedger
from tests.scenarios.test_scenarios import HERE, _load

STARTUP_TIMEOUT_S = 20.0
SHUTDOWN_TIMEOUT_S = 20.0
ORIGIN = "krai.example/api-test"
FOUNDER = Founder(inn="7734250208", ogrn="1027734003461", name="Network operator")


@dataclass
class Live:
    """A running server and the home behind it."""

    url: str
    services: Services
    token: str
    client: httpx.Client

    def signed(
        self,
        type_name: str,
        body: dict[str, Any],
        *,
        nonce: str,
        key: str = "operator",
        **extra: Any,
    ) -> dict[str, Any]:
        """A transaction signed with the keystore's ``key``, as JSON."""
        stored = self.services.keystore.load(key)
        fields: dict[str, Any] = {
            "network": self.services.origin,
            "type": type_name,
            "version": 1,
            "signer": stored.organisation,
            "key_id": stored.key_id,
            "nonce": nonce,
            "body": body,
        }
        fields.update(extra)
        return sign(Transaction(**fields), stored.private_key).to_json()


@contextmanager
def served(services: Services) -> Iterator[Live]:
    """Serve ``services`` on 127.0.0.1 until the block ends."""
    token_file = services.settings.operator_token_file
    ensure_operator_token(token_file)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(services), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=url, timeout=60.0)
    try:
        yield Live(url, services, load_operator_token(token_file), client)
    finally:
        client.close()
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT_S)
        listener.close()
        assert not thread.is_alive(), "the server did not stop"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A home founded as ``krai init`` does (genesis at entry 0), served."""
    home = tmp_path_factory.mktemp("api") / "home"
    settings = Settings(home, default_database_url(home), ORIGIN)
    services = found_network(settings, FOUNDER)
    try:
        with served(services) as live:
            yield live
    finally:
        services.close()


def scenario_home(tmp_path_factory: pytest.TempPathFactory, relative: str) -> Path:
    """A home holding the scenario ``relative`` (to tests/scenarios), played through the
    sequencer into SQLite."""
    home = tmp_path_factory.mktemp("scenario") / "home"
    scenario = Scenario(_load(HERE / relative), SqlLedger, home=home)
    ledger = scenario.ledger
    assert isinstance(ledger, SqlLedger)
    try:
        scenario.run()
    finally:
        ledger.close()
    return home


@contextmanager
def serving_home(home: Path) -> Iterator[Live]:
    """Open an existing home and serve it."""
    services = build(load_settings(home))
    try:
        with served(services) as live:
            yield live
    finally:
        services.close()
