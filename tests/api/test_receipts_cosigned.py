"""With witnesses configured, receipts and the static mirror carry the checkpoint that
``/checkpoint`` publishes — the one the quorum cosigned — and verify under the log's policy."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from krai.adapters.sql.cosigned import SqlCosignedStore
from krai.adapters.sql.storage import SqlStorage
from krai.adapters.static_tiles import DirectoryTileSink
from krai.adapters.tiles_client import HttpTileSource
from krai.app.cosigning import CosignedNote
from krai.app.ports import Storage
from krai.app.publication import published_note
from krai.app.receipts import check_receipt
from krai.app.remote_verify import verify_remote
from krai.app.tiles_mirror import export_tiles
from krai.bootstrap import build, found_network, new_engine
from krai.config.settings import Settings, WitnessSettings, default_database_url, write_witnesses
from krai.log.cosigned import k_of_n_policy_text
from krai.log.note import CosignatureSigner, Note, format_note, format_vkey, parse_note
from krai.log.policy import parse_policy
from tests.api.conftest import FOUNDER, Live, served

ORIGIN = "krai.example/cosigned"
WITNESS = CosignatureSigner("witness.example", bytes([7]) * 32)
COSIGNED_AT = 1_767_000_000


@dataclass
class Cosigned:
    live: Live
    tx_ids: list[str]
    note: str
    policy: bytes


@pytest.fixture(scope="module")
def cosigned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cosigned]:
    """A served home with one witness (quorum 1), 40 anchors, and its newest checkpoint
    cosigned by that witness and stored as the collector stores it."""
    home = tmp_path_factory.mktemp("cosigned") / "home"
    found_network(Settings(home, default_database_url(home), ORIGIN), FOUNDER).close()
    witness = WitnessSettings("w1", "http://127.0.0.1:9", format_vkey(WITNESS.verifier))
    services = build(write_witnesses(home, (witness,), 1))
    try:
        with served(services) as live:
            tx_ids = anchored(live, 40)
            note = cosign(services.storage)
            log = services.log_verifier
            policy = k_of_n_policy_text(log, [("w1", WITNESS.verifier, None)], 1)
            yield Cosigned(live, tx_ids, note, policy.encode())
    finally:
        services.close()


def anchored(live: Live, count: int) -> list[str]:
    transactions = [
        live.signed(
            "notary.anchor",
            {"sha256": hashlib.sha256(b"%d" % n).hexdigest(), "title": f"D{n}", "kind": "report"},
            nonce=f"cosigned-{n}",
        )
        for n in range(count)
    ]
    answer = live.client.post("/v1/transactions", json={"transactions": transactions})
    assert answer.status_code == 200, answer.text
    return [result["tx_id"] for result in answer.json()["results"]]


def cosign(storage: Storage) -> str:
    assert isinstance(storage, SqlStorage)
    latest = storage.latest_checkpoint()
    assert latest is not None
    note = parse_note(latest.note)
    line = WITNESS.sign(note.text, COSIGNED_AT)
    text = format_note(Note(note.text, (*note.signatures, line)))
    SqlCosignedStore(storage).store_cosigned(CosignedNote(latest.size, text, 1, 0))
    return text


def test_the_receipt_carries_the_published_cosigned_checkpoint(cosigned: Cosigned) -> None:
    live = cosigned.live
    assert live.client.get("/checkpoint").text == cosigned.note
    assert published_note(live.services.publication) == cosigned.note
    answer = live.client.get(f"/v1/receipts/{cosigned.tx_ids[7]}")
    assert answer.status_code == 200, answer.text
    assert answer.text.endswith("\n\n" + cosigned.note)
    report = check_receipt(answer.text, cosigned.policy, tx_id=cosigned.tx_ids[7])
    assert report["cosigners"] == [{"witness": "w1", "time": COSIGNED_AT}]
    assert report["quorum"] == "1 of (witness w1)"


def test_the_mirror_is_what_serve_serves_and_verifies_under_the_policy(
    cosigned: Cosigned, tmp_path: Path
) -> None:
    live = cosigned.live
    note = published_note(live.services.publication)
    export_tiles(live.services.storage, DirectoryTileSink(tmp_path), note)
    for file in tmp_path.rglob("*"):
        if file.is_file() and not file.name.startswith("."):
            path = file.relative_to(tmp_path).as_posix()
            assert file.read_bytes() == live.client.get(f"/{path}").content, path
    assert (tmp_path / "checkpoint").read_text() == cosigned.note
    policy = parse_policy(cosigned.policy)
    with HttpTileSource(live.url) as source:
        report = verify_remote(source, policy, new_engine)
    assert report["cosigners"] == [{"witness": "w1", "time": COSIGNED_AT}]
    assert report["entries"] == 41
