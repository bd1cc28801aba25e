"""`krai follow` as a process: killed mid-catch-up it resumes, on a fork `--once` exits 4 and
`--notify` is told, and `--serve` answers reads, refuses writes and keeps in step."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.e2e.ledger_checks import signed_lines
from tests.e2e.servers import free_port, wait_until_answering

from krai.adapters.sql.storage import open_storage
from krai.config.settings import load_settings

KRAI = [sys.executable, "-m", "krai"]


def krai(*args: object, expect: int = 0) -> str:
    done = subprocess.run(
        [*KRAI, *map(str, args)], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == expect, done.stderr
    return done.stdout


def primary_with(tmp_path: Path, lines: list[str]) -> tuple[Path, Path, str]:
    """A primary home holding ``lines``, its tiles exported, and its log's vkey."""
    home, tiles = tmp_path / "primary", tmp_path / "tiles"
    krai("init", "--home", home)
    submit(home, lines, tiles)
    return home, tiles, krai("log", "vkey", "--home", home).strip()


def submit(home: Path, lines: list[str], tiles: Path) -> None:
    source = home.parent / "txs.jsonl"
    source.write_text("\n".join(lines) + "\n")
    krai("tx", "submit", source, "--home", home)
    krai("log", "export-tiles", tiles, "--home", home)


def root_of(home: Path) -> str:
    root: str = json.loads(krai("verify", "--home", home, "--json"))["root_hash"]
    return root


def test_sigkill_mid_catch_up_resumes_where_it_stopped(tmp_path: Path) -> None:
    home, tiles, vkey = primary_with(tmp_path, [])
    submit(home, signed_lines(home, 10_000).splitlines(), tiles)  # groups of 4,096 (ADR 0038)
    follower = tmp_path / "follower"
    command = [*KRAI, "follow", str(tiles), "--vkey", vkey, "--home", str(follower), "--once"]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        assert "verified and stored 4096 entries" in process.stderr.readline()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    storage = open_storage(load_settings(follower).database_url)
    try:
        stored, accepted = storage.log_size(), storage.latest_checkpoint()
    finally:
        storage.close()
    assert 4096 <= stored < 10_001 and accepted is None  # killed mid-catch-up
    krai("follow", tiles, "--home", follower, "--once")
    assert root_of(follower) == root_of(home)


def test_a_fork_exits_4_from_once_and_runs_notify_once(tmp_path: Path) -> None:
    home, tiles, vkey = primary_with(tmp_path, [])
    lines = signed_lines(home, 10).splitlines()
    submit(home, lines[:5], tiles)
    fork = tmp_path / "fork"
    shutil.copytree(home, fork)
    submit(home, lines[5:], tiles)
    submit(fork, lines[:4:-1], tmp_path / "forked")  # the same five, in another order
    follower, told = tmp_path / "follower", tmp_path / "told.json"
    krai("follow", tiles, "--vkey", vkey, "--home", follower, "--once")
    notify = f"sh -c 'cat > {told}'"
    krai("follow", tmp_path / "forked", "--home", follower, "--once", "--notify", notify, expect=4)
    summary = json.loads(told.read_text())
    assert summary["kind"] == "second_root" and summary["accepted_size"] == 11
    assert (Path(summary["evidence"]) / "accepted.note").is_file()
    told.unlink()
    krai("follow", tiles, "--home", follower, "--once", "--notify", notify, expect=4)
    assert not told.exists()  # told once, when raised


def test_serve_answers_reads_refuses_writes_and_keeps_in_step(tmp_path: Path) -> None:
    home, tiles, vkey = primary_with(tmp_path, [])
    lines = signed_lines(home, 20).splitlines()
    submit(home, lines[:10], tiles)
    port = free_port()
    command = [*KRAI, "follow", str(tiles), "--vkey", vkey, "--home", str(tmp_path / "f")]
    command += ["--serve", "--port", str(port), "--interval", "0.2"]
    url = f"http://127.0.0.1:{port}"
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        try:
            wait_until_answering(f"{url}/v1/status", process, 60)
            refused = httpx.post(f"{url}/v1/transactions", content=lines[10], timeout=10)
            assert refused.status_code == 405 and refused.json()["primary"] == str(tiles)
            submit(home, lines[10:], tiles)
            deadline = time.monotonic() + 60
            while httpx.get(f"{url}/v1/status", timeout=10).json()["size"] < 21:
                assert time.monotonic() < deadline, "the follower did not keep in step"
                time.sleep(0.2)
            status = httpx.get(f"{url}/v1/status", timeout=10).json()
            assert status["behind_entries"] == 0 and status["alarm"] is None
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
