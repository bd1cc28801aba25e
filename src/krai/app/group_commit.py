"""Group commit: many concurrent submitters, one sequencer, one durable commit per batch.

Callers hand in transactions and wait for their outcome; one background thread drains the
queue into batches of up to ``max_batch`` transactions, so that a single fsync covers many
callers. A caller's receipt is released only after its batch is durable.
"""

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future

from krai.app.sequencer import Outcome, Sequencer
from krai.crypto.keys import PublicKey
from krai.tx.envelope import Transaction

Pending = tuple[Transaction, "Future[Outcome]", PublicKey | None]
"""A queued transaction, its caller's future, and the key an API worker verified its
signature with (ADR 0028), if any."""


class GroupCommitter:
    """Batches concurrent submissions into the sequencer."""

    def __init__(self, sequencer: Sequencer, max_batch: int = 1_000) -> None:
        self._sequencer = sequencer
        self._max_batch = max_batch
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def submit(
        self, transaction: Transaction, verified: PublicKey | None = None
    ) -> "Future[Outcome]":
        """Queue one transaction; the future resolves after its batch is committed.
        ``verified``: the key its signature was verified with in admission, if it was."""
        future: Future[Outcome] = Future()
        self._queue.put((transaction, future, verified))
        return future

    def submit_many(
        self,
        transactions: Sequence[Transaction],
        verified: Sequence[PublicKey | None] | None = None,
    ) -> list["Future[Outcome]"]:
        """Queue several transactions in order (with the keys admission verified them with)."""
        if verified is None:
            return [self.submit(tx) for tx in transactions]
        return [self.submit(tx, key) for tx, key in zip(transactions, verified, strict=True)]

    def close(self) -> None:
        """Finish what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            batch, stop = self._drain()
            if batch:
                self._commit(batch)
            if stop:
                return

    def _drain(self) -> tuple[list[Pending], bool]:
        first = self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _commit(self, batch: list[Pending]) -> None:
        keys = [key for _, _, key in batch]
        verified = keys if any(key is not None for key in keys) else None
        try:
            outcomes = self._sequencer.submit([tx for tx, _, _ in batch], verified)
        except Exception as error:
            for _, future, _ in batch:
                future.set_exception(error)
            return
        for (_, future, _), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
