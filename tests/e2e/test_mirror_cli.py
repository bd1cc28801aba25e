"""Processes: `krai follow --serve --mirror-name` is a tlog-mirror, `krai log mirrors add`
names it to the primary, `krai serve` pushes to it, and a receipt the primary hands out then
verifies (`krai receipt verify`) under `policy-file --mirror`."""

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from tests.e2e.ledger_checks import signed_lines
from tests.e2e.servers import free_port, wait_until_answering
from tests.e2e.test_follow_cli import KRAI, krai, primary_with

from krai.bootstrap import mirror_key
from krai.config.settings import load_settings
from krai.log.note import format_vkey, parse_note

MIRROR_NAME = "mirror.test/m1"


@contextmanager
def running(command: list[str], url: str) -> Iterator[None]:
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        try:
            wait_until_answering(url, process, 60)
            yield
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


def test_the_primary_pushes_to_a_mirror_and_its_receipts_verify_under_the_mirror_policy(
    tmp_path: Path,
) -> None:
    home, tiles, vkey = primary_with(tmp_path, [])
    lines = signed_lines(home, 12).splitlines()
    mirror_home = tmp_path / "mirror"
    mirror_port, primary_port = free_port(), free_port()
    mirror_url, primary_url = (f"http://127.0.0.1:{p}" for p in (mirror_port, primary_port))
    follow = [*KRAI, "follow", str(tiles), "--vkey", vkey, "--home", str(mirror_home)]
    follow += ["--serve", "--port", str(mirror_port), "--mirror-name", MIRROR_NAME]
    serve = [*KRAI, "serve", "--home", str(home), "--port", str(primary_port)]
    with running(follow, f"{mirror_url}/v1/status"):
        signer = mirror_key(load_settings(mirror_home))
        assert signer is not None
        mirror_vkey = format_vkey(signer.verifier)
        krai("log", "mirrors", "add", "m1", f"{mirror_url}/mirror", mirror_vkey, "--home", home)
        with running(serve, f"{primary_url}/v1/status"):
            tx_ids = [
                httpx.post(f"{primary_url}/v1/transactions", content=line, timeout=30).json()[
                    "tx_id"
                ]
                for line in lines
            ]
            note = _mirror_cosigned(primary_url, size=13)
            receipt = httpx.get(f"{primary_url}/v1/receipts/{tx_ids[-1]}", timeout=10).text
            status = httpx.get(f"{primary_url}/v1/status", timeout=10).json()
        mirror_status = httpx.get(f"{mirror_url}/v1/status", timeout=10).json()
    assert status["mirrors"][0]["cosigned_size"] == 13 and status["mirrors"][0]["error"] is None
    assert mirror_status["size"] == 13 and mirror_status["alarm"] is None
    assert f"— {MIRROR_NAME} " in note
    policy = tmp_path / "policy.txt"
    policy.write_text(
        krai("log", "witnesses", "policy-file", "--mirror", mirror_vkey, "--home", home)
    )
    (tmp_path / "tx.tlog-proof").write_text(receipt)
    krai("receipt", "verify", tmp_path / "tx.tlog-proof", "--policy", policy, "--tx-id", tx_ids[-1])
    assert "log " in policy.read_text() and MIRROR_NAME in policy.read_text()


def _mirror_cosigned(url: str, size: int) -> str:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        note = httpx.get(f"{url}/checkpoint", timeout=10).text
        signed = parse_note(note)
        if f"\n{size}\n" in signed.text and any(s.name == MIRROR_NAME for s in signed.signatures):
            return note
        time.sleep(0.2)
    raise AssertionError(httpx.get(f"{url}/v1/status", timeout=10).text)
