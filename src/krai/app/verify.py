"""Full verification: every entry, signature, leaf, checkpoint, and a replay of all state.

Works from any source of entry bytes and signed checkpoints — the database, or a bundle
with no database at all — and needs only the log's verifier key. The first bad entry is
named; nothing is trusted that was not recomputed.

The replay runs in log order on this process; each entry's signature, once the replayed state
has named its key, is checked on worker processes meanwhile (``SignatureChecks``), and the
state can live on disk past a size (``SpillingState``): ADR 0029.
"""

import collections
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, runtime_checkable

from krai.app.ports import ScratchState, Storage
from krai.app.replay_state import MEMORY_BYTES, SpillingState
from krai.app.signatures import (
    Check,
    PendingVerdicts,
    SignatureWorkers,
    bad_signature_of_key,
    check_of,
    verify_all,
)
from krai.crypto.keys import PublicKey
from krai.log.checkpoint import open_checkpoint
from krai.log.hashing import leaf_hash
from krai.log.note import NoteVerifier
from krai.log.tree import CompactRange
from krai.state.engine import Engine
from krai.state.entry import decode_entry
from krai.state.store import MemoryState, Overlay, RangedView, state_digest
from krai.tx.envelope import Transaction
from krai.tx.errors import RejectedError

ENTRIES_PER_READ = 10_000
"""Entries read from storage at a time."""
STATE_PER_READ = 10_000
"""Stored state records read at a time, to compare with the replayed state (and compared
at a time, as lists)."""
CHECKS_PER_REQUEST = 500
"""Signatures sent to a worker in one request."""
REQUESTS_AHEAD = 2
"""Requests each worker may have unanswered; past that the replay checks the next itself."""
REPLAY_CHUNK = 1_000
"""Entries a whole log's verification applies through one overlay before their writes join
the replayed state: one ``apply_writes`` a chunk, not one an entry."""
FINISHING_REQUESTS_AHEAD = 16
"""``REQUESTS_AHEAD`` of a whole log's verification (``verify_ledger``): the workers may fall
this far behind (about half a second of one core's checks), and what they have left when the
replay ends is checked while the replayed state is digested and compared (ADR 0048)."""


_Owner = tuple[int, str]
"""Whose signature a check is: the entry's index and the key id its transaction names."""


class VerificationError(Exception):
    """The ledger is not sound; ``index`` names the first bad entry when there is one."""

    def __init__(self, message: str, index: int | None = None) -> None:
        where = f"entry {index}: " if index is not None else ""
        super().__init__(where + message)
        self.index = index


@dataclass
class VerifyReport:
    """What was checked."""

    entries: int = 0
    transactions: int = 0
    checkpoints: int = 0
    root_hash: str = ""
    state_digest: str = ""
    checked_sizes: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "ok": True,
            "entries": self.entries,
            "transactions": self.transactions,
            "checkpoints": self.checkpoints,
            "root_hash": self.root_hash,
            "state_digest": self.state_digest,
        }


class ReplayState(RangedView, Protocol):
    """State a replay reads and writes: ``MemoryState`` or ``SpillingState``."""

    def apply_writes(self, writes: Mapping[str, bytes]) -> None:
        """Make ``writes`` part of the state."""
        ...

    def items(self) -> Iterator[tuple[str, bytes]]:
        """Every (key, bytes) in key order."""
        ...


@runtime_checkable
class Unmappable(Protocol):
    """Storage that can read without mapping its file into memory (SQLite's ``mmap_size``)."""

    def read_unmapped(self) -> None:
        """Read without the mapping from now on, on this thread."""
        ...


