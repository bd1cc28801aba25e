"""The command line end to end: a new user's first ledger, as the README shows it."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from krai.log.hashing import leaf_hash
from krai.log.verify import verify_consistency, verify_inclusion

PARK_INN, PARK_OGRN = "1234567894", "1022200525819"


def run(*args: str, stdin: str = "") -> "subprocess.CompletedProcess[str]":
    """Run ``python -m krai`` with ``args``; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "krai", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def krai(home: Path, *args: str, stdin: str = "", expect: int = 0) -> str:
    """Run a command on ``home`` and check its exit code; return its output."""
    result = run(*args, "--home", str(home), stdin=stdin)
    assert result.returncode == expect, result.stderr + result.stdout
    return result.stdout


def krai_bytes(home: Path, *args: str) -> bytes:
    return subprocess.run(
        [sys.executable, "-m", "krai", *args, "--home", str(home)],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "home"
    krai(home, "init", "--origin", "krai.example/test")
    key = json.loads(krai(home, "keys", "generate", "park", "--org", PARK_INN, "--json"))
    body = json.dumps(
        {
            "inn": PARK_INN,
            "ogrn": PARK_OGRN,
            "name": "Park",
            "roles": ["park_operator"],
            "public_key": key["public_key"],
        }
    )
    admission = krai(
        home, "tx", "build", "identity.propose_admission", "--signer", "operator", "--body", body
    )
    digest = hashlib.sha256(b"agreement").hexdigest()
    anchor = krai(
        home,
        "tx",
        "build",
        "notary.anchor",
        "--signer",
        "park",
        "--body",
        json.dumps({"sha256": digest, "title": "Agreement", "kind": "agreement"}),
    )
    receipts = lines(krai(home, "tx", "submit", "-", stdin=admission + anchor))
    assert [r["index"] for r in receipts] == [1, 2]
    return home


def test_receipts_match_the_entries_and_proofs_verify(home: Path) -> None:
    checkpoint = json.loads(krai(home, "log", "checkpoint", "--json"))
    assert checkpoint["origin"] == "krai.example/test"
    assert checkpoint["size"] == 3
    assert checkpoint["note"].startswith("krai.example/test\n3\n")
    entry = krai_bytes(home, "log", "entry", "--index", "2")
    proof = json.loads(krai(home, "log", "prove-inclusion", "--index", "2", "--json"))
    assert proof["leaf_hash"] == leaf_hash(entry).hex()
    assert proof["root_hash"] == checkpoint["root_hash"]
    verify_inclusion(
        2,
        3,
        leaf_hash(entry),
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(proof["root_hash"]),
    )


def test_consistency_proof_verifies(home: Path) -> None:
    proof = json.loads(
        krai(home, "log", "prove-consistency", "--first", "1", "--second", "3", "--json")
    )
    verify_consistency(
        1,
        3,
        bytes.fromhex(proof["first_root"]),
        bytes.fromhex(proof["second_root"]),
        [bytes.fromhex(h) for h in proof["proof"]],
    )


def test_a_replayed_transaction_is_refused_and_nothing_written(home: Path) -> None:
    before = json.loads(krai(home, "log", "checkpoint", "--json"))["size"]
    tx = krai(
        home,
        "tx",
        "build",
        "notary.anchor",
        "--signer",
        "park",
        "--nonce",
        "fixed-1",
        "--body",
        json.dumps({"sha256": "ab" * 32, "title": "Report", "kind": "report"}),
    )
    krai(home, "tx", "submit", "-", stdin=tx)
    out = lines(krai(home, "tx", "submit", "-", stdin=tx, expect=1))
    assert out == [{"error": "replay", "message": out[0]["message"]}]
    assert json.loads(krai(home, "log", "checkpoint", "--json"))["size"] == before + 1


def test_malformed_lines_get_their_own_error_line(home: Path) -> None:
    out = lines(krai(home, "tx", "submit", "-", stdin='{"v": 1.5}\nnot json\n', expect=1))
    assert [o["error"] for o in out] == ["float_not_allowed", "malformed"]


def test_vkey_is_c2sp_form(home: Path) -> None:
    name, key_id, key = krai(home, "log", "vkey").strip().split("+", 2)
    assert name == "krai.example/test" and len(key_id) == 8 and key


def test_verify_and_bundle(home: Path, tmp_path: Path) -> None:
    report = json.loads(krai(home, "verify", "--json"))
    assert report["ok"] and report["entries"] >= 3
    bundle = tmp_path / "ledger.jsonl"
    krai(home, "export", "--bundle", str(bundle))
    assert (
        json.loads(krai(home, "verify", "--bundle", str(bundle), "--json"))["root_hash"]
        == report["root_hash"]
    )


def test_a_tampered_bundle_names_the_bad_entry(home: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "ledger.jsonl"
    krai(home, "export", "--bundle", str(bundle))
    rows = bundle.read_text().splitlines()
    import base64

    entry = json.loads(base64.b64decode(json.loads(rows[3])["entry"]))
    entry["tx"]["body"]["title"] = "Forged"
    from krai.crypto.canonical import canonical_bytes

    rows[3] = json.dumps({"entry": base64.b64encode(canonical_bytes(entry)).decode()})
    bundle.write_text("\n".join(rows) + "\n")
    result = run("verify", "--bundle", str(bundle))
    assert result.returncode == 1
    assert "entry 2" in result.stderr


def test_tx_types_lists_roles_and_schemas() -> None:
    out = run("tx", "types", "--json").stdout
    described = {t["type"]: t for t in json.loads(out)}
    assert described["identity.propose_admission"]["roles"] == ["governor"]
    assert "inn" in described["identity.propose_admission"]["body_schema"]["required"]


def test_notary_shows_who_anchored_a_document_with_a_proof(home: Path) -> None:
    digest = hashlib.sha256(b"agreement").hexdigest()
    shown = json.loads(krai(home, "notary", "show", digest, "--json"))
    assert shown["anchor"]["by"] == PARK_INN and shown["anchor"]["index"] == 2
    proof = shown["inclusion"]
    entry = krai_bytes(home, "log", "entry", "--index", "2")
    verify_inclusion(
        2,
        proof["size"],
        leaf_hash(entry),
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(proof["root_hash"]),
    )
    assert shown["checkpoint"].split("\n")[1] == str(proof["size"])
    krai(home, "notary", "show", "cd" * 32, expect=3)


def test_init_with_a_bad_inn_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "bad"
    result = run("init", "--home", str(home), "--inn", "7734250209")
    assert result.returncode == 2 and "INN" in result.stderr
    assert not home.exists()


def test_init_refuses_an_existing_network(home: Path) -> None:
    result = run("init", "--home", str(home))
    assert result.returncode == 2 and "already holds a network" in result.stderr


def test_an_error_stays_on_one_line_whatever_the_terminal_width(tmp_path: Path) -> None:
    missing = tmp_path / ("a-long-directory-name-" * 8) / "home"
    result = run("log", "checkpoint", "--home", str(missing))
    assert result.returncode == 2
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
    assert str(missing) in result.stderr


def test_commands_on_a_missing_home_say_so(tmp_path: Path) -> None:
    result = run("log", "checkpoint", "--home", str(tmp_path / "none"))
    assert result.returncode == 2 and "krai init" in result.stderr


def test_out_of_range_proofs_and_unknown_keys_are_clear_errors(home: Path) -> None:
    krai(home, "log", "prove-inclusion", "--index", "999", "--json", expect=3)
    krai(home, "log", "prove-consistency", "--first", "5", "--second", "2", "--json", expect=3)
    krai(home, "tx", "build", "notary.anchor", "--signer", "nobody", "--body", "{}", expect=2)
    krai(home, "tx", "build", "notary.anchor", "--signer", "park", "--body", "[1]", expect=2)


def test_verify_detects_state_edited_behind_the_log(home: Path, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    (copy / "krai.toml").write_text(
        (home / "krai.toml").read_text().replace(str(home.resolve()), str(copy.resolve()))
    )
    with sqlite3.connect(copy / "krai.db") as connection:
        connection.execute(
            "UPDATE state SET value = ? WHERE key LIKE 'notary/anchor/%'", (b'{"forged":true}',)
        )
    result = run("verify", "--home", str(copy))
    assert result.returncode == 1 and "stored state differs" in result.stderr


@pytest.mark.postgres
def test_the_same_flow_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    home = tmp_path / "pg-home"
    krai(home, "init", "--origin", "krai.example/pg", "--database", postgres_url)
    assert "postgresql" in (home / "krai.toml").read_text()
    assert not (home / "krai.db").exists()
    tx = krai(
        home,
        "tx",
        "build",
        "notary.anchor",
        "--signer",
        "operator",
        "--body",
        json.dumps({"sha256": "ef" * 32, "title": "Report", "kind": "report"}),
    )
    receipt = lines(krai(home, "tx", "submit", "-", stdin=tx))[0]
    proof = json.loads(
        krai(home, "log", "prove-inclusion", "--index", str(receipt["index"]), "--json")
    )
    assert proof["leaf_hash"] == receipt["leaf_hash"]
    assert json.loads(krai(home, "verify", "--json"))["entries"] == 2
