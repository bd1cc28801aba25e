"""Signature checks on worker processes, so verification runs beside the one writer.

Ed25519 verification through PyNaCl holds the GIL, so threads do not add cores; worker
processes do. Each worker is a small Python process (``krai.app.signature_worker``) with a
pipe each way, written and read by the writer's own thread: no helper thread has to win the
GIL from a busy writer before a worker gets its work or the writer its verdicts.

When the writer needs the verdicts and a worker is still behind, the writer does not wait
idle: it verifies that worker's last unstarted requests itself, from the end, and tells the
worker so; the worker skips what it has not begun (ADR 0017).
"""

import collections
import contextlib
import fcntl
import itertools
import os
import subprocess
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import NamedTuple

from krai.app.signature_worker import Check, verify_all
from krai.crypto.keys import PublicKey, encode_public_key
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError

__all__ = [
    "KEY_TEXTS_KEPT",
    "Check",
    "PendingVerdicts",
    "Refusal",
    "SignatureWorkerError",
    "SignatureWorkers",
    "Verdicts",
    "bad_signature",
    "bad_signature_of_key",
    "check_of",
    "default_workers",
    "verify_all",
]

Refusal = RejectedError | None
"""Why admission refused a transaction, or None if it did not."""
STOP_SECONDS = 5.0
PIPE_BYTES = 1 << 20
"""Linux's default ceiling for an unprivileged pipe (``/proc/sys/fs/pipe-max-size``)."""


class SignatureWorkerError(RuntimeError):
    """A worker process died or its pipe broke; its verdicts are lost."""


def default_workers() -> int:
    """One worker process per core but the writer's: the writer is the critical path.

    The single writer applies and stores every transaction on one core; a worker on that
    core too would take time from it, not add any (on 2 cores, 1 worker sequences about 15 %
    more transactions per second than 2; ADR 0005).
    """
    return max(1, (os.cpu_count() or 1) - 1)


class _Worker:
    """One worker process and the pipes to it; at most one request outstanding."""

    def __init__(self) -> None:
        theirs_read, ours_write = os.pipe()
        ours_read, theirs_write = os.pipe()
        command = [sys.executable, "-m", "krai.app.signature_worker"]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*command, str(theirs_read), str(theirs_write)],
            pass_fds=(theirs_read, theirs_write),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        os.close(theirs_read)
        os.close(theirs_write)
        _widen_pipe(ours_write)
        self.requests = Connection(ours_write, readable=False)
        self.replies = Connection(ours_read, writable=False)
        self.unread: collections.deque[int] = collections.deque()
        """Tags of the requests sent whose replies are not read yet, oldest first."""
        self.answers: dict[int, list[bool] | None] = {}
        """Replies read before they were asked for (None: the writer had taken the request)."""

    def send(self, tag: int, checks: list[Check]) -> None:
        self.requests.send((tag, checks))
        self.unread.append(tag)

    def take(self, tag: int) -> None:
        """Tell the worker that request ``tag`` is being verified here; it still replies."""
        self.requests.send((tag, None))

    def behind(self, tag: int) -> bool:
        """Whether the worker has not answered an older request than ``tag`` (so it has
        probably not begun ``tag``), after reading the replies that have arrived."""
        while self.unread and self.replies.poll():
            self._read_reply()
        return bool(self.unread) and self.unread[0] < tag

    def receive(self, tag: int) -> list[bool] | None:
        """The reply to request ``tag`` (None if the worker skipped it), after discarding the
        replies of older requests a failed batch sent and never read."""
        while tag not in self.answers:
            if not self.unread or self.unread[0] > tag:
                raise SignatureWorkerError(f"request {tag} was never sent to this worker")
            self._read_reply()
        for older in [t for t in self.answers if t < tag]:
            del self.answers[older]
        return self.answers.pop(tag)

    def _read_reply(self) -> None:
        expected = self.unread.popleft()
        got, verdicts = self.replies.recv()
        if got != expected:
            raise SignatureWorkerError(f"the reply to request {got} came for {expected}")
        self.answers[got] = verdicts

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.requests.send(None)
        self.requests.close()
        self.replies.close()
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Share(NamedTuple):
    """One request: the worker it went to, its tag and its checks (or entries to decode)."""

    worker: _Worker
    tag: int
    checks: list[Check]


