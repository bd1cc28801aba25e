"""A follower's home is made on first use with the log's pinned key, and refuses to become
what it is not: a home without a pinned key, a primary's home, or one that follows another
log (ADR 0036)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from krai.app.follow import Trust
from krai.bootstrap import FollowerHomeError, follower_settings, stored_trust
from krai.entrypoints.cli.main import app
from krai.log.cosigned import k_of_n_policy_text
from krai.log.note import NoteSigner, format_vkey

LOG = NoteSigner("krai.example/follow-home", bytes(range(32))).verifier
OTHER = NoteSigner("krai.example/follow-home", bytes(range(1, 33))).verifier
URL = "http://127.0.0.1:9/"


def test_a_new_home_pins_the_key_and_keeps_the_policy(tmp_path: Path) -> None:
    policy = k_of_n_policy_text(LOG, [], 0)
    settings = follower_settings(tmp_path / "f", None, URL, Trust(LOG), policy)
    assert (settings.follows, settings.log_vkey) == (URL, format_vkey(LOG))
    trust = stored_trust(settings)
    assert format_vkey(trust.verifier) == format_vkey(LOG)
    assert trust.policy is not None


def test_a_later_run_needs_no_key_and_records_a_new_address(tmp_path: Path) -> None:
    follower_settings(tmp_path / "f", None, URL, Trust(LOG), None)
    moved = follower_settings(tmp_path / "f", None, "http://127.0.0.1:10/", None, None)
    assert moved.follows == "http://127.0.0.1:10/"
    assert follower_settings(tmp_path / "f", None, URL, None, None).follows == URL


def test_a_new_home_without_a_pinned_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FollowerHomeError, match="pin the log's key"):
        follower_settings(tmp_path / "f", None, URL, None, None)
    assert not (tmp_path / "f").exists()


def test_a_home_following_another_key_is_refused(tmp_path: Path) -> None:
    follower_settings(tmp_path / "f", None, URL, Trust(LOG), None)
    with pytest.raises(FollowerHomeError, match="under another key"):
        follower_settings(tmp_path / "f", None, URL, Trust(OTHER), None)


def test_a_primarys_home_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "primary"
    assert CliRunner().invoke(app, ["init", "--home", str(home)]).exit_code == 0
    with pytest.raises(FollowerHomeError, match="home of a primary"):
        follower_settings(home, None, URL, Trust(LOG), None)
