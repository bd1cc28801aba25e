"""Killing the sequencer mid-ingest loses nothing it acknowledged and duplicates nothing."""

import json
import random
import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.ledger_checks import logged_transactions, signed_lines, verified_entries

from krai.adapters.sql.storage import open_storage
from krai.config.settings import load_settings
from krai.tx.codec import transaction_from_json


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
    assert verified_entries(home, timeout=120) == size


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
    logged = logged_transactions(home)
    position = dict(logged)
    assert all(position.get(tx_id) == index for tx_id, index in acknowledged.items())
    ids = [tx_id for tx_id, _ in logged]
    assert len(ids) == len(set(ids))  # every entry after genesis holds another transaction
    assert set(ids) <= sent
    assert verified_entries(home, timeout=120) == len(logged) + 1
