"""``krai vault`` end to end: enrol, show, a ledger entry under the pseudonym, access, erase."""

import hashlib
import json
import stat
from pathlib import Path

import pytest
from tests.e2e.test_cli import krai, run

ANNA = {
    "snils": "112-233-445 95",
    "full_name": "Анна Сергеевна Иванова",
    "birth_date": "1984-03-08",
    "address": "Калининград, ул. Мира, 1",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("vault") / "home"
    krai(home, "init", "--origin", "krai.example/vault")
    return home


def said(text: str) -> str:
    """Standard error with Rich's line wrapping undone."""
    return " ".join(text.split())


def enrol(home: Path, programme: str, person: dict[str, str] = ANNA, expect: int = 0) -> str:
    return krai(
        home,
        "vault",
        "enrol",
        "--programme",
        programme,
        "--json",
        stdin=json.dumps(person),
        expect=expect,
    )


def test_a_person_is_enrolled_shown_reported_and_erased(home: Path) -> None:
    enrolled = json.loads(enrol(home, "kld.child-benefit"))
    pseudonym = enrolled["pseudonym"]
    assert json.loads(enrol(home, "kld.child-benefit")) == enrolled
    shown = json.loads(krai(home, "vault", "show", "--json", stdin="11223344595\n"))
    assert shown["person"]["full_name"] == ANNA["full_name"]
    assert shown["person"]["snils"] == "11223344595"
    assert shown["pseudonyms"] == {"kld.child-benefit": pseudonym}
    assert shown["dedup_key"] == enrolled["dedup_key"]

    document = {
        "sha256": hashlib.sha256(b"decision").hexdigest(),
        "title": f"Decision on {pseudonym}",
        "kind": "decision",
    }
    body = json.dumps(document)
    anchor = krai(home, "tx", "build", "notary.anchor", "--signer", "operator", "--body", body)
    krai(home, "tx", "submit", "-", stdin=anchor)
    report = json.loads(krai(home, "vault", "access", "--snils", "11223344595", "--json"))
    assert report["subject"]["person"]["birth_date"] == "1984-03-08"
    assert [item["index"] for item in report["ledger"]] == [1]
    assert report["ledger"][0]["body"]["title"] == f"Decision on {pseudonym}"

    bodies = json.loads(krai(home, "vault", "erase", "--snils", "112-233-445 95", "--json"))
    assert [body["pseudonym"] for body in bodies] == [pseudonym]
    assert set(bodies[0]) == {"pseudonym", "programme_id", "erased_on"}
    erased = json.loads(krai(home, "vault", "show", "--snils", "11223344595", "--json"))
    assert erased["status"] == "erased"
    assert erased["person"] is None
    assert "erased" in krai(home, "vault", "show", "--snils", "11223344595")
    after = json.loads(krai(home, "vault", "access", "--snils", "11223344595", "--json"))
    assert [item["index"] for item in after["ledger"]] == [1]
    refused = run("vault", "enrol", "--programme", "p", "--home", str(home), stdin=json.dumps(ANNA))
    assert refused.returncode == 1
    assert "erased on" in said(refused.stderr)


def test_the_master_key_and_the_vault_file_are_private(home: Path) -> None:
    enrol(home, "kld.drugs", {**ANNA, "snils": "01024236877"})
    for path in (home / "keys" / "vault-master.key", home / "vault.db"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not list((home / "keys").glob("vault*.json"))  # not mistaken for a signing key
    assert "vault" not in krai(home, "keys", "list", "--json")


def test_without_the_operators_key_nothing_is_read(home: Path) -> None:
    enrol(home, "kld.drugs", {**ANNA, "snils": "14848125585"})
    key = home / "keys" / "vault-master.key"
    key.chmod(0o644)
    try:
        result = run("vault", "show", "--snils", "14848125585", "--home", str(home))
        assert result.returncode == 1
        assert "open to other users" in said(result.stderr)
    finally:
        key.chmod(0o600)
    moved = key.with_name("elsewhere")
    key.rename(moved)
    try:
        result = run("vault", "show", "--snils", "14848125585", "--home", str(home))
        assert result.returncode == 1
        assert "needs the vault operator's key" in said(result.stderr)
        assert "Анна" not in result.stdout
    finally:
        moved.rename(key)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (json.dumps({**ANNA, "snils": "11223344596"}), "invalid SNILS"),
        (json.dumps({**ANNA, "full_name": ""}), "full name is empty"),
        (json.dumps({**ANNA, "birth_date": "8 March 1984"}), "YYYY-MM-DD"),
        (json.dumps({**ANNA, "extra": "x"}), "a person is a JSON object"),
        ("not json", "cannot read a JSON person"),
    ],
)
def test_bad_people_are_refused_with_a_message(home: Path, stdin: str, message: str) -> None:
    result = run("vault", "enrol", "--programme", "p", "--home", str(home), stdin=stdin)
    assert result.returncode in {1, 2}
    assert message in said(result.stderr)
    assert "Traceback" not in said(result.stderr)


def test_an_unknown_person_is_reported_as_such(home: Path) -> None:
    result = run("vault", "show", "--snils", "05686067192", "--home", str(home))
    assert result.returncode == 1
    assert "no person with this SNILS" in said(result.stderr)
