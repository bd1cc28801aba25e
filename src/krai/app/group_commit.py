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
from krai.tx.envelope import Transaction

Pending = tuple[Transaction, "Future[Outcome]"]


class GroupCommitter:
    """Batches concurrent submissions into the sequencer."""

    def __init__(self, sequencer: Sequencer, max_batch: int = 1_000) -> None:
        self._sequencer = sequencer
        self._max_batch = max_batch
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def submit(self, transaction: Transaction) -> "Future[Outcome]":
        """Queue one transaction; the future resolves after its batch is committed."""
        future: Future[Outcome] = Future()
        self._queue.put((transaction, future))
        return future

    def submit_many(self, transactions: Sequence[Transaction]) -> list["Future[Outcome]"]:
        """Queue several transactions in order."""
        return [self.submit(tx) for tx in transactions]

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
        try:
            outcomes = self._sequencer.submit([tx for tx, _ in batch])
        except Exception as error:
            for _, future in batch:
                future.set_exception(error)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
