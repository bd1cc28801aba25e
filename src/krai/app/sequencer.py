"""The sequencer: the one writer that orders, applies and durably appends transactions.

One at a time across processes too: each batch is sequenced while the storage's sequencing
lock is held (a PostgreSQL advisory lock, or a file lock beside a SQLite database), after
catching up with whatever another process appended, so several API workers — or a CLI beside
a server — share one log, and a process that dies releases the lock to the others.

Admission of a batch checks type, network, key and role in order against the state
committed before the batch, and sends the signatures to worker processes. While they verify,
the writer applies the batch in order against an overlay as if every signature were good
(ADR 0009), and writes its entries, tree nodes, state and events into one open database
transaction. Only when every verdict is in, and all are good, is the batch's checkpoint
signed and the transaction committed; if a signature fails, the work is thrown away and the
batch is applied again knowing it. Receipts are returned only after the commit.
"""

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from krai.app.cached_state import CachedState
from krai.app.ports import Batch, Clock, Storage, StoredCheckpoint, StoredEntry
from krai.app.signatures import (
    PendingVerdicts,
    Refusal,
    SignatureWorkerError,
    SignatureWorkers,
    Verdicts,
    check_of,
    default_workers,
)
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
DISPATCH_CHUNK = 64
"""Transactions admitted before their signatures are sent to the workers."""


class Receipt(NamedTuple):
    """Proof of acceptance: where the transaction sits in the log and when.

    A named tuple, as the other records made once per transaction on the writer's path
    (``Entry``, ``StoredEntry``, ``Outcome``): as immutable as a frozen dataclass, and built
    in a quarter of the time (ADR 0014).
    """

    tx_id: str
    index: int  # type: ignore[assignment]  # shadows tuple.index(), which nothing calls
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


class SignatureGuessError(Exception):
    """A signature assumed good while the batch was applied did not verify."""


