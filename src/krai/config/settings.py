"""Settings of a krai home: where things are and which database to use.

Precedence: explicit arguments, then ``KRAI_*`` environment variables, then
``<home>/krai.toml``, then defaults. The home defaults to ``./krai-home``.

A home is relocatable: the embedded default database (``<home>/krai.db``) and vault
(``<home>/vault.db``) are found from wherever the home is, and ``krai.toml`` names a database
only when the user chose one. A SQLite URL with a relative path in ``krai.toml``
(``sqlite:///ledger.db``) is relative to the home, not to the working directory, so
``cp -r`` of a home is an independent copy.

The witnesses that cosign the log's checkpoints are ``[[witnesses]]`` tables (``name``,
``url``, ``vkey``) and ``witness_quorum`` the number of them a checkpoint needs before it
is published (default: all of them); a file without them means no witnesses.
"""

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import rtoml

DEFAULT_HOME = Path("krai-home")
SETTINGS_FILE = "krai.toml"
SIMULATED_CLOCK = "simulated"


@dataclass(frozen=True)
class WitnessSettings:
    """A witness the log asks for cosignatures: its name, URL prefix and cosignature vkey."""

    name: str
    url: str
    vkey: str


@dataclass(frozen=True)
class Settings:
    """Where a ledger lives and how it is reached."""

    home: Path
    database_url: str
    origin: str
    vault_url: str | None = None
    """The personal-data vault's own database (``KRAI_VAULT_URL``); default ``<home>/vault.db``."""
    witnesses: tuple[WitnessSettings, ...] = ()
    """The witnesses that cosign checkpoints; none: checkpoints are published as signed."""
    witness_quorum: int | None = None
    """How many witnesses must cosign a checkpoint before it is published (default: all)."""
    simulated_time: bool = False
    """Built on simulated time (``clock = "simulated"``, as ``krai demo`` does): later writes
    keep the log's last time instead of stamping the real date into the simulated world."""
    follows: str | None = None
    """A follower's home (``krai follow``, ADR 0036): the primary log's tiles prefix. Its
    ledger is written only by the follower, so the API answers writes with 405."""
    log_vkey: str | None = None
    """A follower's home: the pinned verifier key of the log it follows (it holds no log
    signing key)."""
    mirrors: tuple[WitnessSettings, ...] = ()
    """The C2SP tlog-mirrors the log pushes its published checkpoints and entries to, and
    whose cosignatures it adds to them (ADR 0037): ``[[mirrors]]`` tables like witnesses'."""

    @property
    def quorum(self) -> int:
        """The cosignatures a published checkpoint needs: 0 without witnesses."""
        if not self.witnesses:
            return 0
        return self.witness_quorum or len(self.witnesses)

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
    document = _read_document(home / SETTINGS_FILE)
    stored = {key: str(value) for key, value in document.items() if isinstance(value, str)}
    stored_url = stored.get("database_url")
    url = (
        database_url
        or os.environ.get("KRAI_DATABASE_URL")
        or (stored_url and _relative_to_home(stored_url, home))
    )
    origin = os.environ.get("KRAI_ORIGIN") or stored.get("origin") or ""
    stored_vault_url = stored.get("vault_url")
    vault_url = os.environ.get("KRAI_VAULT_URL") or (
        stored_vault_url and _relative_to_home(stored_vault_url, home)
    )
    witnesses, quorum = _witnesses(document)
    mirrors = _tables(document, "mirrors")
    simulated = stored.get("clock") == SIMULATED_CLOCK
    return Settings(
        home,
        url or default_database_url(home),
        origin,
        vault_url,
        witnesses,
        quorum,
        simulated,
        stored.get("follows"),
        stored.get("log_vkey"),
        mirrors,
    )


def default_database_url(home: Path) -> str:
    """The embedded default: one SQLite file in the home."""
    return f"sqlite:///{(home / 'krai.db').resolve()}"


def write_settings(settings: Settings) -> None:
    """Store the home's settings file; the default database is not named, so the home moves."""
    text = f"origin = {_toml_value(settings.origin)}\n"
    if settings.database_url != default_database_url(settings.home):
        text += f"database_url = {_toml_value(settings.database_url)}\n"
    if settings.simulated_time:
        text += f"clock = {_toml_value(SIMULATED_CLOCK)}\n"
    for key, value in (("follows", settings.follows), ("log_vkey", settings.log_vkey)):
        if value is not None:
            text += f"{key} = {_toml_value(value)}\n"
    text += _witnesses_text(settings)
    (settings.home / SETTINGS_FILE).write_text(text, encoding="utf-8")


def write_witnesses(
    home: Path, witnesses: tuple[WitnessSettings, ...], quorum: int | None
) -> Settings:
    """Store the witnesses and quorum of ``home``, keeping every other stored setting."""
    return _rewrite(home, witnesses=witnesses, witness_quorum=quorum)


def write_mirrors(home: Path, mirrors: tuple[WitnessSettings, ...]) -> Settings:
    """Store the mirrors of ``home`` (ADR 0037), keeping every other stored setting."""
    return _rewrite(home, mirrors=mirrors)


def _rewrite(home: Path, **changes: Any) -> Settings:
    path = home / SETTINGS_FILE
    document = _read_document(path)
    kept = {
        key: value
        for key, value in document.items()
        if key != "witness_quorum" and isinstance(value, str | int)
    }
    text = "".join(f"{key} = {_toml_value(value)}\n" for key, value in kept.items())
    updated = replace(load_settings(home), **changes)
    path.write_text(text + _witnesses_text(updated), encoding="utf-8")
    return load_settings(home)


def _relative_to_home(url: str, home: Path) -> str:
    """A SQLite URL whose file path is relative, made absolute under ``home``."""
    prefix = "sqlite:///"
    path = url.removeprefix(prefix)
    if not url.startswith(prefix) or not path or path.startswith("/") or path == ":memory:":
        return url
    return prefix + str((home / path).resolve())


def _witnesses_text(settings: Settings) -> str:
    text = ""
    if settings.witness_quorum is not None:
        text += f"witness_quorum = {settings.witness_quorum}\n"
    return (
        text
        + _tables_text("witnesses", settings.witnesses)
        + _tables_text("mirrors", settings.mirrors)
    )


def _tables_text(table: str, cosigners: tuple[WitnessSettings, ...]) -> str:
    text = ""
    for cosigner in cosigners:
        text += f"\n[[{table}]]\n"
        text += "".join(
            f"{key} = {_toml_value(value)}\n"
            for key, value in (
                ("name", cosigner.name),
                ("url", cosigner.url),
                ("vkey", cosigner.vkey),
            )
        )
    return text


def _toml_value(value: str | int) -> str:
    """A TOML string or integer: JSON's ASCII string escapes are valid TOML basic strings."""
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=True)


def _witnesses(document: dict[str, Any]) -> tuple[tuple[WitnessSettings, ...], int | None]:
    witnesses = _tables(document, "witnesses")
    quorum = document.get("witness_quorum")
    return witnesses, quorum if isinstance(quorum, int) and not isinstance(quorum, bool) else None


def _tables(document: dict[str, Any], name: str) -> tuple[WitnessSettings, ...]:
    return tuple(
        WitnessSettings(str(table["name"]), str(table["url"]), str(table["vkey"]))
        for table in document.get(name, [])
        if isinstance(table, dict)
    )


def _read_document(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    document: dict[str, Any] = rtoml.loads(path.read_text(encoding="utf-8"))
    return document
