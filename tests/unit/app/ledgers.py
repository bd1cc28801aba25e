"""A small ledger in memory, grown through the real sequencer, for the app-layer tests."""

from collections.abc import Callable

from krai.adapters.memory.storage import MemoryStorage
from krai.app.sequencer import Receipt, Sequencer
from krai.app.verify import VerifyReport, verify_ledger
from krai.bootstrap import new_engine
from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.log.note import NoteSigner
from krai.state.engine import Engine
from krai.tx.envelope import Transaction, sign

ORIGIN = "test.krai.example/tiles"
LOG_SIGNER = NoteSigner(ORIGIN, bytes([9]) * 32)
GOVERNOR = ("7734250208", "1027734003461", Ed25519PrivateKey(bytes([1]) * 32))


class Clock:
    """Five milliseconds a tick."""

    def __init__(self) -> None:
        self.now = 1_767_000_000_000

    def now_ms(self) -> int:
        self.now += 5
        return self.now


def anchor(number: int) -> Transaction:
    """A governor's notary anchor of document ``number``."""
    inn, _, key = GOVERNOR
    body = {"sha256": f"{number:064x}", "title": f"Document {number}", "kind": "report"}
    unsigned = Transaction(
        ORIGIN, "notary.anchor", 1, inn, key_id(key.public_key), f"a-{number}", body
    )
    return sign(unsigned, key)


def founded(workers: int | None = None) -> tuple[Sequencer, MemoryStorage]:
    """A network with its genesis (entry 0), in memory; ``workers`` as the sequencer takes."""
    storage = MemoryStorage()
    sequencer = Sequencer(
        storage, new_engine(), clock=Clock(), origin=ORIGIN, log_signer=LOG_SIGNER, workers=workers
    )
    inn, ogrn, key = GOVERNOR
    organisation = {
        "inn": inn,
        "ogrn": ogrn,
        "name": "Governor",
        "roles": ["governor"],
        "public_keys": [encode_public_key(key.public_key)],
    }
    sequencer.genesis({"origin": ORIGIN, "quorum": 1, "organisations": [organisation]})
    return sequencer, storage


def grow(sequencer: Sequencer, start: int, count: int, batch: int = 100) -> list[Receipt]:
    """Anchor documents ``start .. start + count - 1`` in batches; their receipts."""
    receipts: list[Receipt] = []
    for first in range(start, start + count, batch):
        last = min(start + count, first + batch)
        outcomes = sequencer.submit([anchor(n) for n in range(first, last)])
        assert all(isinstance(outcome, Receipt) for outcome in outcomes), outcomes
        receipts += [outcome for outcome in outcomes if isinstance(outcome, Receipt)]
    return receipts


def verified(storage: MemoryStorage, engine: Callable[[], Engine] = new_engine) -> VerifyReport:
    """``krai verify`` of the stored log: every entry, checkpoint and the replayed state."""
    size = storage.log_size()
    return verify_ledger(
        [e.data for e in storage.entries(0, size)],
        {c.size: c.note for c in storage.checkpoints(size + 1)},
        origin=ORIGIN,
        verifier=LOG_SIGNER.verifier,
        new_engine=engine,
        expected_state=storage.scan_bytes(""),
    )
