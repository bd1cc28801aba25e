"""``POST /v1/transactions`` over real HTTP: receipts after the commit, sealed receipts,
batches, concurrent clients, and the lookup of a transaction by its id."""

import asyncio
import hashlib
import secrets
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.responses import JSONResponse

from krai.app.admission import SequencerUnavailableError
from krai.app.sequencer import Outcome
from krai.entrypoints.api.problems import ProblemError
from krai.entrypoints.api.transactions import _answer, _outcomes
from krai.log.checkpoint import open_checkpoint
from krai.log.hashing import leaf_hash
from krai.log.note import format_vkey
from krai.log.verify import verify_inclusion
from tests.api.conftest import Live

PROBLEM = "application/problem+json"


def anchor(live: Live, text: str | None = None) -> dict[str, Any]:
    """A signed notary.anchor of a fresh document."""
    digest = hashlib.sha256((text or secrets.token_hex(16)).encode()).hexdigest()
    body = {"sha256": digest, "title": "Document", "kind": "agreement"}
    return live.signed("notary.anchor", body, nonce=secrets.token_hex(8))


def test_one_transaction_is_answered_with_its_receipt_after_the_commit(ledger: Live) -> None:
    tx = anchor(ledger)
    answer = ledger.client.post("/v1/transactions", json=tx)
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert set(receipt) == {"tx_id", "index", "leaf_hash", "time_ms"}
    assert answer.headers["location"] == f"/v1/transactions/{receipt['tx_id']}"
    assert ledger.services.storage.log_size() > receipt["index"]
    raw = ledger.client.get(f"/v1/entries/{receipt['index']}", params={"raw": 1})
    assert raw.headers["content-type"] == "application/octet-stream"
    assert leaf_hash(raw.content).hex() == receipt["leaf_hash"]
    found = ledger.client.get(receipt_location(answer)).json()
    assert found["index"] == receipt["index"]
    assert found["entry"]["tx"] == tx
    assert found["events"][0]["event"] == "notary.DocumentAnchored"


def receipt_location(answer: httpx.Response) -> str:
    return answer.headers["location"]


def test_wait_checkpoint_adds_the_signed_checkpoint_and_the_inclusion_proof(ledger: Live) -> None:
    answer = ledger.client.post(
        "/v1/transactions", json=anchor(ledger), params={"wait": "checkpoint"}
    )
    assert answer.status_code == 201, answer.text
    sealed = answer.json()
    verifier = ledger.services.log_verifier
    assert ledger.client.get("/v1/checkpoint").json()["vkey"] == format_vkey(verifier)
    checkpoint = open_checkpoint(sealed["checkpoint"]["note"], [verifier], ledger.services.origin)
    assert checkpoint.size == sealed["checkpoint"]["size"] > sealed["index"]
    proof = sealed["inclusion"]
    verify_inclusion(
        sealed["index"],
        checkpoint.size,
        bytes.fromhex(sealed["leaf_hash"]),
        [bytes.fromhex(h) for h in proof["proof"]],
        checkpoint.root_hash,
    )


def test_a_batch_answers_each_transaction_in_order(ledger: Live) -> None:
    good, twin = anchor(ledger), anchor(ledger, "same document")
    clash = {**anchor(ledger, "same document")}
    broken = {**anchor(ledger), "sig": "A" * 86 + "=="}
    answer = ledger.client.post(
        "/v1/transactions", json={"transactions": [good, twin, broken, clash]}
    )
    assert answer.status_code == 200, answer.text
    batch = answer.json()
    assert (batch["accepted"], batch["refused"]) == (2, 2)
    first, second, third, fourth = batch["results"]
    assert second["index"] == first["index"] + 1
    assert third["code"] == "bad_signature" and third["status"] == 401
    assert fourth["code"] == "conflict" and fourth["type"] == "/problems/conflict"


def test_concurrent_clients_all_get_distinct_durable_receipts(ledger: Live) -> None:
    transactions = [anchor(ledger) for _ in range(40)]

    def post(tx: dict[str, Any]) -> dict[str, Any]:
        with httpx.Client(base_url=ledger.url, timeout=60.0) as client:
            answer = client.post("/v1/transactions", json=tx)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    with ThreadPoolExecutor(max_workers=10) as pool:
        receipts = list(pool.map(post, transactions))
    indices = [receipt["index"] for receipt in receipts]
    assert len(set(indices)) == len(indices)
    for tx, receipt in zip(transactions, receipts, strict=True):
        stored = ledger.services.storage.entry(receipt["index"])
        assert stored is not None and stored.tx_id == receipt["tx_id"]
        assert stored.leaf_hash.hex() == receipt["leaf_hash"]
        assert tx["nonce"] in stored.data.decode()


def test_an_unknown_transaction_id_is_a_404_problem(ledger: Live) -> None:
    answer = ledger.client.get(f"/v1/transactions/{'0' * 64}")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "not_found"
    assert ledger.client.get("/v1/transactions/not-hex").status_code == 400


def test_types_list_every_transaction_type_as_the_cli_does(ledger: Live) -> None:
    described = ledger.client.get("/v1/types").json()
    assert described == ledger.services.engine.describe()
    assert {"notary.anchor", "parks.register_park", "energy.open_market"} <= {
        item["type"] for item in described
    }


@pytest.mark.parametrize("already_failed", [True, False])
def test_a_request_whose_sequencer_is_unreachable_is_a_503_problem(already_failed: bool) -> None:
    """Whether the channel failed as the request was sent or while it waited."""
    failed: Future[list[Outcome]] = Future()

    async def awaited() -> list[Outcome]:
        if already_failed:
            failed.set_exception(SequencerUnavailableError("the sequencer is unreachable"))
        else:
            asyncio.get_running_loop().call_later(
                0.01, failed.set_exception, SequencerUnavailableError("went away")
            )
        return await _outcomes(failed)

    with pytest.raises(ProblemError) as caught:
        asyncio.run(awaited())
    assert caught.value.code == "unavailable"


def test_a_submissions_answer_is_written_as_json_response_would_write_it() -> None:
    refusal = {"code": "replay", "message": 'nonce "n\\1" — used\n\u2028\x00</script>'}
    receipt = {"tx_id": "ab" * 32, "index": 2**53 - 1, "leaf_hash": "cd" * 32, "time_ms": 0}
    content = {"accepted": 1, "refused": 1, "results": [receipt, refusal]}
    assert _answer(content).body == JSONResponse(content).body
