"""A follower's catch-up: the entries from the stored size to a signed size, verified and
stored a group of bundles at a time (ADR 0036).

Each entry's bytes must hash to its leaf in the log's level-0 tile; a bundle's entries are
decoded together and the state they will likely read fetched in one query, as the
sequencer does for a batch (ADR 0038); then each entry's signer's key is looked up in the
state as replayed so far, its signature sent to the signature workers (as ``krai verify``
does: ADR 0029), and it is applied to an overlay of the stored state. Every
``COMMIT_ENTRIES`` entries (a bundle boundary), and at the
signed size, the verdicts are awaited, the stored tree with the new leaves must still be a
prefix of the signed one (``check_prefix``), and the group is stored in one database
transaction — the last with the accepted checkpoint. A follower that polls a busy log keeps
its signature workers from one catch-up to the next (``KeptWorkers``), so even a catch-up of a
few hundred entries checks its signatures beside the replay (ADR 0036, amended).
"""

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from krai.app.cached_state import CachedState
from krai.app.follow_status import AlarmError
from krai.app.follow_tiles import TileTree
from krai.app.ports import Batch, Storage, StoredCheckpoint, StoredEntry
from krai.app.sequencer import stored_entry
from krai.app.signatures import SignatureWorkerError, SignatureWorkers
from krai.app.verify import CHECKS_PER_REQUEST, SignatureChecks, VerificationError
from krai.log.checkpoint import Checkpoint
from krai.log.hashing import leaf_hash
from krai.log.tiles import TILE_WIDTH
from krai.log.tree import CompactRange
from krai.state.engine import Engine
from krai.state.entry import Entry, decode_entry
from krai.state.store import Overlay
from krai.tx.errors import Code, RejectedError

COMMIT_ENTRIES = 16 * TILE_WIDTH
"""Entries stored per database transaction during a catch-up (whole bundles; ADR 0038)."""
PARALLEL_MIN_ENTRIES = 16 * TILE_WIDTH
"""A catch-up shorter than this checks its signatures here: starting workers costs more."""
BUNDLES_AHEAD = 4
"""Entry bundles (with their leaf tiles) fetched ahead of the replay, on a thread of their own:
the log answers while this one verifies."""
KEPT_MIN_ENTRIES = CHECKS_PER_REQUEST
"""With workers kept between catch-ups, one of at least a worker's request uses them."""

Events = list[tuple[int, int, Mapping[str, Any]]]


@dataclass
class _Group:
    """Entries verified since the last commit, and what they wrote."""

    overlay: Overlay
    entries: list[StoredEntry] = field(default_factory=list)
    events: Events = field(default_factory=list)


