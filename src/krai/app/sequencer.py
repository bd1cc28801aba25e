"""The sequencer: the one writer that orders, applies and durably appends transactions.

Admission (signature and key checks) of a batch runs in parallel threads — libsodium
releases the GIL — against the state committed before the batch. Then, in order and in one
thread, each transaction is validated and applied against the batch's overlay, appended to
the tree, and the whole batch (entries, tree nodes, state, events, one signed checkpoint)
is committed in one database transaction. Receipts are returned only after that commit.
"""

import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from krai.app.cached_state import CachedState
from krai.app.ports import Batch, Clock, Storage, StoredCheckpoint, StoredEntry
from krai.app.signatures import SignatureWorkers, check_of
from krai.crypto.keys import PublicKey
from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.log.hashing import leaf_hash
from krai.log.note import NoteSigner
from krai.log.tree import CompactRange
from krai.state.engine import Engine, check_signature
from krai.state.entry import Entry
from krai.state.store import Overlay
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError

PARALLEL_ADMISSION_MIN = 256
ADMISSION_CHUNK = 250


@dataclass(frozen=True)
class Receipt:
    """Proof of acceptance: where the transaction sits in the log and when."""

    tx_id: str
    index: int
    leaf_hash: str
    time_ms: int

    def to_json(self) -> dict[str, Any]:
        """The receipt as a JSON object."""
        return {
            "tx_id": self.tx_id,
            "index": self.index,
            "leaf_hash": self.leaf_hash,
            "time_ms": self.time_ms,
        }


Outcome = Receipt | RejectedError


