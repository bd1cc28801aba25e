"""Several processes on one ledger: each batch is sequenced under the storage's sequencing
lock after catching up, so two sequencers — two API workers, or a CLI beside a server —
interleave into one sound log on SQLite and on PostgreSQL."""

import hashlib
import threading
from pathlib import Path

import pytest

from krai.app.verify import verify_ledger
from krai.bootstrap import Founder, Services, build, found_network, new_engine
from krai.config.settings import Settings, default_database_url
from krai.crypto.keys import key_id
from krai.tx.envelope import Transaction, sign

ORIGIN = "sequencers.krai.example/log"


def anchors(services: Services, prefix: str, count: int) -> list[Transaction]:
    operator = services.keystore.load("operator")
    signed = []
    for number in range(count):
        body = {
            "sha256": hashlib.sha256(f"{prefix}{number}".encode()).hexdigest(),
            "title": f"{prefix} {number}",
            "kind": "report",
        }
        unsigned = Transaction(
            ORIGIN,
            "notary.anchor",
            1,
            operator.organisation or "",
            key_id(operator.private_key.public_key),
            f"{prefix}-{number}",
            body,
        )
        signed.append(sign(unsigned, operator.private_key))
    return signed


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return default_database_url(tmp_path / "home")
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_two_sequencers_on_one_database_make_one_sound_log(
    tmp_path: Path, database_url: str
) -> None:
    settings = Settings(tmp_path / "home", database_url, ORIGIN)
    first = found_network(settings, Founder("7734250208", "1027734003461", "Operator"))
    second = build(settings)
    receipts: dict[str, list[int]] = {"a": [], "b": []}

    def run(services: Services, prefix: str) -> None:
        batch_of = anchors(services, prefix, 600)
        for start in range(0, len(batch_of), 50):
            for outcome in services.sequencer.submit(batch_of[start : start + 50]):
                assert not isinstance(outcome, Exception), outcome
                receipts[prefix].append(outcome.index)

    threads = [
        threading.Thread(target=run, args=(first, "a")),
        threading.Thread(target=run, args=(second, "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    size = first.storage.log_size()
    try:
        assert sorted(receipts["a"] + receipts["b"]) == list(range(1, size)) and size == 1201
        assert receipts["a"] and receipts["b"]
        storage = first.storage
        report = verify_ledger(
            (entry.data for entry in storage.entries(0, size)),
            {c.size: c.note for c in storage.checkpoints(limit=size + 1)},
            origin=ORIGIN,
            verifier=first.log_verifier,
            new_engine=new_engine,
            expected_state=storage.scan_bytes(""),
        )
        assert report.to_json()["entries"] == size
    finally:
        first.close()
        second.close()
