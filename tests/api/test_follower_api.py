"""A follower's home served: reads as the primary's, writes refused with 405 naming the
primary, `/v1/status` with its lag, and an alarm on every page once the log forked."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from krai.bootstrap import found_network
from krai.config.settings import Settings, default_database_url
from tests.api.conftest import Live, served
from tests.unit.app.test_follow import FOUNDER, ORIGIN, SEEDS, Copy, grow, log_vkey


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[tuple[Path, Copy]]:
    primary = tmp_path / "primary"
    settings = Settings(primary, default_database_url(primary), ORIGIN)
    found_network(settings, FOUNDER, seeds=SEEDS).close()
    grow(primary, range(20), tmp_path / "tiles")
    copy = Copy(tmp_path / "follower", log_vkey(primary))
    try:
        assert copy.poll(tmp_path / "tiles").accepted == 21
        yield primary, copy
    finally:
        copy.services.close()


def test_a_follower_serves_reads_and_refuses_writes(
    tmp_path: Path, homes: tuple[Path, Copy]
) -> None:
    _, copy = homes
    with served(copy.services) as live:
        refused = live.client.post("/v1/transactions", json={"any": "thing"})
        assert refused.status_code == 405
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "method_not_allowed"
        assert refused.json()["primary"] == "tiles"
        assert "GET" in refused.headers["allow"]
        assert (
            live.client.get("/checkpoint").text == (tmp_path / "tiles" / "checkpoint").read_text()
        )
        assert live.client.get("/v1/entries/20").json()["index"] == 20
        status = live.client.get("/v1/status").json()
        assert status["role"] == "follower" and status["following"] == "tiles"
        assert (status["size"], status["primary_size"], status["behind_entries"]) == (21, 21, 0)
        assert status["behind_seconds"] >= 0 and status["alarm"] is None
        page = live.client.get("/explorer", headers={"accept": "text/html"}).text
        assert 'class="follower" id="follow-banner"' in page


def test_an_alarm_shows_on_every_page_and_in_the_status(
    tmp_path: Path, homes: tuple[Path, Copy]
) -> None:
    primary, copy = homes
    fork = tmp_path / "fork"
    shutil.copytree(primary, fork)
    grow(fork, range(100, 130), tmp_path / "forked")
    grow(primary, range(20, 25), tmp_path / "tiles")
    assert copy.poll(tmp_path / "tiles").accepted == 26
    assert copy.poll(tmp_path / "forked").raised
    with served(copy.services) as live:
        status = live.client.get("/v1/status").json()
        assert status["alarm"]["kind"] == "inconsistent" and status["size"] == 26
        for path in ("/", "/explorer", "/parks"):
            page = live.client.get(path, headers={"accept": "text/html"}, params={"lang": "en"})
            assert 'class="alarm" id="follow-banner"' in page.text, path
            assert "ALARM" in page.text


def test_a_primary_says_it_is_one(ledger: Live) -> None:
    status = ledger.client.get("/v1/status").json()
    assert status == {"role": "primary", "size": 1, "checkpoint_size": 1}
    assert ledger.client.post("/v1/transactions", json={}).status_code != 405
