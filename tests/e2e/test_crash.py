"""Killing the sequencer mid-ingest loses nothing it acknowledged and duplicates nothing."""

import hashlib
import json
import random
import signal
import subprocess
import sys
from pathlib import Path

from krai.adapters.keystore import Keystore
from krai.adapters.sql.storage import open_storage
from krai.config.settings import load_settings
from krai.tx.codec import transaction_from_json
from krai.tx.envelope import Transaction, sign


def signed_lines(home: Path, count: int) -> str:
    settings = load_settings(home)
    key = Keystore(settings.keys_dir).load("operator")
    lines = []
    for number in range(count):
        body = {
            "sha256": hashlib.sha256(b"%d" % number).hexdigest(),
            "title": f"Doc {number}",
            "kind": "report",
        }
        unsigned = Transaction(
            settings.origin,
            "notary.anchor",
            1,
            key.organisation or "",
            key.key_id,
            f"c{number}",
            body,
        )
        lines.append(json.dumps(sign(unsigned, key.private_key).to_json()))
    return "\n".join(lines) + "\n"


def test_sigkill_during_submit_keeps_every_receipt(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run(
        [sys.executable, "-m", "krai", "init", "--home", str(home)],
        check=True,
        timeout=60,
        capture_output=True,
    )
    source = tmp_path / "txs.jsonl"
    source.write_text(signed_lines(home, 6000))
    with subprocess.Popen(
        [sys.executable, "-m", "krai", "tx", "submit", str(source), "--home", str(home)],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        receipts = [json.loads(process.stdout.readline()) for _ in range(2500)]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    storage = open_storage(load_settings(home).database_url)
    try:
        for receipt in receipts:
            entry = storage.entry_by_tx_id(receipt["tx_id"])
            assert entry is not None and entry.index == receipt["index"]
            assert entry.leaf_hash.hex() == receipt["leaf_hash"]
        size = storage.log_size()
    finally:
        storage.close()
    assert size > 2500
    verified = subprocess.run(
        [sys.executable, "-m", "krai", "verify", "--home", str(home), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["entries"] == size


def test_repeated_sigkills_at_random_points_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    """Five times: submit what is not yet settled, kill the sequencer at a random point,
    restart. Every acknowledged transaction is in the log exactly once at its receipt's
    index, `krai verify` passes after each restart, and a transaction committed but not yet
    acknowledged when the process died is refused as a replay when sent again, never
    appended twice."""
    home = tmp_path / "home"
    subprocess.run(
        [sys.executable, "-m", "krai", "init", "--home", str(home)],
        check=True,
        timeout=60,
        capture_output=True,
    )
    lines = signed_lines(home, 4000).splitlines()
    rng = random.Random(20261129)
    acknowledged: dict[str, int] = {}
    settled: set[str] = set()  # acknowledged, or refused because the log already holds it
    for _ in range(5):
        pending = [line for line in lines if _tx_id(line) not in settled]
        source = tmp_path / "pending.jsonl"
        source.write_text("\n".join(pending) + "\n")
        kill_after = rng.randrange(1, 1500)
        with subprocess.Popen(
            [sys.executable, "-m", "krai", "tx", "submit", str(source), "--home", str(home)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        ) as process:
            assert process.stdout is not None
            for sent, _ in zip(pending, range(kill_after), strict=False):
                outcome = json.loads(process.stdout.readline())
                tx_id = _tx_id(sent)
                if "tx_id" in outcome:
                    assert outcome["tx_id"] == tx_id
                    acknowledged[tx_id] = outcome["index"]
                else:
                    assert outcome["error"] == "replay", outcome
                settled.add(tx_id)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        _assert_exactly_once(home, acknowledged, {_tx_id(line) for line in lines})
    assert len(acknowledged) > 1000


def _tx_id(line: str) -> str:
    return transaction_from_json(json.loads(line)).tx_id


def _assert_exactly_once(home: Path, acknowledged: dict[str, int], sent: set[str]) -> None:
    storage = open_storage(load_settings(home).database_url)
    try:
        for tx_id, index in acknowledged.items():
            entry = storage.entry_by_tx_id(tx_id)
            assert entry is not None and entry.index == index, tx_id
        size = storage.log_size()
        logged = [entry.tx_id for entry in storage.entries(1, size)]
    finally:
        storage.close()
    assert len(logged) == len(set(logged)) == size - 1  # every entry after genesis, once
    assert set(logged) <= sent
    verified = subprocess.run(
        [sys.executable, "-m", "krai", "verify", "--home", str(home), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
