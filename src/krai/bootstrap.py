"""The one place that wires adapters and modules into the services the entrypoints use.

Edges (CLI, API, dashboard, witness server) reach adapters only through what this module
builds (ADR 0020): ``Services`` for a home, and the small factories below for what needs no
open ledger (a keystore, a vault, tile sources and sinks, a witness's directory).
"""

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from krai.adapters.clock import StoppedClock, SystemClock
from krai.adapters.sql.storage import SqlStorage, open_storage
from krai.app.ports import Clock, FollowerFiles, ScratchState, Storage, WitnessKeyError
from krai.config.settings import Settings, load_settings, write_settings
from krai.modules.release import MODULES

if TYPE_CHECKING:
    # What a command that only reads never needs is imported where it is first used, so that
    # such a command starts without the engine, the web client or SQLAlchemy (ADR 0031).
    from krai.adapters.keystore import KEY_TYPES, Keystore, StoredKey
    from krai.adapters.vault.store import SqlVault
    from krai.adapters.witness.store import SqlWitnessStore
    from krai.adapters.witness_client import HttpWitnessClient
    from krai.app.follow import Trust
    from krai.app.mirror_inbox import MirrorInbox
    from krai.app.mirror_push import Mirror, MirrorClient
    from krai.app.publication import Publication
    from krai.app.remote_verify import TileSource
    from krai.app.sequencer import Sequencer
    from krai.app.tiles_mirror import TileSink
    from krai.app.vault import Vault
    from krai.app.witness import WitnessService
    from krai.app.witnesses import CosignedStore, Witness, WitnessClient
    from krai.log.note import CosignatureSigner, NoteSigner, NoteVerifier
    from krai.state.engine import Engine

LOG_KEY_NAME = "log"
__all__ = ["KEY_TYPES", "Keystore", "Services", "StoredKey"]
KEYSTORE_NAMES = ("KEY_TYPES", "Keystore", "StoredKey")


