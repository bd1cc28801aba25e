"""`krai serve --workers 2`: the workers admit, the serve process sequences (ADR 0028).

Killed with SIGKILL mid-load — one API worker (the other keeps submitting and uvicorn starts
a new one), or the serve process that sequences (the workers then stop, and a new server
takes over the log) — every acknowledged transaction is in the log exactly once at its
receipt's index, what was committed but never acknowledged is refused as a replay when sent
again, and `krai verify` passes. On SQLite and on PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvloop
from tests.e2e.ledger_checks import logged_transactions, signed_lines, verified_entries
from tests.e2e.servers import free_port, wait_until_answering
from uvicorn.loops.auto import auto_loop_factory
from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

READY_SECONDS = 120.0
Anchors = list[dict[str, Any]]


def worker_pids(server: int) -> list[int]:
    children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    return [int(pid) for pid in children if _is_api_worker(int(pid))]


def _is_api_worker(pid: int) -> bool:
    """A live uvicorn worker (started by multiprocessing's spawn), not a zombie or helper."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return b"spawn_main" in command and state != "Z"


def founded_home(tmp_path: Path, database: str | None) -> Path:
    home = tmp_path / "home"
    extra = ["--database", database] if database else []
    subprocess.run(
        [sys.executable, "-m", "krai", "init", "--home", str(home), *extra],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return home


def started(home: Path, port: int, database: str | None) -> "subprocess.Popen[bytes]":
    extra = ["--database", database] if database else []
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            *("krai", "serve", "--home", str(home), "--port", str(port), "--workers", "2"),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "KRAI_HOME": str(home)},
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/v1/checkpoint", server, READY_SECONDS)
    except AssertionError:
        server.kill()
        server.wait(60)
        raise
    return server


class Clients:
    """Four clients submitting batches of 20; what they were answered, and when."""

    def __init__(self, url: str, lines: Anchors) -> None:
        self.receipts: dict[str, int] = {}
        self.after_kill: list[str] = []
        self.killed = threading.Event()
        self._lock = threading.Lock()
        self._url = url
        self._threads = [
            threading.Thread(target=self._client, args=(lines[i::4],)) for i in range(4)
        ]
        for thread in self._threads:
            thread.start()

    def wait_for(self, receipts: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.receipts) < receipts and time.monotonic() < deadline:
            time.sleep(0.05)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(120)

    def _client(self, part: Anchors) -> None:
        with httpx.Client(base_url=self._url, timeout=60) as http:
            for start in range(0, len(part), 20):
                try:
                    answer = http.post(
                        "/v1/transactions", json={"transactions": part[start : start + 20]}
                    )
                except httpx.TransportError:
                    continue  # the process died with the request: nothing was acknowledged
                if answer.status_code != 200:
                    continue  # unavailable: nothing was acknowledged
                for result in answer.json()["results"]:
                    with self._lock:
                        self.receipts[result["tx_id"]] = result["index"]
                        if self.killed.is_set():
                            self.after_kill.append(result["tx_id"])


def assert_every_receipt_logged_once(home: Path, receipts: dict[str, int]) -> int:
    logged = logged_transactions(home)
    position = dict(logged)
    assert len(position) == len(logged)  # no transaction twice
    assert all(position.get(tx_id) == index for tx_id, index in receipts.items())
    return len(logged)


def database_of(backend: str, request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("postgres_url") if backend == "postgresql" else None


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_two_workers_survive_one_killed_and_lose_nothing(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    database = database_of(backend, request)
    home = founded_home(tmp_path, database)
    lines = [json.loads(line) for line in signed_lines(home, 3000).splitlines()]
    port = free_port()
    server = started(home, port, database)
    try:
        clients = Clients(f"http://127.0.0.1:{port}", lines)
        clients.wait_for(600)
        victim = worker_pids(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        clients.killed.set()
        clients.join()
        assert clients.after_kill, "nothing was sequenced after a worker was killed"
        deadline = time.monotonic() + 30
        while len(worker_pids(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert victim not in worker_pids(server.pid) and len(worker_pids(server.pid)) == 2
    finally:
        server.terminate()
        server.wait(60)
    logged = assert_every_receipt_logged_once(home, clients.receipts)
    assert verified_entries(home, timeout=180) == logged + 1


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_sequencing_process_killed_loses_nothing_and_a_new_server_goes_on(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    database = database_of(backend, request)
    home = founded_home(tmp_path, database)
    lines = [json.loads(line) for line in signed_lines(home, 3000).splitlines()]
    port = free_port()
    server = started(home, port, database)
    workers = worker_pids(server.pid)
    try:
        clients = Clients(f"http://127.0.0.1:{port}", lines)
        clients.wait_for(600)
        os.kill(server.pid, signal.SIGKILL)
        clients.join()
    finally:
        server.kill()
        server.wait(60)
    deadline = time.monotonic() + 30  # the workers stop once their sequencer is gone
    while any(_is_api_worker(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_is_api_worker(pid) for pid in workers)
    before = assert_every_receipt_logged_once(home, clients.receipts)
    assert 600 <= len(clients.receipts) <= before < len(lines)

    server = started(home, port, database)  # the same port: nothing still holds it
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            answers = [
                result
                for start in range(0, len(lines), 500)
                for result in http.post(
                    "/v1/transactions", json={"transactions": lines[start : start + 500]}
                ).json()["results"]
            ]
    finally:
        server.terminate()
        server.wait(60)
    replays = [answer for answer in answers if answer.get("code") == "replay"]
    assert len(replays) == before  # whatever was committed, acknowledged or not, is refused
    assert len(answers) - len(replays) == len(lines) - before  # and the rest is appended
    assert assert_every_receipt_logged_once(home, clients.receipts) == len(lines)
    assert verified_entries(home, timeout=180) == len(lines) + 1


def test_krai_serve_runs_on_uvloop_and_httptools() -> None:
    """uvicorn's defaults, which `krai serve` keeps, pick both when installed (ADR 0039)."""
    assert AutoHTTPProtocol is HttpToolsProtocol
    loop = auto_loop_factory()()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