class PendingVerdicts:
    """Verdicts being computed by the workers, share by share, in the order sent."""

    def __init__(self, shares: list[_Share]) -> None:
        self._shares = shares
        self._verdicts: list[bool] | None = None
        self.taken = 0
        """How many shares the writer verified itself, after ``result``."""

    @classmethod
    def joined(cls, parts: Sequence["PendingVerdicts"]) -> "PendingVerdicts":
        """The verdicts of several submissions, one after another."""
        return cls([share for part in parts for share in part._shares])

    def ready(self) -> bool:
        """Whether every share has been answered, after reading the replies that have arrived
        (never waits)."""
        try:
            return not any(share.worker.behind(share.tag + 1) for share in self._shares)
        except (OSError, EOFError) as error:
            raise SignatureWorkerError(str(error)) from error

    def result(self) -> list[bool]:
        """Every share's verdicts, one per check: the last shares of a worker that is still
        behind are verified here meanwhile, the others waited for."""
        return self._answers()

    def _answers(self) -> list[bool]:
        if self._verdicts is None:
            verdicts = []
            try:
                taken = self._take_from_behind()
                self.taken = len(taken)
                for share in self._shares:
                    verdicts += taken[share.tag] if share.tag in taken else _answer(share)
            except (OSError, EOFError) as error:
                raise SignatureWorkerError(str(error)) from error
            self._verdicts = verdicts
        return self._verdicts

    def _take_from_behind(self) -> dict[int, list[bool]]:
        """Verify here, from the last back, the shares whose worker has older ones to finish
        first, until each worker is on its oldest unanswered share."""
        taken: dict[int, list[bool]] = {}
        for share in reversed(self._shares):
            if share.worker.behind(share.tag):
                share.worker.take(share.tag)
                taken[share.tag] = verify_all(share.checks)
        return taken


def _answer(share: _Share) -> list[bool]:
    """The worker's verdicts on a share the writer did not take (its reply to a taken one is
    read, or discarded, later)."""
    verdicts = share.worker.receive(share.tag)
    if verdicts is None:
        raise SignatureWorkerError(f"request {share.tag} was skipped but not taken")
    return verdicts


class SignatureWorkers:
    """Worker processes verifying signatures; each batch is split evenly between them."""

    def __init__(self, workers: int) -> None:
        self._workers = [_Worker() for _ in range(workers)]
        self._tags = itertools.count(1)
        self._turns = itertools.count()

    def submit(self, checks: Sequence[Check]) -> PendingVerdicts:
        """Send ``checks`` to the workers now; their verdicts are read when asked for."""
        share = max(1, -(-len(checks) // len(self._workers)))
        shares = []
        try:
            for worker, start in zip(self._workers, range(0, len(checks), share), strict=False):
                tag = next(self._tags)
                part = list(checks[start : start + share])
                worker.send(tag, part)
                shares.append(_Share(worker, tag, part))
        except (OSError, EOFError) as error:
            raise SignatureWorkerError(str(error)) from error
        return PendingVerdicts(shares)

    def close(self) -> None:
        """Stop the workers."""
        for worker in self._workers:
            worker.stop()


def _widen_pipe(descriptor: int) -> None:
    """Let a pipe hold a whole batch of checks (Linux), so the writer sends the next chunk
    while the worker still verifies the last one, without waiting for it to read."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def check_of(transaction: Transaction, key: PublicKey) -> Check:
    """A check to send to a worker."""
    return transaction.signing_message(), transaction.signature, _key_text(key)


_KEY_TEXTS: dict[tuple[str, bytes], str] = {}
"""``encode_public_key`` of the keys met lately: a log's entries are signed by a few keys."""
KEY_TEXTS_KEPT = 1024


def _key_text(key: PublicKey) -> str:
    """``encode_public_key(key)``, computed once per key (up to ``KEY_TEXTS_KEPT`` keys)."""
    found = _KEY_TEXTS.get((key.key_type, key.raw))
    if found is None:
        if len(_KEY_TEXTS) >= KEY_TEXTS_KEPT:
            _KEY_TEXTS.clear()
        found = _KEY_TEXTS[key.key_type, key.raw] = encode_public_key(key)
    return found


class Verdicts:
    """The admission refusals of one batch, with signature verdicts still coming from workers.

    ``refusals`` holds what is known now (None: admitted so far); ``pending`` the positions
    whose signatures the workers are checking, in the order they were sent.
    """

    def __init__(
        self,
        refusals: list[Refusal],
        transactions: Sequence[Transaction],
        pending: tuple[list[int], PendingVerdicts] | None = None,
    ) -> None:
        self._refusals = refusals
        self._transactions = transactions
        self._pending = pending
        self._final: list[Refusal] | None = None if pending else refusals

    @property
    def settled(self) -> bool:
        """Whether every verdict is in (no signature is being checked)."""
        return self._final is not None

    def assumed(self) -> list[Refusal]:
        """The refusals if every signature still being checked turns out to verify."""
        return self._refusals

    def as_assumed(self) -> bool:
        """Wait for every verdict; whether every signature checked verified."""
        return self.final() is self._refusals

    def final(self) -> list[Refusal]:
        """Wait for every verdict; the refusals, bad signatures included."""
        if self._final is None:
            assert self._pending is not None
            positions, pending = self._pending
            bad = [i for i, good in zip(positions, pending.result(), strict=True) if not good]
            self._final = self._refusals
            if bad:
                self._final = list(self._refusals)
                for position in bad:
                    self._final[position] = bad_signature(self._transactions[position])
        return self._final


def bad_signature(transaction: Transaction) -> RejectedError:
    """The refusal of a transaction whose signature does not verify."""
    return bad_signature_of_key(transaction.key_id)


def bad_signature_of_key(key_id: str) -> RejectedError:
    """``bad_signature`` of a transaction signed with the key ``key_id``."""
    return RejectedError(Code.BAD_SIGNATURE, f"signature does not verify with key {key_id}")