class KeptWorkers:
    """Signature workers started by the first catch-up that uses them and kept for the next,
    until ``close`` (or a worker fails: the next catch-up starts new ones)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._workers: SignatureWorkers | None = None

    def get(self) -> SignatureWorkers:
        """The workers, started now if they are not running."""
        if self._workers is None:
            self._workers = SignatureWorkers(self.count)
        return self._workers

    def close(self) -> None:
        """Stop the workers, if they were started."""
        if self._workers is not None:
            self._workers.close()
            self._workers = None


class _KeptChecks(SignatureChecks):
    """Signature checks on kept workers: closing them leaves the workers running."""

    def __init__(self, kept: KeptWorkers) -> None:
        super().__init__(kept.count)
        self._kept = kept

    def _pool(self) -> SignatureWorkers:
        return self._kept.get()

    def close(self) -> None:
        """Nothing to stop: the workers serve the next catch-up."""


class CatchUp:
    """One catch-up of ``storage`` to ``checkpoint`` from the tiles of ``tree``."""

    def __init__(
        self,
        storage: Storage,
        engine: Engine,
        tree: TileTree,
        checkpoint: Checkpoint,
        note: str,
    ) -> None:
        self._storage = storage
        self._engine = engine
        self._tree = tree
        self._checkpoint = checkpoint
        self._note = note

    def run(
        self,
        check_prefix: Callable[[CompactRange], None],
        workers: int | KeptWorkers,
        progress: Callable[[int], None] | None,
    ) -> int:
        """Verify and store every entry up to the signed size (signatures checked on
        ``workers`` processes, or on kept ones); the entries stored."""
        start = self._storage.log_size()
        ours = CompactRange.from_reader(self._storage, start)
        state = CachedState(self._storage)
        signatures = _signature_checks(workers, self._checkpoint.size - start)
        try:
            group = _Group(Overlay(state))
            for bundle in self._tiled(start):
                decoded = self._prefetched(state, bundle)
                for data, entry in zip(bundle, decoded, strict=True):
                    index = ours.size + len(group.entries)
                    self._replay(group, data, entry, index, signatures)
                    if (index + 1) % COMMIT_ENTRIES and index + 1 != self._checkpoint.size:
                        continue
                    self._settle(signatures, group)
                    self._commit(group, ours, check_prefix)
                    state.committed(group.overlay.writes)
                    group = _Group(Overlay(state))
                    if progress is not None:
                        progress(ours.size)
        except SignatureWorkerError:
            if isinstance(workers, KeptWorkers):
                workers.close()
            raise
        finally:
            signatures.close()
        return ours.size - start

    def _tiled(self, start: int) -> Iterator[list[bytes]]:
        """Entries ``start ..`` of the signed tree a bundle at a time, each checked against its
        tile's leaf; a bad one is an alarm after the bundle's entries before it. The next
        ``BUNDLES_AHEAD`` bundles are being fetched meanwhile."""
        for bundle, (leaves, entries) in enumerate(self._fetched(start), start // TILE_WIDTH):
            checked: list[bytes] = []
            for position in range(max(0, start - bundle * TILE_WIDTH), len(entries)):
                data = entries[position]
                if leaf_hash(data) != leaves[position]:
                    yield checked
                    raise self._bad_entry(bundle * TILE_WIDTH + position, data)
                checked.append(data)
            yield checked

    def _fetched(self, start: int) -> Iterator[tuple[list[bytes], list[bytes]]]:
        """Each bundle's leaf hashes and entries from the one holding entry ``start``, in
        order, read ahead on a thread (a read that fails raises when its bundle is due)."""
        tree = self._tree
        bundles = iter(range(start // TILE_WIDTH, -(-self._checkpoint.size // TILE_WIDTH)))
        fetcher = ThreadPoolExecutor(1, thread_name_prefix="krai-follow-tiles")
        ahead: deque[Future[tuple[list[bytes], list[bytes]]]] = deque()
        try:
            for bundle in bundles:
                ahead.append(fetcher.submit(tree.leaves_and_entries, bundle))
                if len(ahead) > BUNDLES_AHEAD:
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()
        finally:
            fetcher.shutdown(wait=False, cancel_futures=True)

    def _bad_entry(self, index: int, data: bytes) -> AlarmError:
        return AlarmError(
            "bad_entry",
            f"entry {index}'s bytes do not hash to its leaf hash in the log's tile",
            {"shown.note": self._note.encode(), f"entry-{index}": data},
            index,
        )

    def _prefetched(self, state: CachedState, bundle: list[bytes]) -> list[Entry | None]:
        """The bundle's entries decoded (None: refused, said by the replay when it gets there),
        with the state they will likely read fetched into ``state`` in one query."""
        decoded = [_decoded(data) for data in bundle]
        likely_reads = self._engine.likely_reads
        state.prefetch(
            key
            for entry in decoded
            if entry is not None and entry.tx is not None
            for key in likely_reads(entry.tx)
        )
        return decoded

    def _replay(
        self,
        group: _Group,
        data: bytes,
        decoded: Entry | None,
        index: int,
        signatures: SignatureChecks,
    ) -> None:
        """Entry ``index`` (``decoded`` from ``data``, or None if it does not decode), its
        signature sent to be checked, applied to the group."""
        try:
            entry = decoded if decoded is not None else decode_entry(data)
            if entry.index != index:
                raise RejectedError(Code.MALFORMED, f"it holds index {entry.index}")
            if entry.tx is not None:
                signatures.add(index, entry.tx, self._engine.preflight(group.overlay, entry.tx))
            outcome = self._engine.apply_to(group.overlay, entry, authorised=True)
        except (RejectedError, VerificationError) as error:
            raise self._does_not_replay(index, str(error), data) from None
        group.entries.append(stored_entry(entry, entry.tx, data))
        group.events += [(index, pos, event) for pos, event in enumerate(outcome.events)]

    def _settle(self, signatures: SignatureChecks, group: _Group) -> None:
        try:
            signatures.settle()
        except VerificationError as error:
            index = error.index if error.index is not None else group.entries[0].index
            data = group.entries[index - group.entries[0].index].data
            raise self._does_not_replay(index, str(error), data) from None

    def _commit(
        self, group: _Group, ours: CompactRange, check_prefix: Callable[[CompactRange], None]
    ) -> None:
        nodes = [node for stored in group.entries for node in ours.append(stored.leaf_hash)]
        check_prefix(ours)
        checkpoint = self._checkpoint
        accepted = None
        if ours.size == checkpoint.size:
            time_ms = group.entries[-1].time_ms
            accepted = StoredCheckpoint(checkpoint.size, checkpoint.root_hash, self._note, time_ms)
        writes = dict(group.overlay.writes)
        self._storage.append_batch(Batch(group.entries, nodes, writes, group.events, accepted))

    def _does_not_replay(self, index: int, reason: str, data: bytes) -> AlarmError:
        prefix = f"entry {index}: "
        return AlarmError(
            "does_not_replay",
            f"entry {index} does not replay: {reason.removeprefix(prefix)}",
            {"shown.note": self._note.encode(), f"entry-{index}": data},
            index,
        )


def stores_early(start: int, size: int) -> bool:
    """Whether a catch-up from ``start`` entries to the signed ``size`` stores a group before
    the last (the one that holds the checkpoint): only then are entries ever stored that no
    accepted checkpoint covers."""
    return (start // COMMIT_ENTRIES + 1) * COMMIT_ENTRIES < size


def _signature_checks(workers: int | KeptWorkers, entries: int) -> SignatureChecks:
    """Where the signatures of a catch-up of ``entries`` are checked: on kept workers if it
    fills a request, on new ones if it is long enough to pay for starting them, else here."""
    if isinstance(workers, KeptWorkers):
        use = workers.count > 0 and entries >= KEPT_MIN_ENTRIES
        return _KeptChecks(workers) if use else SignatureChecks(0)
    return SignatureChecks(workers if entries >= PARALLEL_MIN_ENTRIES else 0)


def _decoded(data: bytes) -> Entry | None:
    try:
        return decode_entry(data)
    except RejectedError:
        return None
