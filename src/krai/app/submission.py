"""Submission for concurrent clients: decoded transactions in, outcomes out once durable.

A ``Submitter`` feeds every caller's transactions into one ``GroupCommitter``, each request's
as one unit with one future, so concurrent requests share a sequencing round and its one
commit, and each request is woken once. ``sealed`` adds what a client needs to
check a receipt offline: the signed checkpoint covering the entry and its inclusion proof.
"""

import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any, Protocol

from krai.app.group_commit import GroupCommitter
from krai.app.ports import Storage, StoredCheckpoint
from krai.app.proofs import prove_inclusion
from krai.app.publication import checkpoint_json
from krai.app.sequencer import Outcome, Receipt, Sequencer
from krai.tx.envelope import Transaction

CHECKPOINT_POLL_S = 0.01


class CheckpointTimeoutError(Exception):
    """No signed checkpoint covered an entry in the time allowed."""


class Submissions(Protocol):
    """Where a server hands in decoded transactions: in process (``Submitter``), or admitted
    and sent to the sequencer's process (``krai.app.admission.AdmittingSubmitter``)."""

    def submit(self, transactions: Sequence[Transaction]) -> "Future[list[Outcome]]":
        """Queue the transactions in order, as one unit; the future resolves to a receipt or
        a refusal for each, once the batch holding them is durable."""
        ...

    def close(self) -> None:
        """Stop; what is queued is committed or fails."""
        ...


class Submitter:
    """Many callers, one sequencer: each caller's outcomes resolve after their batch commits."""

    def __init__(self, sequencer: Sequencer, storage: Storage, max_batch: int = 1_000) -> None:
        self._storage = storage
        self._committer = GroupCommitter(sequencer, max_batch)

    def submit(self, transactions: Sequence[Transaction]) -> "Future[list[Outcome]]":
        """Queue the transactions in order, as one unit; the future resolves to a receipt or
        a refusal for each, once the batch holding them is durable."""
        return self._committer.submit(transactions)

    def close(self) -> None:
        """Commit what is queued, then stop."""
        self._committer.close()


def covering_checkpoint(storage: Storage, index: int, timeout_s: float) -> StoredCheckpoint:
    """The newest signed checkpoint that covers entry ``index``, waiting up to ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        latest = storage.latest_checkpoint()
        if latest is not None and latest.size > index:
            return latest
        if time.monotonic() >= deadline:
            raise CheckpointTimeoutError(f"no signed checkpoint covers entry {index} yet")
        time.sleep(CHECKPOINT_POLL_S)


def sealed(storage: Storage, receipt: Receipt, timeout_s: float) -> dict[str, Any]:
    """The receipt with the signed checkpoint that covers it and its inclusion proof there."""
    checkpoint = covering_checkpoint(storage, receipt.index, timeout_s)
    proof = prove_inclusion(storage, receipt.index, checkpoint.size)
    return {
        **receipt.to_json(),
        "checkpoint": checkpoint_json(checkpoint),
        "inclusion": proof.to_json(),
    }