class SignatureChecks:
    """The signatures of the replayed entries, checked on ``workers`` processes (here, with
    none) while the replay goes on; ``settle`` names the first bad one by its entry. The
    entries are decoded once, by the replay; a worker only checks the signed bytes, the
    signature and the key it is sent (ADR 0038).

    Every request's answer is read in the order the requests were sent (a worker discards
    the unread answers of older requests when a newer one is read): ``_sent`` holds them.
    """

    def __init__(self, workers: int = 0, ahead: int = REQUESTS_AHEAD) -> None:
        self._count = workers
        self._ahead = ahead
        self._workers: SignatureWorkers | None = None
        self._checks: list[Check] = []
        self._owners: list[_Owner] = []
        self._sent: collections.deque[_Sent] = collections.deque()
        self._bad: _Owner | None = None

    @property
    def parallel(self) -> bool:
        """Whether there are worker processes to use."""
        return self._count > 0

    def add(self, index: int, tx: Transaction, key: PublicKey) -> None:
        """Check that entry ``index``'s transaction ``tx`` is signed by ``key``: here at once
        without workers (raising ``VerificationError``), else later."""
        if not self._count:
            if not tx.verify_signature(key):
                raise _bad_signature(index, tx.key_id)
            return
        self._checks.append(check_of(tx, key))
        self._owners.append((index, tx.key_id))  # not ``tx``: nothing more of it is kept
        if len(self._checks) >= CHECKS_PER_REQUEST:
            self._dispatch()
            if self._bad is not None:
                self.settle()

    def settle(self, through: int | None = None) -> None:
        """Wait for every verdict; raise ``VerificationError`` for the first bad signature
        (only if its entry is at or before ``through``, when given)."""
        if self._checks:
            self._judge(self._owners, verify_all(self._checks))
            self._checks, self._owners = [], []
        while self._sent:
            self._read_oldest()
        if self._bad is not None and (through is None or self._bad[0] <= through):
            raise _bad_signature(*self._bad)

    def close(self) -> None:
        """Stop the workers, if any were started."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def _pool(self) -> SignatureWorkers:
        if self._workers is None:
            self._workers = SignatureWorkers(self._count)
        return self._workers

    def _dispatch(self) -> None:
        checks, owners = self._checks, self._owners
        self._checks, self._owners = [], []
        while self._sent and self._sent[0].pending.ready():
            self._read_oldest()
        if len(self._sent) >= self._ahead * self._count:
            self._judge(owners, verify_all(checks))  # the workers are behind: help them
            return
        self._sent.append(_Sent(owners, self._pool().submit(checks)))

    def _read_oldest(self) -> None:
        owners, pending = self._sent.popleft()
        self._judge(owners, pending.result())

    def _judge(self, owners: list[_Owner], verdicts: list[bool]) -> None:
        for owner, good in zip(owners, verdicts, strict=True):
            if not good and (self._bad is None or owner[0] < self._bad[0]):
                self._bad = owner
                return


class _Sent(NamedTuple):
    """A request to the workers: the signatures of these entries."""

    owners: list[_Owner]
    pending: PendingVerdicts


def _bad_signature(index: int, key_id: str) -> VerificationError:
    return VerificationError(f"does not replay: {bad_signature_of_key(key_id)}", index)


def verify_ledger(
    entries: Iterable[bytes],
    checkpoints: Mapping[int, str],
    *,
    origin: str,
    verifier: NoteVerifier,
    new_engine: Callable[[], Engine],
    expected_state: Iterator[tuple[str, bytes]] | None = None,
    workers: int = 0,
    scratch: Callable[[], ScratchState] | None = None,
    memory_bytes: int = MEMORY_BYTES,
) -> VerifyReport:
    """Verify entries and checkpoints (size → signed note); raise VerificationError if unsound.

    ``workers`` processes check signatures (none: this one does); with ``scratch``, the
    replayed state moves to such a database once it takes ``memory_bytes``.
    """
    engine, tree, report = new_engine(), CompactRange(), VerifyReport()
    roots = {size: _open(note, origin, verifier, size) for size, note in checkpoints.items()}
    state: ReplayState = SpillingState(scratch, memory_bytes) if scratch else MemoryState()
    signatures = SignatureChecks(workers, FINISHING_REQUESTS_AHEAD)
    try:
        try:
            _replay_all(
                entries,
                engine=engine,
                state=state,
                tree=tree,
                roots=roots,
                report=report,
                signatures=signatures,
            )
        except VerificationError:
            signatures.settle(through=tree.size)  # a bad signature before it comes first
            raise
        try:
            _finish(report, roots, tree, state, expected_state)  # the workers still checking
        except VerificationError:
            signatures.settle()  # a bad signature comes first, whatever the finish found
            raise
        signatures.settle()
    finally:
        signatures.close()
        if isinstance(state, SpillingState):
            state.close()
    return report


def verify_stored(
    storage: Storage,
    *,
    origin: str,
    verifier: NoteVerifier,
    new_engine: Callable[[], Engine],
    workers: int = 0,
    scratch: Callable[[], ScratchState] | None = None,
    memory_bytes: int = MEMORY_BYTES,
) -> VerifyReport:
    """``verify_ledger`` of a home's log, read a chunk at a time, with its stored state
    compared to the replayed one, read a page at a time (and, where the storage maps its
    file into memory, without mapping it)."""
    if isinstance(storage, Unmappable):
        storage.read_unmapped()
    size = storage.log_size()
    checkpoints = {c.size: c.note for c in storage.checkpoints(limit=size + 1)}
    return verify_ledger(
        stored_entries(storage, size),
        checkpoints,
        origin=origin,
        verifier=verifier,
        new_engine=new_engine,
        expected_state=stored_state(storage),
        workers=workers,
        scratch=scratch,
        memory_bytes=memory_bytes,
    )


def stored_entries(storage: Storage, size: int) -> Iterator[bytes]:
    """The bytes of entries ``0 .. size - 1``, read ``ENTRIES_PER_READ`` at a time."""
    for start in range(0, size, ENTRIES_PER_READ):
        yield from storage.entry_bytes(start, min(start + ENTRIES_PER_READ, size))


def stored_state(storage: Storage) -> Iterator[tuple[str, bytes]]:
    """Every stored (key, bytes) in key order, read ``STATE_PER_READ`` at a time."""
    after = ""
    while True:
        page = storage.state_after(after, STATE_PER_READ)
        yield from page
        if len(page) < STATE_PER_READ:
            return
        after = page[-1][0]


def _replay_all(
    entries: Iterable[bytes],
    *,
    engine: Engine,
    state: ReplayState,
    tree: CompactRange,
    roots: Mapping[int, bytes],
    report: VerifyReport,
    signatures: SignatureChecks,
) -> None:
    """Replay ``entries`` into ``state``, ``REPLAY_CHUNK`` at a time through one overlay,
    their leaves into ``tree``, each checkpoint's root compared as its size is reached."""
    overlay = Overlay(state)
    for data in entries:
        index = tree.size
        _apply_entry(engine, overlay, data, index, signatures)
        tree.add(leaf_hash(data))
        if index + 1 in roots:
            _compare_root(roots, tree, report)
        if index % REPLAY_CHUNK == 0:
            state.apply_writes(overlay.writes)
            overlay = Overlay(state)
    state.apply_writes(overlay.writes)
    report.entries = tree.size
    report.transactions = max(0, tree.size - 1)