@dataclass
class _Applied:
    """A batch applied against the overlay: what to store and what to answer."""

    time_ms: int
    outcomes: list[Outcome] = field(default_factory=list)
    entries: list[StoredEntry] = field(default_factory=list)
    writes: dict[str, bytes] = field(default_factory=dict)
    events: list[tuple[int, int, Mapping[str, Any]]] = field(default_factory=list)


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
        workers: int | None = None,
    ) -> None:
        self._storage = storage
        self._engine = engine
        self._clock = clock
        self._origin = origin
        self._log_signer = log_signer
        self._state = CachedState(storage)
        self._lock = threading.Lock()
        self._worker_count = default_workers() if workers is None else workers
        self._workers: SignatureWorkers | None = None
        self._range = CompactRange.from_reader(storage, storage.log_size())
        self._last_time_ms = self._last_entry_time()

    @property
    def size(self) -> int:
        """Entries in the log."""
        return self._range.size

    def genesis(self, document: Mapping[str, Any]) -> Receipt:
        """Append the genesis document as entry 0."""
        with self._lock, self._storage.sequencing():
            self._catch_up()
            if self._range.size:
                raise RejectedError(Code.CONFLICT, "the ledger already has its genesis")
            applied = _Applied(self._next_time())
            entry = Entry(0, applied.time_ms, genesis=dict(document))
            outcome = self._engine.execute(self._state, entry)
            stored = stored_entry(entry, None, entry.committable_bytes())
            applied.entries.append(stored)
            applied.writes.update(outcome.writes)
            applied.events.extend((0, pos, event) for pos, event in enumerate(outcome.events))
            self._commit(applied)
            return Receipt("genesis", 0, stored.leaf_hash.hex(), applied.time_ms)

    def submit(
        self,
        transactions: Sequence[Transaction],
        verified: Sequence[PublicKey | None] | None = None,
    ) -> list[Outcome]:
        """Sequence a batch; each transaction gets a receipt or the reason it was refused.

        ``verified``: for each transaction, the key an API worker verified its signature with
        (ADR 0028), or None; a signature counts as verified only if that is the very key
        found now for its signer and key id, and is verified here otherwise.
        """
        with self._lock, self._storage.sequencing():
            self._catch_up()
            try:
                return self._sequence(transactions, verified)
            except SignatureWorkerError:
                self.close()  # the next batch starts new workers
                raise

    def _catch_up(self) -> None:
        """After another process appended (several API workers on one database, or a CLI
        beside the server), start from the log as stored: its tree, time and state."""
        size = self._storage.log_size()
        if size != self._range.size:
            self._range = CompactRange.from_reader(self._storage, size)
            self._state.forget()
            self._last_time_ms = self._last_entry_time()

    def _sequence(
        self, transactions: Sequence[Transaction], verified: Sequence[PublicKey | None] | None
    ) -> list[Outcome]:
        if verified is None:
            verdicts = self._admit_all(transactions)
        else:
            verdicts = self._admit_verified(transactions, verified)
        time_ms = self._next_time()
        applied = self._apply(transactions, verdicts.assumed(), time_ms)
        if not verdicts.settled:
            try:
                self._commit(applied, confirm=lambda: _confirm(verdicts))
            except SignatureGuessError:
                applied = self._apply(transactions, verdicts.final(), time_ms)
            else:
                return applied.outcomes
        self._commit(applied)
        return applied.outcomes

    def close(self) -> None:
        """Stop the signature workers, if any were started."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def _admit_all(self, transactions: Sequence[Transaction]) -> Verdicts:
        """Key and role checks in order against committed state; signatures on worker processes.

        A large batch is admitted in chunks, and each chunk's signatures go to the workers as
        soon as its keys are known, so they verify while the rest is admitted and the batch
        applied.
        """
        if len(transactions) < PARALLEL_ADMISSION_MIN or not self._worker_count:
            keys = self._preflight_all(transactions)
            inline = [
                _signature_refusal(tx, key) for tx, key in zip(transactions, keys, strict=True)
            ]
            return Verdicts(inline, transactions)
        refusals: list[Refusal] = []
        positions: list[int] = []
        pending: list[PendingVerdicts] = []
        for start in range(0, len(transactions), DISPATCH_CHUNK):
            chunk = transactions[start : start + DISPATCH_CHUNK]
            checks = []
            for offset, key in enumerate(self._preflight_all(chunk)):
                refusals.append(key if isinstance(key, RejectedError) else None)
                if not isinstance(key, RejectedError):
                    positions.append(start + offset)
                    checks.append(check_of(chunk[offset], key))
            if checks:
                pending.append(self._signature_workers().submit(checks))
        if not positions:
            return Verdicts(refusals, transactions)
        return Verdicts(refusals, transactions, (positions, PendingVerdicts.joined(pending)))

    def _admit_verified(
        self, transactions: Sequence[Transaction], verified: Sequence[PublicKey | None]
    ) -> Verdicts:
        """Key and role checks in order against committed state; a signature verified by an
        API worker with the key found now is not verified again, any other is, here."""
        keys = self._preflight_all(transactions)
        refusals = [
            None if key == known else _signature_refusal(tx, key)
            for tx, key, known in zip(transactions, keys, verified, strict=True)
        ]
        return Verdicts(refusals, transactions)

    def _preflight_all(self, batch: Sequence[Transaction]) -> list[PublicKey | RejectedError]:
        """Each transaction's signing key, or its refusal, after one read of what they need.

        The answer depends only on committed state and on the network, signer, key, type and
        version, so it is found once for each such combination in the chunk: a few
        organisations sign most transactions.
        """
        self._state.prefetch(key for tx in batch for key in self._engine.likely_reads(tx))
        answers: dict[tuple[str, str, str, str, int], PublicKey | RejectedError] = {}
        keys = []
        for tx in batch:
            asked = (tx.network, tx.signer, tx.key_id, tx.type, tx.version)
            answer = answers.get(asked)
            if answer is None:
                answer = answers[asked] = self._preflight(tx)
            keys.append(answer)
        return keys

    def _signature_workers(self) -> SignatureWorkers:
        if self._workers is None:
            self._workers = SignatureWorkers(self._worker_count)
        return self._workers

    def _preflight(self, tx: Transaction) -> PublicKey | RejectedError:
        try:
            return self._engine.preflight(self._state, tx)
        except RejectedError as error:
            return error

    def _apply(
        self, transactions: Sequence[Transaction], refusals: Sequence[Refusal], time_ms: int
    ) -> _Applied:
        """Validate and apply each transaction in order against an overlay of the state."""
        overlay = Overlay(self._state)
        applied = _Applied(time_ms)
        identity_changed = False
        for tx, early_refusal in zip(transactions, refusals, strict=True):
            index = self._range.size + len(applied.entries)
            try:
                if early_refusal is not None:
                    # State may have changed earlier in this batch (a key added, a role granted).
                    self._engine.admit(overlay, tx)
                entry = Entry(index, time_ms, tx=tx)
                data = entry.committable_bytes()
                still_valid = early_refusal is None and not identity_changed
                outcome = self._engine.apply_to(overlay, entry, authorised=still_valid)
            except RejectedError as error:
                applied.outcomes.append(error)
                continue
            identity_changed = identity_changed or self._engine.changes_authority(outcome.writes)
            stored = stored_entry(entry, tx, data)
            applied.entries.append(stored)
            if outcome.events:
                applied.events += [(index, pos, event) for pos, event in enumerate(outcome.events)]
            applied.outcomes.append(Receipt(tx.tx_id, index, stored.leaf_hash.hex(), time_ms))
        applied.writes = dict(overlay.writes)
        return applied

    def _commit(self, applied: _Applied, confirm: Callable[[], None] | None = None) -> None:
        """Store the applied batch with its signed checkpoint, once ``confirm`` has passed."""
        if not applied.entries:
            if confirm is not None:
                confirm()
            return
        tree = self._range.copy()
        nodes = [node for stored in applied.entries for node in tree.append(stored.leaf_hash)]

        def seal() -> StoredCheckpoint:
            # The batch is written by now, the last verdicts may still be coming: the cache
            # takes its writes here, not after the commit, and forgets everything if the
            # batch is not committed after all (a bad signature, a failed commit).
            self._state.committed(applied.writes)
            if confirm is not None:
                confirm()
            return self._sign(tree.size, tree.root(), applied.time_ms)

        batch = Batch(applied.entries, nodes, applied.writes, applied.events, checkpoint=None)
        try:
            self._storage.append_batch(batch, seal)
        except BaseException:
            self._state.forget()
            raise
        self._range = tree
        self._last_time_ms = applied.time_ms

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


def _confirm(verdicts: Verdicts) -> None:
    if not verdicts.as_assumed():
        raise SignatureGuessError


def stored_entry(entry: Entry, tx: Transaction | None, data: bytes) -> StoredEntry:
    """An entry as storage keeps it: its bytes, leaf hash and what the indexes need."""
    return StoredEntry(
        index=entry.index,
        data=data,
        leaf_hash=leaf_hash(data),
        tx_id=tx.tx_id if tx else None,
        signer=tx.signer if tx else None,
        tx_type=tx.type if tx else None,
        time_ms=entry.time_ms,
    )
