"""``/v1/vault``: only the operator's bearer token opens it; personal data only in bodies."""

import stat

import pytest

from tests.api.conftest import Live

ANNA = {
    "snils": "112-233-445 95",
    "full_name": "Анна Сергеевна Иванова",
    "birth_date": "1984-03-08",
    "address": "Калининград, ул. Мира, 1",
}
ENROL = {"programme_id": "kld.child-benefit", "person": ANNA}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/v1/vault/enrol", "/v1/vault/access"])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer wrong-token-wrong-token-wrong-token-wrong"},
        {"authorization": "Basic b3BlcmF0b3I6c2VjcmV0"},
        {"authorization": "Bearer"},
    ],
    ids=["none", "wrong", "basic", "empty"],
)
def test_without_the_operator_token_the_vault_refuses(
    ledger: Live, path: str, headers: dict[str, str]
) -> None:
    answer = ledger.client.post(path, json=ENROL, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["code"] == "unauthorized"
    assert ledger.token not in answer.text


def test_a_token_and_a_malformed_body_is_refused_only_after_the_token(ledger: Live) -> None:
    unauthorised = ledger.client.post("/v1/vault/enrol", content=b"\xff not json")
    assert unauthorised.status_code == 401
    answer = ledger.client.post(
        "/v1/vault/enrol", content=b"\xff not json", headers=bearer(ledger.token)
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "malformed")


def test_the_token_file_is_the_owners_alone(ledger: Live) -> None:
    token_file = ledger.services.settings.operator_token_file
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token_file.read_text(encoding="ascii").strip() == ledger.token


def test_the_operator_enrols_and_answers_an_access_request(ledger: Live) -> None:
    enrolled = ledger.client.post("/v1/vault/enrol", json=ENROL, headers=bearer(ledger.token))
    assert enrolled.status_code == 200, enrolled.text
    pseudonym = enrolled.json()["pseudonym"]
    again = ledger.client.post("/v1/vault/enrol", json=ENROL, headers=bearer(ledger.token))
    assert again.json() == enrolled.json()
    assert set(enrolled.json()) == {"programme_id", "pseudonym", "dedup_key"}
    report = ledger.client.post(
        "/v1/vault/access", json={"snils": "11223344595"}, headers=bearer(ledger.token)
    )
    assert report.status_code == 200, report.text
    assert report.json()["subject"]["pseudonyms"] == {"kld.child-benefit": pseudonym}
    assert report.json()["subject"]["dedup_key"] == enrolled.json()["dedup_key"]
    assert report.json()["subject"]["person"]["full_name"] == ANNA["full_name"]


def test_the_vault_refuses_bad_people_and_unknown_subjects(ledger: Live) -> None:
    bad = {**ENROL, "person": {**ANNA, "snils": "112-233-445 96"}}
    answer = ledger.client.post("/v1/vault/enrol", json=bad, headers=bearer(ledger.token))
    assert (answer.status_code, answer.json()["code"]) == (422, "vault_refused")
    unknown = ledger.client.post(
        "/v1/vault/access", json={"snils": "01024236877"}, headers=bearer(ledger.token)
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    typed = ledger.client.post("/v1/vault/access", json={"snils": 1}, headers=bearer(ledger.token))
    assert (typed.status_code, typed.json()["code"]) == (400, "malformed")
