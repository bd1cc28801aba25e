"""Settings of a krai home: where things are and which database to use.

Precedence: explicit arguments, then ``KRAI_*`` environment variables, then
``<home>/krai.toml``, then defaults. The home defaults to ``./krai-home``.
"""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("krai-home")
SETTINGS_FILE = "krai.toml"


@dataclass(frozen=True)
class Settings:
    """Where a ledger lives and how it is reached."""

    home: Path
    database_url: str
    origin: str
    vault_url: str | None = None
    """The personal-data vault's own database (``KRAI_VAULT_URL``); default ``<home>/vault.db``."""

    @property
    def vault_database_url(self) -> str:
        """The vault's SQLAlchemy URL: ``vault_url``, or SQLite ``<home>/vault.db``."""
        return self.vault_url or f"sqlite:///{(self.home / 'vault.db').resolve()}"

    @property
    def vault_key_file(self) -> Path:
        """The vault's master key, beside the signing keys and never in a database."""
        return self.keys_dir / "vault-master.key"

    @property
    def operator_token_file(self) -> Path:
        """The bearer token the HTTP API's vault routes require (created by ``krai serve``)."""
        return self.keys_dir / "api-operator.token"

    @property
    def keys_dir(self) -> Path:
        """The keystore directory."""
        return self.home / "keys"

    @property
    def genesis_file(self) -> Path:
        """The genesis document the ledger was founded with."""
        return self.home / "genesis.json"


def load_settings(home: Path | None = None, database_url: str | None = None) -> Settings:
    """Read settings for ``home`` (or ``KRAI_HOME``)."""
    home = home or Path(os.environ.get("KRAI_HOME", DEFAULT_HOME))
    stored = _read_file(home / SETTINGS_FILE)
    url = database_url or os.environ.get("KRAI_DATABASE_URL") or stored.get("database_url")
    origin = os.environ.get("KRAI_ORIGIN") or stored.get("origin") or ""
    vault_url = os.environ.get("KRAI_VAULT_URL") or stored.get("vault_url")
    return Settings(home, url or default_database_url(home), origin, vault_url)


def default_database_url(home: Path) -> str:
    """The embedded default: one SQLite file in the home."""
    return f"sqlite:///{(home / 'krai.db').resolve()}"


def write_settings(settings: Settings) -> None:
    """Store the home's settings file."""
    text = f'origin = "{settings.origin}"\ndatabase_url = "{settings.database_url}"\n'
    (settings.home / SETTINGS_FILE).write_text(text, encoding="utf-8")


def _read_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {key: str(value) for key, value in tomllib.load(handle).items()}
