"""Where the vault lives: ``KRAI_VAULT_URL``, else ``<home>/vault.db``; its key in the keystore."""

from pathlib import Path

import pytest

from krai.config.settings import load_settings


def test_the_vault_defaults_to_a_file_in_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KRAI_VAULT_URL", raising=False)
    settings = load_settings(tmp_path)
    assert settings.vault_database_url == f"sqlite:///{(tmp_path / 'vault.db').resolve()}"
    assert settings.vault_database_url != settings.database_url
    assert settings.vault_key_file == tmp_path / "keys" / "vault-master.key"


def test_the_vault_url_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRAI_VAULT_URL", "postgresql+psycopg://vault@/pd")
    assert load_settings(tmp_path).vault_database_url == "postgresql+psycopg://vault@/pd"
