"""Group commit: many concurrent submitters, one sequencer, one durable commit per batch.

Each caller hands in its transactions as one unit (a request's) and waits on one future for
their outcomes; one background thread drains the queue into batches of whole units, up to
``max_batch`` transactions (a larger unit goes alone), so that a single fsync covers many
callers and each caller is woken once. A caller's receipts are released only after its batch
is durable.
"""

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import NamedTuple

from krai.app.sequencer import Outcome, Sequencer
from krai.crypto.keys import PublicKey
from krai.tx.envelope import Transaction


class Pending(NamedTuple):
    """One caller's transactions in order, the keys an API worker verified their signatures
    with (ADR 0028; None: none verified there), and the future of their outcomes."""

    transactions: Sequence[Transaction]
    verified: Sequence[PublicKey | None] | None
    future: "Future[list[Outcome]]"


class GroupCommitter:
    """Batches concurrent submissions into the sequencer."""

    def __init__(self, sequencer: Sequencer, max_batch: int = 1_000) -> None:
        self._sequencer = sequencer
        self._max_batch = max_batch
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._held: Pending | None = None  # drained, but did not fit the last batch
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def submit(
        self,
        transactions: Sequence[Transaction],
        verified: Sequence[PublicKey | None] | None = None,
    ) -> "Future[list[Outcome]]":
        """Queue the transactions as one unit, in order; the future resolves to their outcomes
        after the batch holding them is committed. ``verified``: for each, the key its
        signature was verified with in admission, or None."""
        future: Future[list[Outcome]] = Future()
        if not transactions:
            future.set_result([])
            return future
        if verified is not None and len(verified) != len(transactions):
            raise ValueError("one verified key (or None) for each transaction")
        self._queue.put(Pending(transactions, verified, future))
        return future

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
        first, self._held = self._held or self._queue.get(), None
        if first is None:
            return [], True
        batch, size = [first], len(first.transactions)
        while size < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            if size + len(item.transactions) > self._max_batch:
                self._held = item
                break
            batch.append(item)
            size += len(item.transactions)
        return batch, False

    def _commit(self, batch: list[Pending]) -> None:
        transactions = [tx for unit in batch for tx in unit.transactions]
        try:
            outcomes = self._sequencer.submit(transactions, _verified_keys(batch))
        except Exception as error:
            for unit in batch:
                unit.future.set_exception(error)
            return
        start = 0
        for unit in batch:
            end = start + len(unit.transactions)
            unit.future.set_result(outcomes[start:end])
            start = end


def _verified_keys(batch: list[Pending]) -> list[PublicKey | None] | None:
    """The batch's verified keys in order, or None when admission verified none of them."""
    if all(unit.verified is None for unit in batch):
        return None
    keys: list[PublicKey | None] = []
    for unit in batch:
        keys += unit.verified if unit.verified is not None else [None] * len(unit.transactions)
    return keys
