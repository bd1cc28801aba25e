"""The one place that wires adapters and modules into the services the entrypoints use."""

import json
import secrets
from dataclasses import dataclass

from krai.adapters.clock import SystemClock
from krai.adapters.keystore import Keystore, StoredKey
from krai.adapters.sql.storage import open_storage
from krai.app.ports import Clock, Storage
from krai.app.sequencer import Sequencer
from krai.config.settings import Settings, write_settings
from krai.crypto.keys import Ed25519PrivateKey
from krai.log.note import NoteSigner, NoteVerifier
from krai.modules.accounts import AccountsModule
from krai.modules.energy import EnergyModule
from krai.modules.identity import IdentityModule
from krai.modules.identity.queries import IdentityAuthority
from krai.modules.notary import NotaryModule
from krai.modules.parks import ParksModule
from krai.modules.payments import PaymentsModule
from krai.state.engine import Engine
from krai.state.entry import Entry
from krai.state.store import MemoryState

LOG_KEY_NAME = "log"


def new_engine() -> Engine:
    """A state engine with every module of this release."""
    return Engine(
        [
            IdentityModule(),
            AccountsModule(),
            NotaryModule(),
            ParksModule(),
            EnergyModule(),
            PaymentsModule(),
        ],
        IdentityAuthority(),
    )


def log_signer(key: StoredKey, origin: str) -> NoteSigner:
    """The checkpoint signer: the log's key under the name of its origin (C2SP)."""
    return NoteSigner(origin, key.private_key.seed)


@dataclass
class Services:
    """Everything a command or request needs, built once."""

    settings: Settings
    storage: Storage
    keystore: Keystore
    engine: Engine
    sequencer: Sequencer

    @property
    def origin(self) -> str:
        """The log's origin line."""
        return self.settings.origin

    @property
    def log_verifier(self) -> NoteVerifier:
        """The verifier of this log's checkpoints."""
        return log_signer(self.keystore.load(LOG_KEY_NAME), self.origin).verifier

    def close(self) -> None:
        """Stop threads and release connections."""
        self.sequencer.close()
        self.storage.close()


def build(settings: Settings, clock: Clock | None = None) -> Services:
    """Open the ledger described by ``settings``; its sequencer reads ``clock`` (default: the
    system's — a simulation, such as the demo's world, passes its own)."""
    storage = open_storage(settings.database_url)
    keystore = Keystore(settings.keys_dir)
    engine = new_engine()
    signer = log_signer(keystore.load(LOG_KEY_NAME), settings.origin)
    sequencer = Sequencer(
        storage, engine, clock=clock or SystemClock(), origin=settings.origin, log_signer=signer
    )
    return Services(settings, storage, keystore, engine, sequencer)


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
    operator_seed, log_seed = seeds or (secrets.token_bytes(32), secrets.token_bytes(32))
    operator = StoredKey(founder.key_name, founder.inn, Ed25519PrivateKey(operator_seed))
    genesis = genesis_document(settings.origin, founder, operator)
    new_engine().execute(MemoryState(), Entry(0, 0, genesis=genesis))
    settings.home.mkdir(parents=True, exist_ok=True)
    keystore = Keystore(settings.keys_dir)
    keystore.store(LOG_KEY_NAME, None, log_seed)
    keystore.store(founder.key_name, founder.inn, operator_seed)
    settings.genesis_file.write_text(json.dumps(genesis, ensure_ascii=False, indent=2), "utf-8")
    write_settings(settings)
    services = build(settings, clock)
    services.sequencer.genesis(genesis)
    return services


def genesis_document(origin: str, founder: Founder, key: StoredKey) -> dict[str, object]:
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