class Sequencer:
    """Orders transactions into the log; the only writer of a ledger."""

    def __init__(
        self,
        storage: Storage,
        engine: Engine,
        *,
        clock: Clock,
        origin: str,
        log_signer: NoteSigner,
        workers: int = 1,
    ) -> None:
        self._storage = storage
        self._engine = engine
        self._clock = clock
        self._origin = origin
        self._log_signer = log_signer
        self._state = CachedState(storage)
        self._lock = threading.Lock()
        self._worker_count = workers
        self._workers: SignatureWorkers | None = None
        self._range = CompactRange.from_reader(storage, storage.log_size())
        self._last_time_ms = self._last_entry_time()

    @property
    def size(self) -> int:
        """Entries in the log."""
        return self._range.size

    def genesis(self, document: Mapping[str, Any]) -> Receipt:
        """Append the genesis document as entry 0."""
        with self._lock:
            if self._range.size:
                raise RejectedError(Code.CONFLICT, "the ledger already has its genesis")
            time_ms = self._next_time()
            entry = Entry(0, time_ms, genesis=dict(document))
            outcome = self._engine.execute(self._state, entry)
            stored = _stored(entry, None)
            self._commit([stored], dict(outcome.writes), [(0, outcome.events)], time_ms)
            return Receipt("genesis", 0, stored.leaf_hash.hex(), time_ms)

    def submit(self, transactions: Sequence[Transaction]) -> list[Outcome]:
        """Sequence a batch; each transaction gets a receipt or the reason it was refused."""
        with self._lock:
            admitted = self._admit_all(transactions)
            return self._sequence(transactions, admitted)

    def close(self) -> None:
        """Stop the signature workers, if any were started."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def _admit_all(self, transactions: Sequence[Transaction]) -> Iterator[RejectedError | None]:
        """Key and role checks in order against committed state; signatures on worker processes.

        Every chunk is sent to the workers as soon as its keys are known, so verification runs
        while later chunks are checked and earlier ones are sequenced.
        """
        self._state.prefetch(key for tx in transactions for key in self._engine.likely_reads(tx))
        keys = [self._preflight(tx) for tx in transactions]
        if len(transactions) < PARALLEL_ADMISSION_MIN or not self._worker_count:
            return iter(
                [_signature_refusal(tx, key) for tx, key in zip(transactions, keys, strict=True)]
            )
        workers = self._signature_workers()
        chunks = []
        for start in range(0, len(transactions), ADMISSION_CHUNK):
            pairs = list(
                zip(
                    transactions[start : start + ADMISSION_CHUNK],
                    keys[start : start + ADMISSION_CHUNK],
                    strict=True,
                )
            )
            checks = [check_of(tx, key) for tx, key in pairs if not isinstance(key, RejectedError)]
            chunks.append((pairs, workers.submit(checks)))
        return _refusals(chunks)

    def _signature_workers(self) -> SignatureWorkers:
        if self._workers is None:
            self._workers = SignatureWorkers(self._worker_count)
        return self._workers

    def _preflight(self, tx: Transaction) -> PublicKey | RejectedError:
        try:
            return self._engine.preflight(self._state, tx)
        except RejectedError as error:
            return error

    def _sequence(
        self, transactions: Sequence[Transaction], admitted: Iterator[RejectedError | None]
    ) -> list[Outcome]:
        overlay = Overlay(self._state)
        time_ms = self._next_time()
        outcomes: list[Outcome] = []
        entries: list[StoredEntry] = []
        events: list[tuple[int, tuple[dict[str, Any], ...]]] = []
        identity_changed = False
        for tx, early_refusal in zip(transactions, admitted, strict=True):
            index = self._range.size + len(entries)
            try:
                if early_refusal is not None:
                    # State may have changed earlier in this batch (a key added, a role granted).
                    self._engine.admit(overlay, tx)
                entry = Entry(index, time_ms, tx=tx)
                still_valid = early_refusal is None and not identity_changed
                outcome = self._engine.execute(overlay, entry, authorised=still_valid)
            except RejectedError as error:
                outcomes.append(error)
                continue
            identity_changed = identity_changed or self._engine.changes_authority(outcome.writes)
            overlay.absorb(outcome.writes)
            stored = _stored(entry, tx)
            entries.append(stored)
            events.append((index, outcome.events))
            outcomes.append(Receipt(tx.tx_id, index, stored.leaf_hash.hex(), time_ms))
        if entries:
            self._commit(entries, dict(overlay.writes), events, time_ms)
        return outcomes

    def _commit(
        self,
        entries: list[StoredEntry],
        writes: dict[str, bytes],
        events: list[tuple[int, tuple[dict[str, Any], ...]]],
        time_ms: int,
    ) -> None:
        tree = self._range.copy()
        nodes = [node for stored in entries for node in tree.append(stored.leaf_hash)]
        checkpoint = self._sign(tree.size, tree.root(), time_ms)
        batch = Batch(
            entries=entries,
            nodes=nodes,
            state_writes=writes,
            events=[(i, pos, ev) for i, evs in events for pos, ev in enumerate(evs)],
            checkpoint=checkpoint,
        )
        try:
            self._storage.append_batch(batch)
        except Exception:
            self._state.forget()
            raise
        self._range = tree
        self._state.committed(writes)
        self._last_time_ms = time_ms

    def _sign(self, size: int, root: bytes, time_ms: int) -> StoredCheckpoint:
        note = sign_checkpoint(Checkpoint(self._origin, size, root), self._log_signer)
        return StoredCheckpoint(size=size, root_hash=root, note=note, time_ms=time_ms)

    def _next_time(self) -> int:
        return max(self._clock.now_ms(), self._last_time_ms)

    def _last_entry_time(self) -> int:
        size = self._range.size
        last = self._storage.entry(size - 1) if size else None
        return last.time_ms if last else 0


def _signature_refusal(tx: Transaction, key: PublicKey | RejectedError) -> RejectedError | None:
    if isinstance(key, RejectedError):
        return key
    try:
        check_signature(tx, key)
    except RejectedError as error:
        return error
    return None


def _refusals(
    chunks: list[tuple[list[tuple[Transaction, PublicKey | RejectedError]], "Future[list[bool]]"]],
) -> Iterator[RejectedError | None]:
    for pairs, future in chunks:
        verdicts = iter(future.result())
        for tx, key in pairs:
            if isinstance(key, RejectedError):
                yield key
            elif not next(verdicts):
                yield RejectedError(
                    Code.BAD_SIGNATURE, f"signature does not verify with key {tx.key_id}"
                )
            else:
                yield None


def _stored(entry: Entry, tx: Transaction | None) -> StoredEntry:
    data = entry.encode()
    return StoredEntry(
        index=entry.index,
        data=data,
        leaf_hash=leaf_hash(data),
        tx_id=tx.tx_id if tx else None,
        signer=tx.signer if tx else None,
        tx_type=tx.type if tx else None,
        time_ms=entry.time_ms,
    )
