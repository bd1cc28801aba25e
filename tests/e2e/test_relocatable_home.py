"""A home is a folder that can be copied, moved or restored: the copy is its own ledger."""

import hashlib
import json
import shutil
from pathlib import Path

from tests.e2e.test_cli import krai


def log_size(home: Path) -> int:
    checkpoint = json.loads(krai(home, "log", "checkpoint", "--json"))
    size: int = checkpoint["size"]
    return size


def anchor(home: Path, text: str) -> None:
    digest = hashlib.sha256(text.encode()).hexdigest()
    body = json.dumps({"sha256": digest, "title": text, "kind": "report"})
    signed = krai(home, "tx", "build", "notary.anchor", "--signer", "operator", "--body", body)
    receipt = json.loads(krai(home, "tx", "submit", stdin=signed))
    assert "index" in receipt, receipt


def test_a_copied_home_is_an_independent_ledger(tmp_path: Path) -> None:
    original = tmp_path / "original"
    krai(original, "init", "--origin", "krai.example/relocatable")
    assert str(tmp_path) not in (original / "krai.toml").read_text(encoding="utf-8")
    backup = tmp_path / "backup"
    shutil.copytree(original, backup)
    anchor(backup, "written to the copy")
    assert (log_size(original), log_size(backup)) == (1, 2)
    shutil.move(original, tmp_path / "moved")
    anchor(tmp_path / "moved", "written after the move")
    assert log_size(tmp_path / "moved") == 2
    krai(tmp_path / "moved", "verify")


def test_a_relative_sqlite_path_in_the_settings_is_relative_to_the_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    krai(home, "init", "--origin", "krai.example/relative")
    (home / "krai.db").rename(home / "ledger.db")
    settings = home / "krai.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + 'database_url = "sqlite:///ledger.db"\n',
        encoding="utf-8",
    )
    assert log_size(home) == 1
    assert not (home / "krai.db").exists()
