"""An organisation that signs with GOST R 34.10-2012 keys, from key generation to the log."""

import hashlib
import json
from pathlib import Path

import pytest
from tests.e2e.test_cli import krai, lines

from krai.adapters.keystore import Keystore
from krai.adapters.sql.storage import open_storage
from krai.app.signatures import SignatureWorkers
from krai.config.settings import load_settings
from krai.crypto.gost import GostPrivateKey
from krai.crypto.keys import encode_public_key

PARK_INN, PARK_OGRN = "1234567894", "1022200525819"
GOST = "gost3410-2012-256"


def anchor(home: Path, title: str) -> str:
    body = {"sha256": hashlib.sha256(title.encode()).hexdigest(), "title": title, "kind": "report"}
    return krai(
        home, "tx", "build", "notary.anchor", "--signer", "gost-park", "--body", json.dumps(body)
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A network whose park operator was admitted with a GOST key."""
    home = tmp_path_factory.mktemp("gost") / "home"
    krai(home, "init", "--origin", "krai.example/gost")
    generated = krai(
        home, "keys", "generate", "gost-park", "--org", PARK_INN, "--type", GOST, "--json"
    )
    key = json.loads(generated)
    assert key["public_key"].startswith(f"{GOST}:")
    body = {
        "inn": PARK_INN,
        "ogrn": PARK_OGRN,
        "name": "Park",
        "roles": ["park_operator"],
        "public_key": key["public_key"],
    }
    admission = krai(
        home,
        "tx",
        "build",
        "identity.propose_admission",
        "--signer",
        "operator",
        "--body",
        json.dumps(body),
    )
    assert [r["index"] for r in lines(krai(home, "tx", "submit", "-", stdin=admission))] == [1]
    return home


def log_size(home: Path) -> int:
    storage = open_storage(load_settings(home).database_url)
    try:
        return storage.log_size()
    finally:
        storage.close()


def test_a_gost_signed_transaction_is_accepted_and_verifies(home: Path) -> None:
    receipts = lines(krai(home, "tx", "submit", "-", stdin=anchor(home, "Quarterly report")))
    assert [r["index"] for r in receipts] == [2]
    report = json.loads(krai(home, "verify", "--json"))  # every signature checked again
    assert report["ok"] and report["entries"] == 3


def test_a_tampered_gost_signed_transaction_is_refused(home: Path) -> None:
    before = log_size(home)
    document = json.loads(anchor(home, "Annual report"))
    document["body"]["title"] = "Annual report, amended"
    out = lines(krai(home, "tx", "submit", "-", stdin=json.dumps(document) + "\n", expect=1))
    assert [o["error"] for o in out] == ["bad_signature"]
    assert log_size(home) == before


def test_the_keystore_keeps_the_type_and_lists_the_key(home: Path) -> None:
    stored = Keystore(load_settings(home).keys_dir).load("gost-park")
    assert isinstance(stored.private_key, GostPrivateKey)
    listed = {k["name"]: k for k in json.loads(krai(home, "keys", "list", "--json"))}
    assert listed["gost-park"]["public_key"] == stored.public_key_text
    assert listed["operator"]["public_key"].startswith("ed25519:")


def test_an_unknown_key_type_is_a_usage_error(home: Path) -> None:
    krai(home, "keys", "generate", "other", "--type", "rsa", expect=2)


def test_signature_worker_processes_verify_gost_signatures() -> None:
    key = GostPrivateKey(hashlib.sha256(b"worker test key").digest())
    public = encode_public_key(key.public_key)
    good = (b"message", key.sign(b"message"), public)
    forged = (b"message", key.sign(b"another message"), public)
    workers = SignatureWorkers(1)
    try:
        assert workers.submit([good, forged]).result() == [True, False]
    finally:
        workers.close()