def __getattr__(name: str) -> object:
    """The keystore's names, for edges, imported on first use: reading needs no keys."""
    if name in KEYSTORE_NAMES:
        from krai.adapters import keystore  # noqa: PLC0415 - on demand

        return getattr(keystore, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def new_engine() -> "Engine":
    """A state engine with every module of this release."""
    from krai.modules.identity.queries import IdentityAuthority  # noqa: PLC0415 - on demand
    from krai.state.engine import Engine  # noqa: PLC0415

    return Engine([module.state_machine() for module in MODULES], IdentityAuthority())


def replay_engine() -> "Engine":
    """``new_engine`` for a replay: the modules that apply the genesis are built now, every
    other one when the log first names one of its types or kinds of reference (ADR 0043)."""
    from krai.modules.identity.queries import IdentityAuthority  # noqa: PLC0415 - on demand
    from krai.state.engine import Engine  # noqa: PLC0415

    eager = [module.state_machine() for module in MODULES if module.genesis]
    pending = {module.name: module.state_machine for module in MODULES if not module.genesis}
    return Engine(eager, IdentityAuthority(), pending)


def log_signer(key: "StoredKey", origin: str) -> "NoteSigner":
    """The checkpoint signer: the log's key under the name of its origin (C2SP)."""
    from krai.log.note import NoteSigner  # noqa: PLC0415 - on demand

    return NoteSigner(origin, key.private_key.seed)


@dataclass
class Services:
    """Everything a command or request needs, built once and released by ``close``."""

    settings: Settings
    storage: Storage
    clock: Clock
    stamps: Clock
    """The sequencer's clock, which stamps entries."""
    _vault: "SqlVault | None" = field(default=None, init=False, repr=False)
    _witness_client: "HttpWitnessClient | None" = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def origin(self) -> str:
        """The log's origin line."""
        return self.settings.origin

    @cached_property
    def keystore(self) -> "Keystore":
        """The home's keystore, opened on first use (reads need no keys)."""
        return open_keystore(self.settings)

    @cached_property
    def engine(self) -> "Engine":
        """The state engine of every module, built on first use (reads need none)."""
        return new_engine()

    @cached_property
    def sequencer(self) -> "Sequencer":
        """The ledger's one writer, built on first use: a command that only reads opens none."""
        from krai.app.sequencer import Sequencer  # noqa: PLC0415 - on demand

        signer = log_signer(self.keystore.load(LOG_KEY_NAME), self.origin)
        return Sequencer(
            self.storage, self.engine, clock=self.stamps, origin=self.origin, log_signer=signer
        )

    @cached_property
    def cosigned(self) -> "CosignedStore | None":
        """The store of cosigned notes, in the ledger's SQL database (None off SQL storage)."""
        from krai.adapters.sql.cosigned import SqlCosignedStore  # noqa: PLC0415 - on demand

        return SqlCosignedStore(self.storage) if isinstance(self.storage, SqlStorage) else None

    @cached_property
    def mirror_inbox(self) -> "MirrorInbox | None":
        """A mirror's push API (``add-checkpoint``, ``add-entries``, ADR 0037): on a
        follower's home that holds a mirror key, else None."""
        signer = mirror_key(self.settings) if self.settings.follows is not None else None
        if signer is None or self.cosigned is None:
            return None
        from krai.app.follow import Follower  # noqa: PLC0415 - on demand
        from krai.app.follow_mirror import MirrorCosigner  # noqa: PLC0415
        from krai.app.mirror_inbox import MirrorInbox  # noqa: PLC0415
        from krai.app.signatures import default_workers  # noqa: PLC0415

        assert self.settings.follows is not None
        trust, files = stored_trust(self.settings), follower_files(self.settings)
        follower = Follower(
            self.storage,
            new_engine(),
            source=tile_source(self.settings.follows),
            trust=trust,
            files=files,
            clock=self.clock,
            workers=default_workers(),
            mirror=MirrorCosigner(signer, self.cosigned, self.clock),
        )
        return MirrorInbox(
            follower,
            storage=self.storage,
            files=files,
            trust=trust,
            signer=signer,
            cosigned=self.cosigned,
            lock=self.storage.sequencing,
        )

    @cached_property
    def log_verifier(self) -> "NoteVerifier":
        """The verifier of this log's checkpoints (a follower's home pins it, ADR 0036)."""
        if self.settings.log_vkey is not None:
            from krai.log.note import parse_vkey  # noqa: PLC0415 - on demand

            return parse_vkey(self.settings.log_vkey)
        return log_signer(self.keystore.load(LOG_KEY_NAME), self.origin).verifier

    @cached_property
    def publication(self) -> "Publication":
        """The log with its key, witnesses and quorum: what decides the published checkpoint
        (built once: the settings and the log's key do not change while the services live)."""
        from krai.app.publication import Publication  # noqa: PLC0415 - on demand

        return Publication(
            self.origin,
            self.storage,
            self.log_verifier,
            configured_witnesses(self.settings),
            self.settings.quorum,
            self.cosigned,
        )

    @property
    def mirror_client(self) -> "MirrorClient":
        """The client that pushes to mirrors (the witnesses' connection pool)."""
        self.witness_client  # noqa: B018 - opens it
        assert self._witness_client is not None
        return self._witness_client

    @property
    def witness_client(self) -> "WitnessClient":
        """The client that asks witnesses to cosign, opened on first use."""
        with self._lock:
            if self._witness_client is None:
                from krai.adapters.witness_client import HttpWitnessClient  # noqa: PLC0415

                self._witness_client = HttpWitnessClient()
            return self._witness_client

    def vault(self, *, create: bool = False) -> "Vault":
        """The personal-data vault, opened (and migrated) on first use, then kept open; with
        ``create``, a vault that holds no keys yet gets a new master key file, else it is a
        ``VaultError`` (and the next call tries again)."""
        with self._lock:
            if self._vault is None:
                self._vault = open_home_vault(self.settings, create=create)
            return self._vault

    def operator_token(self) -> str:
        """The operator's bearer token, read now (``OperatorTokenError`` if unusable)."""
        from krai.adapters.operator_token import load_operator_token  # noqa: PLC0415

        return load_operator_token(self.settings.operator_token_file)

    def ensure_operator_token(self) -> bool:
        """Create the operator's token file if there is none; True when created now."""
        from krai.adapters.operator_token import ensure_operator_token  # noqa: PLC0415

        return ensure_operator_token(self.settings.operator_token_file)

    def close(self) -> None:
        """Stop threads and release connections."""
        if "sequencer" in self.__dict__:
            self.sequencer.close()
        with self._lock:
            if self._vault is not None:
                self._vault.close()
            if self._witness_client is not None:
                self._witness_client.close()
            self._vault = self._witness_client = None
        self.storage.close()


def build(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the ledger described by ``settings``; its sequencer reads ``clock`` (default: the
    system's, or for a home built on simulated time the stopped clock — a simulation, such as
    the demo's world, passes its own). ``Services.clock`` times what happens outside the log
    (witness cosignatures): the given clock, else the system's."""
    storage = open_storage(settings.database_url)
    stamps = clock or (StoppedClock() if settings.simulated_time else SystemClock())
    return Services(settings, storage, clock or SystemClock(), stamps)


def configured_mirrors(settings: Settings) -> list["Mirror"]:
    """The mirrors of the home's settings, their keys parsed (ADR 0037)."""
    from krai.app.mirror_push import Mirror  # noqa: PLC0415 - on demand
    from krai.log.note import parse_cosignature_vkey  # noqa: PLC0415

    return [Mirror(m.name, m.url, parse_cosignature_vkey(m.vkey)) for m in settings.mirrors]


@contextmanager
def mirroring(services: Services, interval_s: float = 0.5) -> Iterator[bool]:
    """Push each published checkpoint and its entries to the home's mirrors in the
    background while the block runs, gathering their cosignatures; yields whether it does."""
    mirrors = configured_mirrors(services.settings)
    if not mirrors or services.cosigned is None:
        yield False
        return
    from krai.app.mirror_push import MirrorPusher, MirrorThread  # noqa: PLC0415 - on demand
    from krai.app.publication import published_size_and_note  # noqa: PLC0415

    log = services.publication
    pusher = MirrorPusher(
        services.storage,
        store=services.cosigned,
        client=services.mirror_client,
        mirrors=mirrors,
        clock=services.clock,
        published=lambda: published_size_and_note(log),
        files=follower_files(services.settings),
    )
    thread = MirrorThread(pusher, interval_s)
    thread.start()
    try:
        yield True
    finally:
        thread.stop()


def configured_witnesses(settings: Settings) -> list["Witness"]:
    """The witnesses of the home's settings, their keys parsed."""
    from krai.app.witnesses import Witness  # noqa: PLC0415 - on demand
    from krai.log.note import parse_cosignature_vkey  # noqa: PLC0415

    return [Witness(w.name, w.url, parse_cosignature_vkey(w.vkey)) for w in settings.witnesses]


def open_keystore(settings: Settings) -> "Keystore":
    """The home's keystore (``krai keys`` needs no network: it runs before ``krai init``)."""
    from krai.adapters.keystore import Keystore  # noqa: PLC0415 - on demand

    return Keystore(settings.keys_dir)


def open_home_vault(settings: Settings, *, create: bool = False) -> "SqlVault":
    """The home's vault, opened and migrated; the caller closes it."""
    from krai.adapters.vault.store import open_vault  # noqa: PLC0415 - on demand

    return open_vault(settings.vault_database_url, settings.vault_key_file, create=create)


@contextmanager
def home_vault(settings: Settings, *, create: bool = False) -> Iterator["Vault"]:
    """The home's vault while the block runs, for a command that opens no ledger."""
    vault = open_home_vault(settings, create=create)
    try:
        yield vault
    finally:
        vault.close()


def tile_source(location: str) -> "TileSource":
    """A reader of a log's tiles: an http(s) URL prefix, a file:// URL or a directory."""
    from krai.adapters.tiles_client import open_tile_source  # noqa: PLC0415 - on demand

    return open_tile_source(location)


def scratch_state() -> ScratchState:
    """A temporary database for a replay's state, gone when closed (``krai verify``)."""
    from krai.adapters.sql.scratch import SqliteScratchState  # noqa: PLC0415 - on demand

    return SqliteScratchState()


def tile_sink(directory: Path) -> "TileSink":
    """A writer of a static tiles mirror into ``directory`` (created if missing)."""
    from krai.adapters.static_tiles import DirectoryTileSink  # noqa: PLC0415 - on demand

    return DirectoryTileSink(directory)


def follower_files(settings: Settings) -> "FollowerFiles":
    """A follower's own files in its home: status, pending checkpoint, alarms (ADR 0036)."""
    from krai.adapters.follower_files import DirectoryFollowerFiles  # noqa: PLC0415 - on demand

    return DirectoryFollowerFiles(settings.home)


FOLLOWER_POLICY_FILE = "follow/policy"


class FollowerHomeError(ValueError):
    """A follower's home cannot be opened as asked (another log's, a primary's, no key)."""


def follower_settings(
    home: Path | None, database: str | None, url: str, trust: "Trust | None", policy: str | None
) -> Settings:
    """The settings of a follower's home, which is created on first use with the log's pinned
    key (``trust``, required then) and records the address it was last given; ``policy`` (a
    tlog-policy's text) is kept for later runs. A primary's home, or one following a log under
    another key, is a ``FollowerHomeError`` (ADR 0036)."""
    from krai.log.note import format_vkey  # noqa: PLC0415 - on demand

    settings = load_settings(home, database)
    if settings.follows is None and not (settings.home / "krai.toml").exists():
        if trust is None:
            raise FollowerHomeError("pin the log's key: give --vkey or --policy")
        settings = Settings(
            settings.home,
            settings.database_url,
            trust.verifier.name,
            follows=url,
            log_vkey=format_vkey(trust.verifier),
        )
        settings.home.mkdir(parents=True, exist_ok=True)
        write_settings(settings)
    if settings.follows is None or settings.log_vkey is None:
        raise FollowerHomeError(f"{settings.home} is the home of a primary, not a follower's")
    if trust is not None and format_vkey(trust.verifier) != settings.log_vkey:
        raise FollowerHomeError(
            f"{settings.home} follows a log under another key: {settings.log_vkey}"
        )
    if settings.follows != url:  # the log now read from another address (a mirror, a CDN)
        settings = replace(settings, follows=url)
        write_settings(settings)
    if policy is not None:
        target = settings.home / FOLLOWER_POLICY_FILE  # kept: later runs accept under it too
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(policy, encoding="utf-8")
    return settings


def stored_trust(settings: Settings) -> "Trust":
    """What a follower's home accepts: its pinned key and the policy kept in it, if any
    (``PolicyError`` if that file is no longer a policy)."""
    from krai.app.follow import Trust  # noqa: PLC0415 - on demand
    from krai.log.note import parse_vkey  # noqa: PLC0415
    from krai.log.policy import parse_policy  # noqa: PLC0415

    assert settings.log_vkey is not None, "a follower's settings pin the log's key"
    policy_file = settings.home / FOLLOWER_POLICY_FILE
    policy = parse_policy(policy_file.read_text("utf-8")) if policy_file.exists() else None
    return Trust(parse_vkey(settings.log_vkey), policy)


MIRROR_KEY_DIRECTORY = "mirror"


def mirror_key(settings: Settings, create_as: str | None = None) -> "CosignatureSigner | None":
    """A follower's mirror cosigning key, ``<home>/mirror/witness-key.json`` (0600, in a
    witness's key format): created under ``create_as`` if there is none; None if there is
    none and no name is given. ``WitnessKeyError`` if it is bad, or if ``create_as`` names
    another key than the one there."""
    from krai.adapters.witness import keys  # noqa: PLC0415 - on demand

    directory = settings.home / MIRROR_KEY_DIRECTORY
    if not (directory / keys.KEY_FILE).exists():
        return None if create_as is None else keys.create_witness_key(directory, create_as)
    signer = keys.load_witness_key(directory)
    if create_as is not None and create_as != signer.name:
        raise WitnessKeyError(f"{directory} holds the mirror key {signer.name}, not {create_as}")
    return signer


def write_genesis(settings: Settings, document: Mapping[str, object]) -> None:
    """Store the genesis document in the home, as ``krai init`` does (a follower copies its
    log's entry 0 there, so that the home opens as any other)."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    settings.genesis_file.write_text(text, "utf-8")


def read_genesis(settings: Settings) -> dict[str, object]:
    """The genesis document stored in the home."""
    document: dict[str, object] = json.loads(settings.genesis_file.read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class Founder:
    """The governing organisation that founds a network."""

    inn: str
    ogrn: str
    name: str
    key_name: str = "operator"


def found_network(
    settings: Settings,
    founder: Founder,
    clock: Clock | None = None,
    seeds: tuple[bytes, bytes] | None = None,
) -> Services:
    """Create a new home: keys, settings, genesis document and entry 0.

    The genesis is checked against a scratch state first, so bad input writes nothing.
    ``seeds`` (the operator's and the log's key seeds) make a reproducible network, such as
    the demo's; by default both keys are random.
    """
    if settings.genesis_file.exists():
        raise FileExistsError(f"{settings.home} already holds a network")
    import secrets  # noqa: PLC0415 - on demand

    operator_seed, log_seed = seeds or (secrets.token_bytes(32), secrets.token_bytes(32))
    from krai.adapters.keystore import StoredKey  # noqa: PLC0415 - on demand
    from krai.crypto.keys import Ed25519PrivateKey  # noqa: PLC0415

    operator = StoredKey(founder.key_name, founder.inn, Ed25519PrivateKey(operator_seed))
    genesis = genesis_document(settings.origin, founder, operator)
    from krai.state.entry import Entry  # noqa: PLC0415 - on demand
    from krai.state.store import MemoryState  # noqa: PLC0415

    new_engine().execute(MemoryState(), Entry(0, 0, genesis=genesis))
    settings.home.mkdir(parents=True, exist_ok=True)
    keystore = open_keystore(settings)
    keystore.store(LOG_KEY_NAME, None, log_seed)
    keystore.store(founder.key_name, founder.inn, operator_seed)
    settings.genesis_file.write_text(json.dumps(genesis, ensure_ascii=False, indent=2), "utf-8")
    write_settings(settings)
    services = build(settings, clock)
    services.sequencer.genesis(genesis)
    return services


def genesis_document(origin: str, founder: Founder, key: "StoredKey") -> dict[str, object]:
    """A genesis with one governing organisation and a quorum of one."""
    return {
        "origin": origin,
        "quorum": 1,
        "organisations": [
            {
                "inn": founder.inn,
                "ogrn": founder.ogrn,
                "name": founder.name,
                "roles": ["governor", "treasury", "auditor"],
                "public_keys": [key.public_key_text],
            }
        ],
    }


WITNESS_DATABASE_FILE = "witness.db"


@dataclass
class WitnessHome:
    """An opened witness directory: its cosigning service and its store."""

    directory: Path
    service: "WitnessService"
    store: "SqlWitnessStore"


def witness_database_url(directory: Path) -> str:
    """The witness's SQLite database in its directory."""
    return f"sqlite:///{(directory / WITNESS_DATABASE_FILE).resolve()}"


def create_witness(directory: Path, name: str) -> "CosignatureSigner":
    """Create a witness in ``directory``: its cosigning key (0600, never overwritten:
    ``WitnessKeyError``) and its database."""
    from krai.adapters.witness.keys import create_witness_key  # noqa: PLC0415 - on demand
    from krai.adapters.witness.store import open_witness_store  # noqa: PLC0415

    signer = create_witness_key(directory, name)
    open_witness_store(witness_database_url(directory)).close()
    return signer


def witness_key(directory: Path) -> "CosignatureSigner":
    """The witness's cosigning key (``WitnessKeyError`` if there is none or it is bad)."""
    from krai.adapters.witness.keys import load_witness_key  # noqa: PLC0415 - on demand

    return load_witness_key(directory)


@contextmanager
def open_witness(directory: Path, clock: Clock | None = None) -> Iterator[WitnessHome]:
    """The witness of ``directory`` (its key and database) while the block runs."""
    from krai.adapters.witness.keys import load_witness_key  # noqa: PLC0415 - on demand
    from krai.adapters.witness.store import open_witness_store  # noqa: PLC0415
    from krai.app.witness import WitnessService  # noqa: PLC0415

    cosigner = load_witness_key(directory)
    store = open_witness_store(witness_database_url(directory))
    try:
        service = WitnessService(store, cosigner, clock or SystemClock())
        yield WitnessHome(directory, service, store)
    finally:
        store.close()
