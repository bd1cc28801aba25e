"""Killing the sequencer mid-ingest loses nothing it acknowledged."""

import hashlib
import json
import signal
import subprocess
import sys
from pathlib import Path

from krai.adapters.keystore import Keystore
from krai.adapters.sql.storage import open_storage
from krai.config.settings import load_settings
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
