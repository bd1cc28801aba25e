"""Full verification: every entry, signature, leaf, checkpoint, and a replay of all state.

Works from any source of entry bytes and signed checkpoints — the database, or a bundle
with no database at all — and needs only the log's verifier key. The first bad entry is
named; nothing is trusted that was not recomputed.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from krai.log.checkpoint import open_checkpoint
from krai.log.hashing import leaf_hash
from krai.log.note import NoteVerifier
from krai.log.tree import CompactRange
from krai.state.engine import Engine
from krai.state.entry import decode_entry
from krai.state.store import MemoryState, state_digest
from krai.tx.errors import RejectedError


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


def verify_ledger(
    entries: Iterable[bytes],
    checkpoints: Mapping[int, str],
    *,
    origin: str,
    verifier: NoteVerifier,
    new_engine: Callable[[], Engine],
    expected_state: Iterator[tuple[str, bytes]] | None = None,
) -> VerifyReport:
    """Verify entries and checkpoints (size → signed note); raise VerificationError if unsound."""
    engine, state, tree = new_engine(), MemoryState(), CompactRange()
    report = VerifyReport()
    roots = {size: _open(note, origin, verifier, size) for size, note in checkpoints.items()}
    for data in entries:
        index = tree.size
        replay_entry(engine, state, data, index)
        tree.append(leaf_hash(data))
        _compare_root(roots, tree, report)
        report.entries += 1
        report.transactions += int(index > 0)
    _finish(report, roots, tree, state, expected_state)
    return report


def replay_entry(engine: Engine, state: MemoryState, data: bytes, index: int) -> None:
    """Apply entry ``index`` (its log bytes) to ``state`` as the sequencer did, or raise
    ``VerificationError`` naming it."""
    try:
        entry = decode_entry(data)
        if entry.index != index:
            raise VerificationError(f"holds index {entry.index}", index)
        if entry.tx is not None:
            engine.admit(state, entry.tx)
        outcome = engine.execute(state, entry)
    except RejectedError as error:
        raise VerificationError(f"does not replay: {error}", index) from error
    state.apply_writes(outcome.writes)


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
    state: MemoryState,
    expected_state: Iterator[tuple[str, bytes]] | None,
) -> None:
    beyond = sorted(size for size in roots if size > tree.size)
    if beyond:
        raise VerificationError(f"a checkpoint of size {beyond[0]} covers entries that are missing")
    report.root_hash = tree.root().hex()
    report.state_digest = state_digest(state.items())
    if expected_state is not None and state_digest(expected_state) != report.state_digest:
        raise VerificationError(
            "stored state differs from the state replayed from the log (after an upgrade whose "
            "rules keep new state, `krai rebuild-state` derives it again from the log)"
        )