def replay_entry(
    engine: Engine,
    state: ReplayState,
    data: bytes,
    index: int,
    *,
    signatures: SignatureChecks | None = None,
) -> None:
    """Apply entry ``index`` (its log bytes) to ``state`` as the sequencer did, or raise
    ``VerificationError`` naming it. Its signature is checked here, or handed to
    ``signatures`` (whose ``settle`` then names it if bad)."""
    overlay = Overlay(state)
    _apply_entry(engine, overlay, data, index, signatures or SignatureChecks())
    state.apply_writes(overlay.writes)


def _apply_entry(
    engine: Engine, overlay: Overlay, data: bytes, index: int, signatures: SignatureChecks
) -> None:
    """``replay_entry`` with the entry's writes left in ``overlay``."""
    try:
        entry = decode_entry(data)
        if entry.index != index:
            raise VerificationError(f"holds index {entry.index}", index)
        if entry.tx is not None:
            signatures.add(index, entry.tx, engine.preflight(overlay, entry.tx))
        engine.replay(overlay, entry)
    except RejectedError as error:
        raise VerificationError(f"does not replay: {error}", index) from error


def _open(note: str, origin: str, verifier: NoteVerifier, size: int) -> bytes:
    try:
        checkpoint = open_checkpoint(note, [verifier], origin)
    except ValueError as error:
        raise VerificationError(f"checkpoint of size {size} does not verify: {error}") from error
    if checkpoint.size != size:
        raise VerificationError(f"checkpoint filed under size {size} says {checkpoint.size}")
    return checkpoint.root_hash


def _compare_root(roots: Mapping[int, bytes], tree: CompactRange, report: VerifyReport) -> None:
    expected = roots.get(tree.size)
    if expected is None:
        return
    if expected != tree.root():
        raise VerificationError(
            f"signed checkpoint root for size {tree.size} differs from the entries' root",
            tree.size - 1,
        )
    report.checkpoints += 1


def _finish(
    report: VerifyReport,
    roots: Mapping[int, bytes],
    tree: CompactRange,
    state: ReplayState,
    expected_state: Iterator[tuple[str, bytes]] | None,
) -> None:
    beyond = sorted(size for size in roots if size > tree.size)
    if beyond:
        raise VerificationError(f"a checkpoint of size {beyond[0]} covers entries that are missing")
    report.root_hash = tree.root().hex()
    if expected_state is None:
        report.state_digest = state_digest(state.items())
        return
    comparison = _Comparison(expected_state)
    report.state_digest = state_digest(comparison.of(state.items()))
    if not comparison.same:
        raise VerificationError(
            "stored state differs from the state replayed from the log (after an upgrade whose "
            "rules keep new state, `krai rebuild-state` derives it again from the log)"
        )


class _Comparison:
    """Replayed state compared, record by record, with ``expected`` as it is digested: equal
    streams give equal digests, so the stored state needs no digest of its own."""

    def __init__(self, expected: Iterator[tuple[str, bytes]]) -> None:
        self._expected = expected
        self.same = True

    def of(self, replayed: Iterator[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
        """``replayed``'s records as they are read; ``same`` is False once one differs from
        ``expected``'s, or their numbers do, when the last is read. They are compared
        ``STATE_PER_READ`` at a time, as two lists."""
        expected = self._expected
        while chunk := list(itertools.islice(replayed, STATE_PER_READ)):
            if self.same and list(itertools.islice(expected, len(chunk))) != chunk:
                self.same = False
            yield from chunk
        if self.same and next(expected, None) is not None:
            self.same = False
