"""The log over HTTP: entries, proofs that verify with ``krai.log.verify``, the C2SP
checkpoint that verifies with the log's key, and tiles that hash back to its root."""

import hashlib
from collections.abc import Sequence
from typing import Any

import pytest

from krai.log.checkpoint import Checkpoint, open_checkpoint
from krai.log.hashing import largest_power_of_two_below, leaf_hash, node_hash
from krai.log.tiles import encode_tile_index
from krai.log.verify import verify_consistency, verify_inclusion
from tests.api.conftest import Live

ANCHORS = 300


@pytest.fixture(scope="module")
def grown(ledger: Live) -> Live:
    """The ledger with ``ANCHORS`` more entries, submitted as one batch."""
    transactions = [
        ledger.signed(
            "notary.anchor",
            {
                "sha256": hashlib.sha256(f"log {i}".encode()).hexdigest(),
                "title": f"Document {i}",
                "kind": "agreement",
            },
            nonce=f"log-{i}",
        )
        for i in range(ANCHORS)
    ]
    answer = ledger.client.post("/v1/transactions", json={"transactions": transactions})
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == ANCHORS
    return ledger


def checkpoint(live: Live) -> Checkpoint:
    text = live.client.get("/checkpoint")
    assert text.headers["content-type"].startswith("text/plain")
    return open_checkpoint(text.text, [live.services.log_verifier], live.services.origin)


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash of leaf hashes."""
    if len(leaves) == 1:
        return leaves[0]
    split = largest_power_of_two_below(len(leaves))
    return node_hash(mth(leaves[:split]), mth(leaves[split:]))


def hashes(data: bytes) -> list[bytes]:
    assert len(data) % 32 == 0
    return [data[i : i + 32] for i in range(0, len(data), 32)]


def test_the_c2sp_checkpoint_verifies_and_matches_the_json_one(grown: Live) -> None:
    signed = checkpoint(grown)
    document = grown.client.get("/v1/checkpoint").json()
    assert signed.size == document["size"] == grown.services.storage.log_size()
    assert signed.root_hash.hex() == document["root_hash"]
    assert document["origin"] == grown.services.origin


def test_inclusion_and_consistency_proofs_verify(grown: Live) -> None:
    signed = checkpoint(grown)
    for index in (0, 1, 150, signed.size - 1):
        entry = grown.client.get(f"/v1/entries/{index}", params={"raw": "1"}).content
        proof = grown.client.get("/v1/proofs/inclusion", params={"index": index}).json()
        assert proof["checkpoint"] is not None
        verify_inclusion(
            index,
            signed.size,
            leaf_hash(entry),
            [bytes.fromhex(h) for h in proof["proof"]],
            signed.root_hash,
        )
    for first in (1, 2, 100, signed.size):
        proof = grown.client.get(
            "/v1/proofs/consistency", params={"first": first, "second": signed.size}
        ).json()
        verify_consistency(
            first,
            signed.size,
            bytes.fromhex(proof["first_root"]),
            signed.root_hash,
            [bytes.fromhex(h) for h in proof["proof"]],
        )


def test_proofs_out_of_range_are_404_problems(grown: Live) -> None:
    size = grown.services.storage.log_size()
    for params in ({"index": size}, {"index": 0, "size": size + 1}, {"index": 2**63 - 1}):
        answer = grown.client.get("/v1/proofs/inclusion", params=params)
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    too_big = grown.client.get("/v1/proofs/inclusion", params={"index": 2**64})
    assert (too_big.status_code, too_big.json()["code"]) == (400, "malformed")
    answer = grown.client.get("/v1/proofs/consistency", params={"first": 3, "second": 2})
    assert answer.status_code == 404


def test_entries_decode_and_page(grown: Live) -> None:
    genesis = grown.client.get("/v1/entries/0").json()
    assert genesis["entry"]["genesis"]["origin"] == grown.services.origin
    stored = grown.services.storage.entry(0)
    assert stored is not None and genesis["leaf_hash"] == stored.leaf_hash.hex()
    page = grown.client.get("/v1/entries", params={"start": 10, "limit": 5}).json()
    assert [entry["index"] for entry in page["entries"]] == [10, 11, 12, 13, 14]
    assert page["next"] == 15
    size = grown.services.storage.log_size()
    last = grown.client.get("/v1/entries", params={"start": size - 2, "limit": 1000}).json()
    assert len(last["entries"]) == 2 and last["next"] is None
    assert grown.client.get("/v1/entries", params={"limit": 1001}).status_code == 400
    missing = grown.client.get(f"/v1/entries/{size}")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def tile(live: Live, path: str) -> Any:
    return live.client.get(f"/tile/{path}")


def test_tiles_and_entry_bundles_hash_back_to_the_checkpoint_root(grown: Live) -> None:
    signed = checkpoint(grown)
    full, rest = divmod(signed.size, 256)
    assert full >= 1 and rest > 0
    leaves: list[bytes] = []
    for index in range(full):
        answer = tile(grown, f"0/{encode_tile_index(index)}")
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        leaves += hashes(answer.content)
    partial = tile(grown, f"0/{encode_tile_index(full)}.p/{rest}")
    assert "immutable" not in partial.headers["cache-control"]
    leaves += hashes(partial.content)
    assert len(leaves) == signed.size
    assert mth(leaves) == signed.root_hash
    upper = hashes(tile(grown, f"1/000.p/{full}").content)
    assert upper == [mth(leaves[i * 256 : (i + 1) * 256]) for i in range(full)]
    bundle = tile(grown, f"entries/{encode_tile_index(full)}.p/{rest}").content
    assert [leaf_hash(entry) for entry in split_bundle(bundle)] == leaves[full * 256 :]
    first = tile(grown, "entries/000")
    assert first.headers["cache-control"].endswith("immutable")
    assert [leaf_hash(entry) for entry in split_bundle(first.content)] == leaves[:256]


def split_bundle(data: bytes) -> list[bytes]:
    entries, at = [], 0
    while at < len(data):
        length = int.from_bytes(data[at : at + 2], "big")
        entries.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


@pytest.mark.parametrize(
    "path",
    [
        "0/001",  # not full yet
        "0/001.p/255",  # beyond the log
        "1/000",
        "0/1",  # not the canonical spelling
        "0/000.p/256",
        "0/000.p/0",
        "64/000",
        "0/x999/x999/x999/x999/x999/x999/999",
        "entries/001",
        "entries/x999/x999/x999/x999/x999/x999/999",
        "nonsense",
    ],
)
def test_tiles_that_do_not_exist_are_404_problems(grown: Live, path: str) -> None:
    answer = tile(grown, path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_search_finds_an_entry_by_index_tx_id_leaf_hash_and_document(grown: Live) -> None:
    entry = grown.client.get("/v1/entries/7").json()
    document = hashlib.sha256(b"log 6").hexdigest()
    for query, matched in [
        ("7", "index"),
        (entry["tx_id"], "tx_id"),
        (entry["leaf_hash"].upper(), "leaf_hash"),
        (document, "document"),
    ]:
        found = grown.client.get("/v1/search", params={"q": query}).json()
        assert [(m["matched"], m["index"]) for m in found["matches"]] == [(matched, 7)], query
        twin = grown.client.get("/explorer/search.json", params={"q": query}).json()
        assert twin == found
    nothing = grown.client.get("/v1/search", params={"q": "f" * 64}).json()
    assert nothing["matches"] == []
    assert grown.client.get("/v1/search", params={"q": ""}).status_code == 400
