"""Every refusal code answers as its RFC 9457 problem, with its status, over real HTTP."""

import hashlib
import json
import secrets
from typing import Any

import pytest

from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.entrypoints.api.limits import MAX_BODY_BYTES
from krai.tx.envelope import MAX_TRANSACTION_BYTES, Transaction, sign
from krai.tx.errors import Code
from tests.api.conftest import Live

PROBLEM = "application/problem+json"
STATUS = {
    Code.MALFORMED: 400,
    Code.FLOAT_NOT_ALLOWED: 400,
    Code.OVERSIZE: 413,
    Code.UNKNOWN_TYPE: 400,
    Code.UNKNOWN_VERSION: 400,
    Code.WRONG_NETWORK: 400,
    Code.BAD_SIGNATURE: 401,
    Code.UNKNOWN_SIGNER: 401,
    Code.UNKNOWN_KEY: 401,
    Code.REVOKED_KEY: 401,
    Code.ROLE_NOT_ALLOWED: 403,
    Code.REPLAY: 409,
    Code.INVALID_BODY: 400,
    Code.NOT_FOUND: 404,
    Code.CONFLICT: 409,
    Code.RULE_VIOLATION: 422,
}
PARK = {
    "park_id": "kraipark",
    "name_ru": "Индустриальный парк цифровых технологий",
    "name_en": "Digital technologies park",
    "kind": "industrial_park",
    "region_id": "RU-24",
    "total_area_m2": 250000,
    "saleable_area_m2": 200000,
    "source": "Press release 15.03.2018",
}
SPARE_KEY = Ed25519PrivateKey(hashlib.sha256(b"api-test spare key").digest())
STRANGER_KEY = Ed25519PrivateKey(hashlib.sha256(b"api-test stranger").digest())


def digest() -> str:
    return secrets.token_hex(32)


def nonce() -> str:
    return secrets.token_hex(8)


def anchor_body() -> dict[str, Any]:
    return {"sha256": digest(), "title": "Document", "kind": "agreement"}


def signed_by(live: Live, private: Ed25519PrivateKey, signer: str, **fields: Any) -> bytes:
    unsigned = Transaction(
        network=live.services.origin,
        signer=signer,
        key_id=key_id(private.public_key),
        nonce=nonce(),
        **{"type": "notary.anchor", "version": 1, "body": anchor_body(), **fields},
    )
    return json.dumps(sign(unsigned, private).to_json()).encode()


def send(live: Live, body: bytes) -> tuple[int, dict[str, Any], str]:
    answer = live.client.post(
        "/v1/transactions", content=body, headers={"content-type": "application/json"}
    )
    return answer.status_code, answer.json(), answer.headers["content-type"]


def operator(live: Live) -> str:
    organisation = live.services.keystore.load("operator").organisation
    assert organisation is not None
    return organisation


