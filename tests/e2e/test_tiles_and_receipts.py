"""End to end: a static tiles mirror, `krai verify --url` on it and on `krai serve`, and
offline receipts — each as a user runs them, each tampering found and named."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.e2e.ledger_checks import signed_lines
from tests.e2e.servers import free_port, wait_until_answering
from tests.e2e.test_cli import krai

ORIGIN = "krai.example/mirror"
TRANSACTIONS = 400
SERVE_TIMEOUT_S = 30.0


def run(*args: str) -> "subprocess.CompletedProcess[str]":
    """``python -m krai`` with no KRAI_HOME in its environment: nothing but its arguments."""
    environment = {key: value for key, value in os.environ.items() if key != "KRAI_HOME"}
    return subprocess.run(
        [sys.executable, "-m", "krai", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=environment,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a genesis and ``TRANSACTIONS`` anchors, sent through `krai tx submit`."""
    home = tmp_path_factory.mktemp("mirror") / "home"
    krai(home, "init", "--origin", ORIGIN)
    source = home.parent / "transactions.jsonl"
    source.write_text(signed_lines(home, TRANSACTIONS))
    receipts = krai(home, "tx", "submit", str(source))
    (home.parent / "receipts.jsonl").write_text(receipts)
    return home


@pytest.fixture(scope="module")
def vkey(home: Path) -> str:
    return krai(home, "log", "vkey").strip()


@pytest.fixture(scope="module")
def mirror(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("static") / "log"
    report = json.loads(krai(home, "log", "export-tiles", str(directory), "--json"))
    assert report["size"] == TRANSACTIONS + 1
    assert report["written"] == 5  # tile/0/000, tile/0/001.p/145, tile/1/000.p/1, 2 bundles
    again = json.loads(krai(home, "log", "export-tiles", str(directory), "--json"))
    assert (again["written"], again["kept"]) == (0, 5)
    return directory


def test_the_mirror_verifies_from_a_directory_and_a_file_url(mirror: Path, vkey: str) -> None:
    for location in (str(mirror), mirror.as_uri()):
        result = run("verify", "--url", location, "--vkey", vkey, "--json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["ok"] and report["entries"] == TRANSACTIONS + 1
        assert report["transactions"] == TRANSACTIONS and report["url"] == location


def test_an_unpinned_key_is_refused(mirror: Path) -> None:
    result = run("verify", "--url", str(mirror))
    assert result.returncode == 2
    assert "refusing to trust an unpinned key" in result.stderr


@pytest.mark.parametrize(
    "case",
    [
        ("tile/entries/001.p/145", 50, "entry 256: its bytes in tile/entries/001.p/145"),
        ("tile/1/000.p/1", 7, "tile/1/000.p/1: hash 0 is not the root of the level-0 tile 0"),
        ("tile/0/000", 32 * 100, "entry 100: its bytes in tile/entries/000 do not hash"),
    ],
)
def test_one_flipped_byte_fails_naming_it(
    mirror: Path, vkey: str, tmp_path: Path, case: tuple[str, int, str]
) -> None:
    path, position, named = case
    copy = tmp_path / "log"
    shutil.copytree(mirror, copy)
    data = bytearray((copy / path).read_bytes())
    data[position] ^= 0x20
    (copy / path).write_bytes(bytes(data))
    result = run("verify", "--url", str(copy), "--vkey", vkey)
    assert result.returncode == 1, result.stdout
    assert "ledger NOT sound" in result.stderr
    assert named in " ".join(result.stderr.split())


@pytest.fixture
def served(home: Path) -> Iterator[str]:
    """`krai serve` on a free port of 127.0.0.1, until the test ends."""
    port = free_port()
    command = [sys.executable, "-m", "krai", "serve", "--home", str(home), "--port", str(port)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as server:
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(f"{url}/checkpoint", server, SERVE_TIMEOUT_S)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=SERVE_TIMEOUT_S)


def test_the_served_log_verifies_over_http(served: str, home: Path, vkey: str) -> None:
    pinned = run("verify", "--url", served, "--vkey", vkey, "--json")
    assert pinned.returncode == 0, pinned.stderr
    assert json.loads(pinned.stdout)["entries"] == TRANSACTIONS + 1
    by_home = run("verify", "--url", served + "/", "--home", str(home))
    assert by_home.returncode == 0, by_home.stderr
    assert "sound" in by_home.stdout


def test_a_receipt_verifies_offline_and_fails_after_one_changed_byte(
    home: Path, tmp_path: Path
) -> None:
    entry = json.loads(krai(home, "log", "prove-inclusion", "--index", "250", "--json"))
    submitted = (home.parent / "receipts.jsonl").read_text().splitlines()
    tx_id = next(r["tx_id"] for r in map(json.loads, submitted) if r["index"] == 250)
    receipt, policy = tmp_path / "anchor.tlog-proof", tmp_path / "policy"
    krai(home, "receipt", "get", tx_id, "--out", str(receipt))
    policy.write_text(krai(home, "log", "witnesses", "policy-file"))
    result = run("receipt", "verify", str(receipt), "--policy", str(policy), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["entry"]["tx_id"] == tx_id
    assert (report["index"], report["leaf_hash"]) == (250, entry["leaf_hash"])
    original = receipt.read_text()
    lines = original.split("\n")
    positions = {
        "entry": len(lines[0]) + 40,
        "index": original.index("index ") + 6,
        "proof": original.index("index ") + 12,
        "checkpoint size": original.index(f"\n{ORIGIN}\n") + len(ORIGIN) + 3,
        "signature": len(original) - 10,
    }
    for what, position in positions.items():
        changed = (
            original[:position] + chr(ord(original[position]) ^ 0x01) + original[position + 1 :]
        )
        receipt.write_text(changed)
        refused = run("receipt", "verify", str(receipt), "--policy", str(policy))
        assert refused.returncode == 1, f"{what}: {refused.stdout}"
        assert "receipt NOT valid" in refused.stderr, what
