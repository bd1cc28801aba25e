"""Admission off the sequencer (ADR 0028): API workers admit, one sequencer orders and commits.

With ``krai serve --workers N`` (N > 1) each API worker decodes a submission, finds each
signer's key in committed state and verifies the signature itself, on its own core; it then
sends the transactions with the key each one verified with (``None``: not verified here) to
the one sequencer over a local channel. The sequencer still checks type, network, key and
role against its own state, every rule and the nonce; it takes a signature as verified only
when the key the worker verified it with is the very key it finds now for that signer and
key id, and verifies any other itself. It answers a request once the batch holding its
transactions is durable, so a receipt still follows the commit. A request travels as one unit
(one message, one entry in the group committer, one answer, one wake-up of its worker).

A worker keeps the keys it looked up for ``KEYS_FRESH_S``: only a pre-check, since the
sequencer checks the key against the state it commits on, so a key revoked meanwhile costs
the sequencer one verification and the transaction its refusal, never a wrong commit.

The channel is a ``multiprocessing.connection`` over a Unix socket in a new directory only
its owner may enter (mode 0700, the socket 0600), and a client must also prove it knows the
random key in that directory (``authkey``: an HMAC challenge) before anything is read from it.
Its messages are bytes, not pickles (``krai.app.admission_wire``, ADR 0050): a request's
transactions as their canonical bytes in one buffer, the answers as fixed-size receipts.
"""

import contextlib
import itertools
import os
import queue
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from krai.app.admission_wire import (
    answers_bytes,
    failure_bytes,
    read_reply,
    read_request,
    reply_tag,
    request_bytes,
)
from krai.app.cached_state import CachedState
from krai.app.group_commit import GroupCommitter
from krai.app.ports import Storage
from krai.app.sequencer import Outcome, Sequencer
from krai.crypto.keys import PublicKey
from krai.state.engine import Engine
from krai.tx.envelope import Transaction
from krai.tx.errors import RejectedError

CHANNEL_ENV = "KRAI_SEQUENCER_CHANNEL"
"""The environment variable naming the channel's directory, for the API workers."""
SOCKET_NAME = "sequencer.sock"
KEY_NAME = "authkey"
KEYS_FRESH_S = 1.0
"""How long an API worker trusts a signing key it looked up, as a pre-check only."""
KEYS_HELD_MAX = 10_000
"""The most keys a worker holds; past it, it forgets them all and looks them up again."""


class SequencerUnavailableError(RuntimeError):
    """The sequencer could not be reached, or went away before it answered."""


def verified_keys(
    engine: Engine, storage: Storage, transactions: Sequence[Transaction]
) -> list[PublicKey | None]:
    """Admission on an API worker: for each transaction, the key its signature verified with
    against committed state, or None when it was not verified here (unknown signer or key,
    a role or type refused, a bad signature: the sequencer decides those, in order, as it
    would without this step)."""
    state = CachedState(storage)  # one request's view: a key added a moment ago is seen
    keys: dict[KeyQuestion, PublicKey | None] = {}
    verified: list[PublicKey | None] = []
    for tx in transactions:
        asked = (tx.network, tx.signer, tx.key_id, tx.type, tx.version)
        if asked not in keys:
            keys[asked] = _signing_key(engine, state, tx)
        key = keys[asked]
        verified.append(key if key is not None and tx.verify_signature(key) else None)
    return verified


KeyQuestion = tuple[str, str, str, str, int]
"""What decides a signing key: network, signer, key id, type and version."""


