"""`krai serve --workers 2` on PostgreSQL: both workers take submissions, one is killed with
SIGKILL mid-load, the other keeps sequencing (and uvicorn starts a new one), and afterwards
every acknowledged transaction is in the log exactly once and `krai verify` passes."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from tests.e2e.ledger_checks import logged_transactions, signed_lines, verified_entries
from tests.e2e.servers import free_port, wait_until_answering

READY_SECONDS = 60.0


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


@pytest.mark.postgres
def test_two_workers_survive_one_killed_and_lose_nothing(tmp_path: Path, postgres_url: str) -> None:
    home = tmp_path / "home"
    subprocess.run(
        [sys.executable, "-m", "krai", "init", "--home", str(home), "--database", postgres_url],
        check=True,
        timeout=120,
        capture_output=True,
    )
    lines = [json.loads(line) for line in signed_lines(home, 3000).splitlines()]
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            *("krai", "serve", "--home", str(home), "--port", str(port), "--workers", "2"),
            *("--database", postgres_url),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "KRAI_HOME": str(home)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/v1/checkpoint", server, READY_SECONDS)
        receipts: dict[str, int] = {}
        after_kill: list[str] = []
        killed = threading.Event()
        lock = threading.Lock()

        def client(part: list[dict[str, object]]) -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                for start in range(0, len(part), 20):
                    try:
                        answer = http.post(
                            "/v1/transactions", json={"transactions": part[start : start + 20]}
                        )
                    except httpx.TransportError:
                        continue  # the worker died with the request: nothing was acknowledged
                    for result in answer.json()["results"]:
                        with lock:
                            receipts[result["tx_id"]] = result["index"]
                            if killed.is_set():
                                after_kill.append(result["tx_id"])

        threads = [threading.Thread(target=client, args=(lines[i::4],)) for i in range(4)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(receipts) < 600 and time.monotonic() < deadline:
            time.sleep(0.05)
        victim = worker_pids(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        killed.set()
        for thread in threads:
            thread.join(120)
        assert after_kill, "nothing was sequenced after a worker was killed"
        deadline = time.monotonic() + 30
        while len(worker_pids(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert victim not in worker_pids(server.pid) and len(worker_pids(server.pid)) == 2
    finally:
        server.terminate()
        server.wait(60)
    logged = logged_transactions(home)
    position = dict(logged)
    assert len(position) == len(logged)  # no transaction twice
    assert all(position.get(tx_id) == index for tx_id, index in receipts.items())
    assert verified_entries(home, timeout=180) == len(logged) + 1