def body_of(live: Live, type_name: str, body: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps(live.signed(type_name, body, nonce=nonce(), **extra)).encode()


def accepted(live: Live, type_name: str, body: dict[str, Any]) -> None:
    status, answer, _ = send(live, body_of(live, type_name, body))
    assert status == 201, answer


def request_for(live: Live, code: Code) -> bytes:  # noqa: PLR0911, PLR0912 -- one case per code
    """A request the ledger refuses with ``code``."""
    if code is Code.MALFORMED:
        return b'{"v": 1}'
    if code is Code.FLOAT_NOT_ALLOWED:
        return body_of(live, "notary.anchor", anchor_body()).replace(b'"v": 1', b'"v": 1.0')
    if code is Code.OVERSIZE:  # no client can sign one: the size is refused before the signature
        document = json.loads(body_of(live, "notary.anchor", anchor_body()))
        document["body"]["reference"] = "x" * MAX_TRANSACTION_BYTES
        return json.dumps(document).encode()
    if code is Code.UNKNOWN_TYPE:
        return body_of(live, "notary.erase_everything", {})
    if code is Code.UNKNOWN_VERSION:
        return body_of(live, "notary.anchor", anchor_body(), version=9)
    if code is Code.WRONG_NETWORK:
        return body_of(live, "notary.anchor", anchor_body(), network="krai.example/elsewhere")
    if code is Code.BAD_SIGNATURE:
        document = json.loads(body_of(live, "notary.anchor", anchor_body()))
        document["body"]["title"] = "Changed after signing"
        return json.dumps(document).encode()
    if code is Code.UNKNOWN_SIGNER:
        return signed_by(live, STRANGER_KEY, "1234567894")
    if code is Code.UNKNOWN_KEY:
        return signed_by(live, STRANGER_KEY, operator(live))
    if code is Code.REVOKED_KEY:
        return revoked_key_request(live)
    if code is Code.ROLE_NOT_ALLOWED:
        return body_of(live, "parks.register_park", PARK)
    if code is Code.REPLAY:
        once = body_of(live, "notary.anchor", anchor_body())
        assert send(live, once)[0] == 201
        document = json.loads(once)
        document["body"]["sha256"] = digest()
        stored = live.services.keystore.load("operator")
        replayed = sign(Transaction(**{**document, "sig": ""}), stored.private_key)
        return json.dumps(replayed.to_json()).encode()
    if code is Code.INVALID_BODY:
        return body_of(live, "notary.anchor", {"title": "no hash"})
    if code is Code.NOT_FOUND:
        return body_of(live, "notary.countersign", {"sha256": digest()})
    if code is Code.CONFLICT:
        body = anchor_body()
        accepted(live, "notary.anchor", body)
        return body_of(live, "notary.anchor", body)
    assert code is Code.RULE_VIOLATION
    tag = secrets.token_hex(4)
    for name in ("a", "b"):
        accepted(
            live,
            "accounts.open_account",
            {"account_id": f"api-{tag}-{name}", "kind": "operating", "title": f"Account {name}"},
        )
    transfer = {
        "from_account": f"api-{tag}-a",
        "to_account": f"api-{tag}-b",
        "amount_kopecks": 100,
        "reference": f"overdraft-{tag}",
    }
    return body_of(live, "accounts.transfer", transfer)


def revoked_key_request(live: Live) -> bytes:
    """Add a second key to the operator, revoke it, and sign with it."""
    spare = encode_public_key(SPARE_KEY.public_key)
    accepted(live, "identity.add_key", {"public_key": spare})
    accepted(live, "identity.revoke_key", {"key_id": key_id(SPARE_KEY.public_key)})
    return signed_by(live, SPARE_KEY, operator(live))


@pytest.mark.parametrize("code", list(Code), ids=[code.value for code in Code])
def test_every_refusal_is_its_problem(ledger: Live, code: Code) -> None:
    size = ledger.services.storage.log_size()
    body = request_for(ledger, code)
    size_before = ledger.services.storage.log_size()
    status, problem, media_type = send(ledger, body)
    assert media_type == PROBLEM
    assert (status, problem["code"]) == (STATUS[code], code.value), problem
    assert problem["type"] == f"/problems/{code.value}"
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    assert ledger.services.storage.log_size() == size_before >= size
    described = ledger.client.get(problem["type"]).json()
    assert (described["status"], described["title"]) == (status, problem["title"])


def test_a_body_over_the_limit_is_refused_before_it_is_read(ledger: Live) -> None:
    answer = ledger.client.post(
        "/v1/transactions",
        content=b"{" + b" " * MAX_BODY_BYTES + b"}",
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "oversize"


def test_a_chunked_body_over_the_limit_is_refused_too(ledger: Live) -> None:
    def chunks() -> Any:
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    answer = ledger.client.post("/v1/transactions", content=chunks())
    assert answer.status_code == 413
    assert answer.json()["code"] == "oversize"


def test_a_batch_too_long_is_refused_as_a_whole(ledger: Live) -> None:
    answer = ledger.client.post("/v1/transactions", json={"transactions": [{}] * 1001})
    assert (answer.status_code, answer.json()["code"]) == (413, "oversize")
    empty = ledger.client.post("/v1/transactions", json={"transactions": []})
    assert (empty.status_code, empty.json()["code"]) == (400, "malformed")


def test_deep_nesting_and_huge_numbers_are_malformed(ledger: Live) -> None:
    for body in (b"[" * 400_000 + b"]" * 400_000, b'{"transactions": ' + b"9" * 5000 + b"}"):
        answer = ledger.client.post("/v1/transactions", content=body)
        assert (answer.status_code, answer.json()["code"]) == (400, "malformed")
    token = {"authorization": f"Bearer {ledger.token}"}
    deep = ledger.client.post("/v1/vault/access", content=b"[" * 400_000, headers=token)
    assert (deep.status_code, deep.json()["code"]) == (400, "malformed")