class RecentKeys:
    """An API worker's signing keys as looked up in committed state at most ``fresh_s`` ago
    (None: no key it may vouch with); a pre-check, the sequencer decides (ADR 0039)."""

    def __init__(
        self,
        engine: Engine,
        storage: Storage,
        fresh_s: float = KEYS_FRESH_S,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._storage = storage
        self._fresh_s = fresh_s
        self._now = now
        self._keys: dict[KeyQuestion, PublicKey | None] = {}
        self._since = now()

    def verified(self, transactions: Sequence[Transaction]) -> list[PublicKey | None]:
        """As ``verified_keys``, with the keys looked up at most ``fresh_s`` ago."""
        self._forget_stale()
        state: CachedState | None = None
        verified: list[PublicKey | None] = []
        for tx in transactions:
            asked = (tx.network, tx.signer, tx.key_id, tx.type, tx.version)
            if asked not in self._keys:
                state = state or CachedState(self._storage)
                self._keys[asked] = _signing_key(self._engine, state, tx)
            key = self._keys[asked]
            verified.append(key if key is not None and tx.verify_signature(key) else None)
        return verified

    def _forget_stale(self) -> None:
        now = self._now()
        if now - self._since >= self._fresh_s or len(self._keys) > KEYS_HELD_MAX:
            self._keys.clear()
            self._since = now


def _signing_key(engine: Engine, state: CachedState, tx: Transaction) -> PublicKey | None:
    try:
        return engine.preflight(state, tx)
    except RejectedError:
        return None


class AdmissionServer:
    """The sequencer's end of the channel: every connected API worker's admitted
    transactions go into one group committer; each request is answered once durable."""

    def __init__(self, sequencer: Sequencer, max_batch: int = 1_000) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="krai-sequencer-"))  # mode 0700
        self._authkey = secrets.token_bytes(32)
        key_file = self.directory / KEY_NAME
        key_file.touch(mode=0o600)
        key_file.write_bytes(self._authkey)
        socket_path = self.directory / SOCKET_NAME
        self._listener = Listener(str(socket_path), "AF_UNIX", authkey=self._authkey)
        socket_path.chmod(0o600)
        self._committer = GroupCommitter(sequencer, max_batch)
        self._connections: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._accepting = threading.Thread(target=self._accept, name="admission", daemon=True)
        self._accepting.start()

    def environment(self) -> dict[str, str]:
        """What an API worker's environment needs to reach this server."""
        return {CHANNEL_ENV: str(self.directory)}

    def close(self) -> None:
        """Stop accepting, disconnect the workers, commit what is queued, remove the socket."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        with contextlib.suppress(OSError):  # wake the accepting thread
            Client(self._listener.address, "AF_UNIX", authkey=self._authkey).close()
        self._accepting.join(5)
        self._listener.close()
        for connection in connections:
            hang_up(connection)
        self._committer.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _accept(self) -> None:
        while True:
            try:
                connection = self._listener.accept()
            except (OSError, EOFError, AuthenticationError):  # closed, or failed the challenge
                if self._closed:
                    return
                continue
            with self._lock:
                if self._closed:
                    connection.close()
                    return
                self._connections.append(connection)
            _Served(connection, self._committer).start()


class _Served:
    """One API worker's connection: a thread that reads its requests into the committer,
    and one that writes the replies (so the committer never waits for a worker)."""

    def __init__(self, connection: Connection, committer: GroupCommitter) -> None:
        self._connection = connection
        self._committer = committer
        self._replies: queue.Queue[bytes | None] = queue.Queue()

    def start(self) -> None:
        threading.Thread(target=self._read, name="admission-read", daemon=True).start()
        threading.Thread(target=self._write, name="admission-write", daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                self._queue(*read_request(self._connection.recv_bytes()))
        except Exception:  # the worker is gone, or spoke nonsense: hang up
            hang_up(self._connection)
        finally:
            self._replies.put(None)

    def _queue(
        self, tag: int, transactions: list[Transaction], keys: list[PublicKey | None]
    ) -> None:
        future = self._committer.submit(transactions, keys)
        future.add_done_callback(lambda done: self._replies.put(_reply(tag, done)))

    def _write(self) -> None:
        try:
            while (reply := self._replies.get()) is not None:
                self._connection.send_bytes(reply)
        except OSError:
            pass  # the worker is gone; what it had sent is committed or refused all the same
        finally:
            self._connection.close()


def _reply(tag: int, future: "Future[list[Outcome]]") -> bytes:
    """The reply to request ``tag``: its outcomes, or why its batch was not committed."""
    error = future.exception()
    if error is not None:
        return failure_bytes(tag, str(error) or type(error).__name__)
    return answers_bytes(tag, future.result())


class AdmittingSubmitter:
    """An API worker's submitter: admits here, then sends to the sequencer and resolves each
    request's future with the outcomes the sequencer answers after its commit."""

    def __init__(
        self,
        engine: Engine,
        storage: Storage,
        directory: Path,
        lost: Callable[[], None] = lambda: None,
        keys_fresh_s: float = KEYS_FRESH_S,
    ) -> None:
        self._keys = RecentKeys(engine, storage, keys_fresh_s)
        self._lost = lost
        authkey = (directory / KEY_NAME).read_bytes()
        self._connection = Client(str(directory / SOCKET_NAME), "AF_UNIX", authkey=authkey)
        self._tags = itertools.count(1)
        self._waiting: dict[int, tuple[Future[list[Outcome]], Sequence[Transaction]]] = {}
        self._lock = threading.Lock()
        self._closing = False
        self._reader = threading.Thread(target=self._read, name="admission-replies", daemon=True)
        self._reader.start()

    def submit(self, transactions: Sequence[Transaction]) -> "Future[list[Outcome]]":
        """Admit the transactions here, then queue them on the sequencer in order, as one
        unit; the future resolves to their outcomes once the sequencer committed them."""
        future: Future[list[Outcome]] = Future()
        if not transactions:
            future.set_result([])
            return future
        try:
            keys = self._keys.verified(transactions)
        except Exception:  # a failed read here only means the sequencer verifies them all
            keys = [None] * len(transactions)
        with self._lock:
            tag = next(self._tags)
            self._waiting[tag] = future, transactions
            try:
                self._connection.send_bytes(request_bytes(tag, transactions, keys))
            except (OSError, ValueError) as error:
                del self._waiting[tag]
                future.set_exception(
                    SequencerUnavailableError(f"the sequencer is unreachable: {error}")
                )
        return future

    def close(self) -> None:
        """Disconnect; requests still unanswered fail as unavailable."""
        self._closing = True
        hang_up(self._connection)
        self._reader.join(5)

    def _read(self) -> None:
        try:
            while True:
                reply = self._connection.recv_bytes()
                with self._lock:
                    future, transactions = self._waiting.pop(reply_tag(reply))
                answers = read_reply(reply, transactions)
                if isinstance(answers, str):
                    future.set_exception(SequencerUnavailableError(answers))
                else:
                    future.set_result(answers)
        except Exception:  # noqa: S110 - the end of the channel, whatever ended it
            pass
        with self._lock:
            self._connection.close()
            waiting, self._waiting = self._waiting, {}
        for future, _ in waiting.values():
            future.set_exception(
                SequencerUnavailableError("the sequencer went away before answering")
            )
        if not self._closing:
            self._lost()


def hang_up(connection: Connection) -> None:
    """Shut a connection's socket down both ways, so a thread blocked reading it wakes."""
    with (
        contextlib.suppress(OSError),
        socket.socket(fileno=os.dup(connection.fileno())) as duplicate,
    ):
        duplicate.shutdown(socket.SHUT_RDWR)
