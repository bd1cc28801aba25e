"""Receipts over HTTP, and verifying the served log from its tiles alone."""

import hashlib

import pytest

from krai.adapters.tiles_client import HttpTileSource, open_tile_source
from krai.app.receipts import check_receipt
from krai.app.remote_verify import TileFetchError, verify_remote
from krai.bootstrap import new_engine
from krai.log.note import format_vkey
from tests.api.conftest import Live

ANCHORS = 260


@pytest.fixture(scope="module")
def grown(ledger: Live) -> tuple[Live, list[str]]:
    """The ledger with ``ANCHORS`` more entries; their transaction ids."""
    transactions = [
        ledger.signed(
            "notary.anchor",
            {
                "sha256": hashlib.sha256(f"receipt {i}".encode()).hexdigest(),
                "title": f"Receipt {i}",
                "kind": "report",
            },
            nonce=f"receipt-{i}",
        )
        for i in range(ANCHORS)
    ]
    answer = ledger.client.post("/v1/transactions", json={"transactions": transactions})
    assert answer.status_code == 200, answer.text
    return ledger, [result["tx_id"] for result in answer.json()["results"]]


def test_a_receipt_is_served_as_text_and_verifies_offline(grown: tuple[Live, list[str]]) -> None:
    live, tx_ids = grown
    answer = live.client.get(f"/v1/receipts/{tx_ids[200]}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text.startswith("c2sp.org/tlog-proof@v1\nextra ")
    policy = f"log {format_vkey(live.services.log_verifier)}\nquorum none\n".encode()
    report = check_receipt(answer.text, policy, tx_id=tx_ids[200])
    assert report["index"] == 201
    assert report["size"] == live.services.storage.log_size()


def test_an_unknown_or_malformed_transaction_is_a_problem(grown: tuple[Live, list[str]]) -> None:
    live, _ = grown
    unknown = live.client.get(f"/v1/receipts/{'ab' * 32}")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["code"] == "not_found"
    malformed = live.client.get("/v1/receipts/not-an-id")
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "malformed"


def test_the_served_log_verifies_from_its_tiles(grown: tuple[Live, list[str]]) -> None:
    live, _ = grown
    with HttpTileSource(live.url) as source:
        report = verify_remote(source, live.services.log_verifier, new_engine)
    assert report["entries"] == live.services.storage.log_size() == ANCHORS + 1
    assert report["url"] == live.url
    assert report["tiles"] == 3  # tile/0/000, tile/0/001.p/5, tile/1/000.p/1


def test_a_missing_resource_is_named_with_its_status(grown: tuple[Live, list[str]]) -> None:
    live, _ = grown
    source = open_tile_source(live.url + "/nowhere")
    with pytest.raises(TileFetchError, match="answered HTTP 404"):
        source.read("checkpoint", 1000)
    source.close()
