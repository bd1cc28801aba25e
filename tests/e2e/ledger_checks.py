"""What the crash, worker and load tests share: signed transactions to send, the log as a
home stores it, and `krai verify` run on that home."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from krai.adapters.keystore import Keystore
from krai.adapters.sql.storage import open_storage
from krai.config.settings import load_settings
from krai.tx.envelope import Transaction, sign


def signed_lines(home: Path, count: int) -> str:
    """``count`` notary anchors signed by the home's operator, as JSON lines."""
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


def logged_transactions(home: Path) -> list[tuple[str, int]]:
    """(transaction id, index) of every entry after genesis, in log order."""
    storage = open_storage(load_settings(home).database_url)
    try:
        return [
            (entry.tx_id or "", entry.index) for entry in storage.entries(1, storage.log_size())
        ]
    finally:
        storage.close()


def verified_entries(home: Path, timeout: float) -> int:
    """Run `krai verify` on ``home``; fail unless the ledger is sound; its number of entries."""
    verified = subprocess.run(
        [sys.executable, "-m", "krai", "verify", "--home", str(home), "--json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    entries: int = json.loads(verified.stdout)["entries"]
    return entries
