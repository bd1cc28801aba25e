"""Whatever any path that writes is given, the log it leaves verifies and publishes as tiles.

Random input goes through every door that commits: `krai tx build | krai tx submit`, the bank
statement importer (`krai payments import-statement`) and `POST /v1/transactions` (signed the
way a client in another language would, around krai's own constructor). Each either commits
or refuses with a clear error — never a traceback or a 500 — and afterwards `krai verify`
replays the log, and every tile and entry bundle is written and read back by
`krai verify --url` (the demo's own build is held to the same in test_demo.py).
"""

import base64
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.api.conftest import FOUNDER, ORIGIN, Live, served
from typer.testing import CliRunner

from krai.bootstrap import found_network
from krai.config.settings import Settings, default_database_url
from krai.entrypoints.cli.main import app
from krai.tx.envelope import SIGNING_PREFIX

AGENT_INN, AGENT_OGRN = "7702070139", "1027700167110"
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=90)
IDENTIFIER = TEXT | st.from_regex(r"[a-z0-9.:_-]{1,90}", fullmatch=True)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
SIZE = st.sampled_from([0, 10, 40_000, 65_000, 70_000])


@dataclass
class Home:
    path: Path
    live: Live
    runs: int = 0

    def krai(self, *args: str, stdin: str | None = None) -> "Run":
        """Run a command in process; a traceback is a failure, an exit code an answer."""
        result = CliRunner().invoke(app, [*args, "--home", str(self.path)], input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code in (0, 1, 2), result.output
        return Run(result.exit_code, result.stdout)


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    path = tmp_path_factory.mktemp("paths") / "home"
    services = found_network(Settings(path, default_database_url(path), ORIGIN), FOUNDER)
    try:
        with served(services) as live:
            ledger = Home(path, live)
            admit_payment_agent(ledger)
            yield ledger
    finally:
        services.close()


def admit_payment_agent(home: Home) -> None:
    key = json.loads(home.krai("keys", "generate", "veb", "--org", AGENT_INN, "--json").stdout)
    body = {
        "inn": AGENT_INN,
        "ogrn": AGENT_OGRN,
        "name": "Paying agent",
        "roles": ["payment_agent"],
        "public_key": key["public_key"],
    }
    built = home.krai(
        "tx", "build", "identity.propose_admission", "--signer", "operator", "--body",
        json.dumps(body),
    )  # fmt: skip
    assert built.exit_code == 0
    assert '"index"' in home.krai("tx", "submit", stdin=built.stdout).stdout


def assert_sound_and_published(home: Home, tmp_path: Path) -> None:
    verified = home.krai("verify", "--json")
    assert verified.exit_code == 0, verified.stdout
    size = json.loads(verified.stdout)["entries"]
    home.runs += 1
    tiles = tmp_path / f"tiles-{home.runs}"
    assert home.krai("log", "export-tiles", str(tiles)).exit_code == 0
    vkey = home.krai("log", "vkey").stdout.strip()
    remote = CliRunner().invoke(app, ["verify", "--url", str(tiles), "--vkey", vkey, "--json"])
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout)["entries"] == size


def through_the_cli(home: Home, nonce: str, title: str, extra: dict[str, Any]) -> None:
    body = json.dumps({**extra, "sha256": "cd" * 32, "title": title, "kind": "report"})
    built = home.krai(
        "tx", "build", "notary.anchor", "--signer", "operator", "--nonce", nonce, "--body", body
    )  # fmt: skip
    if built.exit_code == 0:
        home.krai("tx", "submit", stdin=built.stdout)


def through_the_importer(home: Home, tmp_path: Path, statement_id: str, lines: int) -> None:
    source = tmp_path / f"statement-{home.runs}.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line_id", "booked_on", "direction", "amount_rub", "reference"])
        for number in range(lines):
            writer.writerow([number, "2026-03-22", "debit", "100,00", f"pay-{number:0>130}"])
    home.krai(
        "payments", "import-statement", str(source), "--statement-id", statement_id,
        "--signer", "veb",
    )  # fmt: skip


def through_the_api(home: Home, nonce: Any, title: str, extra: dict[str, Any]) -> None:
    """Signed over RFC 8785 bytes by the client itself, whatever krai would say of them."""
    stored = home.live.services.keystore.load("operator")
    unsigned = {
        "v": 1,
        "network": home.live.services.origin,
        "type": "notary.anchor",
        "version": 1,
        "signer": stored.organisation,
        "key_id": stored.key_id,
        "nonce": nonce,
        "body": {**extra, "sha256": "ef" * 32, "title": title, "kind": "report"},
    }
    try:
        signature = stored.private_key.sign(SIGNING_PREFIX + rfc8785.dumps(unsigned))
    except (rfc8785.CanonicalizationError, ValueError):  # no canonical form: sent unsigned
        signature = bytes(64)
    document = {**unsigned, "sig": base64.b64encode(signature).decode()}
    answer = home.live.client.post("/v1/transactions", content=json.dumps(document).encode())
    assert answer.status_code < 500, answer.text


@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a CLI run takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    nonce=IDENTIFIER,
    statement_id=IDENTIFIER,
    title=TEXT,
    padding=SIZE,
    lines=st.sampled_from([1, 3, 400, 1_200]),
    extra=st.dictionaries(TEXT, JSON_VALUE, max_size=3),
)
def test_every_path_that_writes_leaves_a_log_that_verifies_and_publishes(
    home: Home,
    tmp_path: Path,
    *,
    nonce: str,
    statement_id: str,
    title: str,
    padding: int,
    lines: int,
    extra: dict[str, Any],
) -> None:
    long_title = title + "x" * padding
    through_the_cli(home, nonce, long_title, extra)
    through_the_importer(home, tmp_path, statement_id, lines)
    through_the_api(home, nonce, long_title, extra)
    assert_sound_and_published(home, tmp_path)


def test_the_two_reported_repros_are_refused_or_fit_and_the_log_stays_sound(
    home: Home, tmp_path: Path
) -> None:
    """A 60-character statement id (its nonce once broke replay) and a statement of 100 KB."""
    before = json.loads(home.krai("log", "checkpoint", "--json").stdout)["size"]
    through_the_importer(home, tmp_path, "s" * 60, 1_200)
    after = json.loads(home.krai("log", "checkpoint", "--json").stdout)["size"]
    assert after > before
    assert_sound_and_published(home, tmp_path)
