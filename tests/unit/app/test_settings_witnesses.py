"""A home's witnesses and quorum in krai.toml: absent means none, written without losing the
other settings, read back as written."""

from pathlib import Path

from krai.config.settings import (
    Settings,
    WitnessSettings,
    load_settings,
    write_settings,
    write_witnesses,
)

ALPHA = WitnessSettings("alpha", "http://127.0.0.1:8101", "w.example/a+01020304+BA==")
BETA = WitnessSettings("beta", 'https://w.example/b?q="x"', "w.example/b+01020304+BB==")


def test_a_home_without_witnesses_has_none_and_needs_no_cosignature(tmp_path: Path) -> None:
    write_settings(Settings(tmp_path, "sqlite:///x.db", "krai.example/log"))
    settings = load_settings(tmp_path)
    assert (settings.witnesses, settings.witness_quorum, settings.quorum) == ((), None, 0)


def test_witnesses_are_written_beside_the_other_settings(tmp_path: Path) -> None:
    path = tmp_path / "krai.toml"
    path.write_text(
        'origin = "krai.example/log"\ndatabase_url = "sqlite:///x.db"\n'
        'vault_url = "sqlite:///v.db"\n',
        encoding="utf-8",
    )
    settings = write_witnesses(tmp_path, (ALPHA, BETA), None)
    assert settings.witnesses == (ALPHA, BETA) and settings.quorum == 2  # all by default
    settings = write_witnesses(tmp_path, (ALPHA, BETA), 1)
    in_home = f"sqlite:///{tmp_path.resolve()}"  # relative SQLite paths are the home's
    assert (settings.quorum, settings.vault_url, settings.origin) == (
        1,
        f"{in_home}/v.db",
        "krai.example/log",
    )
    assert write_witnesses(tmp_path, (), None).witnesses == ()
    assert load_settings(tmp_path).database_url == f"{in_home}/x.db"
