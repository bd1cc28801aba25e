"""`krai demo --follower`: a follower of the demo catches up once, verifies the same world,
cosigns it as a mirror that the log's policy can require; served, it follows the primary's
HTTP address and serves its own copy with its own status (issue 20, part 5)."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.e2e.servers import free_port, wait_until_answering

from krai.entrypoints.cli.demo_follower import MIRROR_NAME, following

KRAI = [sys.executable, "-m", "krai"]
BUILD_TIMEOUT_SECONDS = 900


def krai(*args: object, expect: int = 0) -> str:
    done = subprocess.run(
        [*KRAI, *map(str, args)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == expect, done.stderr + done.stdout
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("demo-follower") / "home"
    output = subprocess.run(
        [*KRAI, "demo", "--no-serve", "--follower", "--home", str(home)],
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    assert output.returncode == 0, output.stderr + output.stdout
    return home, output.stdout


def test_the_follower_verifies_the_same_world_and_cosigns_it(demo: tuple[Path, str]) -> None:
    home, output = demo
    said = " ".join(output.split())  # Rich wraps lines where the home's path puts them
    assert "in step:" in said and "meets mirror-policy.txt" in said
    primary = json.loads(krai("verify", "--home", home, "--json"))
    copy = json.loads(krai("verify", "--home", home / "follower", "--json"))
    assert (copy["root_hash"], copy["state_digest"]) == (
        primary["root_hash"],
        primary["state_digest"],
    )
    policy = home / "mirror-policy.txt"
    checked = krai("log", "check-cosigned", "--policy", policy, "--home", home / "follower")
    assert MIRROR_NAME in checked
    refused = krai("log", "check-cosigned", "--policy", policy, "--home", home, expect=1)
    assert refused == ""


def test_served_the_follower_follows_the_primary_and_serves_its_copy(
    demo: tuple[Path, str],
) -> None:
    home, _ = demo
    primary_port, follower_port = free_port(), free_port()
    primary_url, copy_url = f"http://127.0.0.1:{primary_port}", f"http://127.0.0.1:{follower_port}"
    command = [*KRAI, "serve", "--home", str(home), "--port", str(primary_port)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as primary:
        try:
            wait_until_answering(f"{primary_url}/v1/status", primary, 60)
            with following(home / "follower", primary_url, "127.0.0.1", follower_port):
                status = _in_step(copy_url)
                assert status["following"] == primary_url and status["alarm"] is None
                size = httpx.get(f"{primary_url}/v1/status", timeout=10).json()["size"]
                assert status["size"] == size
                page = httpx.get(f"{copy_url}/", timeout=30).text
                assert 'id="follow-banner"' in page
                assert f"— {MIRROR_NAME} " in httpx.get(f"{copy_url}/checkpoint", timeout=10).text
        finally:
            primary.send_signal(signal.SIGINT)
            primary.wait(timeout=30)


def _in_step(url: str) -> dict[str, object]:
    """The follower's status once a poll of the primary found it in step."""
    deadline = time.monotonic() + 90
    while True:
        assert time.monotonic() < deadline, "the follower did not come in step with the primary"
        try:
            status: dict[str, object] = httpx.get(f"{url}/v1/status", timeout=10).json()
        except httpx.HTTPError:
            status = {}
        polled = str(status.get("following", "")).startswith("http")  # the primary, not tiles
        if polled and status.get("behind_entries") == 0 and status.get("last_error") is None:
            return status
        time.sleep(0.5)
