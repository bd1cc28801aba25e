"""The log pushes what it publishes to its mirrors and gathers their cosignatures (C2SP
tlog-mirror, the client's side; ADR 0037).

For each mirror whose cosignature the published checkpoint lacks, ``MirrorPusher.push``
sends ``add-checkpoint`` (the published note, witness cosignatures included, with the
consistency proof from the size the mirror last recorded; on 409 it adopts the mirror's size
and tries once more), then ``add-entries`` from the mirror's next entry: at most 32 entry
packages a request, each with its subtree consistency proof, following the mirror-info of
each 202 or 409 until the mirror answers 200 with its cosignature. A verifying line is added
to the checkpoint's stored note, so ``/checkpoint`` and the receipts issued under it carry
it (lines of unknown keys are ignored).

Nothing here runs on the path of a transaction: ``MirrorThread`` pushes in the background,
after publication. A mirror that fails is tried again after a back-off that doubles from
``FIRST_RETRY_MS`` up to ``MAX_RETRY_MS``; each mirror's state is kept in
``<home>/follow/mirrors.json`` for ``/v1/status``.
"""

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from krai.app.cosigning import CosignedStore, WitnessReply, WitnessUnreachableError, add_lines
from krai.app.ports import Clock, FollowerFiles, Storage
from krai.app.proofs import prove_consistency
from krai.log.checkpoint import parse_checkpoint_text
from krai.log.mirror import (
    MAX_REQUEST_PACKAGES,
    AddEntries,
    EntryPackage,
    MirrorRequestError,
    format_add_entries,
    package_spans,
    parse_mirror_info,
    subtree_consistency_proof,
)
from krai.log.note import CosignatureVerifier, NoteError, Signature, parse_note
from krai.log.witness import WitnessRequestError, format_add_checkpoint, parse_size
from krai.tx.errors import RejectedError

logger = logging.getLogger(__name__)

STATUS_FILE = "mirrors.json"
FIRST_RETRY_MS = 1_000
MAX_RETRY_MS = 60_000
MAX_UPLOAD_REQUESTS = 64
"""add-entries requests in one push before it counts as failed (and is tried again)."""


@dataclass(frozen=True)
class Mirror:
    """A mirror the log pushes to: its name here, submission prefix and cosignature key."""

    name: str
    url: str
    verifier: CosignatureVerifier


class MirrorClient(Protocol):
    """Sends tlog-mirror requests."""

    def add_checkpoint(self, url: str, body: bytes) -> WitnessReply:
        """POST ``body`` to ``<url>/add-checkpoint``; raise ``WitnessUnreachableError``."""
        ...

    def add_entries(self, url: str, body: bytes) -> WitnessReply:
        """POST ``body`` to ``<url>/add-entries``; raise ``WitnessUnreachableError``."""
        ...


@dataclass
class MirrorState:
    """What the log knows of a mirror, as ``/v1/status`` shows it."""

    name: str
    url: str
    cosigned_size: int | None = None
    recorded_size: int = 0
    """The mirror's pending size, as it last told (the old size of the next push)."""
    failures: int = 0
    error: str | None = None
    retry_at_ms: int = 0
    checked_at_ms: int | None = None


class PushFailedError(Exception):
    """A mirror did not cosign: unreachable, refused, or answered what does not verify."""


Published = Callable[[], tuple[int, str] | None]
"""The size and note of the checkpoint the log publishes now, or None."""


class MirrorPusher:
    """Pushes the published checkpoint to each mirror that has not cosigned it."""

    def __init__(
        self,
        storage: Storage,
        *,
        store: CosignedStore,
        client: MirrorClient,
        mirrors: Sequence[Mirror],
        clock: Clock,
        published: Published,
        files: FollowerFiles,
    ) -> None:
        self._storage = storage
        self._store = store
        self._client = client
        self._mirrors = list(mirrors)
        self._clock = clock
        self._published = published
        self._files = files
        self._states = {m.name: MirrorState(m.name, m.url) for m in self._mirrors}

    def states(self) -> list[MirrorState]:
        """Each mirror's state, in the order configured."""
        return [self._states[m.name] for m in self._mirrors]

    def round(self) -> list[MirrorState]:
        """Push to every mirror that lacks a cosignature and whose back-off has passed."""
        found = self._published()
        if found is None:
            return self.states()
        size, note = found
        now = self._clock.now_ms()
        for mirror in self._mirrors:
            state = self._states[mirror.name]
            if self._has_line(mirror, size) or now < state.retry_at_ms:
                continue
            self._push_recorded(mirror, size, note)
        self._write_states()
        return self.states()

    def _write_states(self) -> None:
        self._files.write(STATUS_FILE, json.dumps([asdict(s) for s in self.states()]).encode())

    def _push_recorded(self, mirror: Mirror, size: int, note: str) -> None:
        state = self._states[mirror.name]
        state.checked_at_ms = self._clock.now_ms()
        try:
            line = self.push(mirror, size, note)
        except PushFailedError as error:
            state.failures += 1
            state.error = str(error)
            backoff = min(MAX_RETRY_MS, FIRST_RETRY_MS << min(state.failures - 1, 16))
            state.retry_at_ms = self._clock.now_ms() + backoff
            logger.warning("mirror %s did not cosign size %d: %s", mirror.name, size, error)
            return
        state.cosigned_size, state.failures, state.error, state.retry_at_ms = size, 0, None, 0
        self._write_states()  # first: whoever sees the line in the note sees it in the status
        add_lines(self._store, size, note, [line], self._clock.now_ms(), counted=False)

    def push(self, mirror: Mirror, size: int, note: str) -> Signature:
        """Send checkpoint ``note`` of ``size`` and its entries; the mirror's verified
        cosignature (``PushFailedError`` if there is none)."""
        state = self._states[mirror.name]
        state.recorded_size = self._add_checkpoint(mirror, size, note, state.recorded_size)
        origin = parse_checkpoint_text(parse_note(note).text).origin
        start, ticket = state.recorded_size, b""
        state.recorded_size = size
        for _ in range(MAX_UPLOAD_REQUESTS):
            body = format_add_entries(
                AddEntries(origin, start, size, ticket), self._packages(start, size)
            )
            reply = self._send(self._client.add_entries, mirror, body)
            if reply.status == 200:
                return self._verified(mirror, note, reply.body)
            if reply.status not in {202, 409}:
                raise PushFailedError(f"add-entries: {_describe(reply)}")
            try:
                info = parse_mirror_info(reply.body)
            except MirrorRequestError as error:
                raise PushFailedError(f"add-entries: HTTP {reply.status}: {error}") from None
            if reply.status == 409 and info.size != size:
                state.recorded_size = info.size
                raise PushFailedError(f"the mirror's pending checkpoint is {info.size}, not {size}")
            start, ticket = info.next_entry, info.ticket
        raise PushFailedError(f"add-entries: no cosignature after {MAX_UPLOAD_REQUESTS} requests")

    def _add_checkpoint(self, mirror: Mirror, size: int, note: str, old_size: int) -> int:
        """Record the checkpoint as the mirror's pending one; the size it had before."""
        for attempt in range(2):
            if old_size > size:
                raise PushFailedError(f"the mirror recorded size {old_size}, beyond {size}")
            proof = prove_consistency(self._storage, old_size, size).proof
            body = format_add_checkpoint(old_size, proof, note)
            reply = self._send(self._client.add_checkpoint, mirror, body)
            if reply.status == 200:
                return old_size
            if reply.status != 409 or attempt:
                raise PushFailedError(f"add-checkpoint: {_describe(reply)}")
            try:
                old_size = parse_size(reply.body.removesuffix("\n"))
            except WitnessRequestError:
                raise PushFailedError("add-checkpoint: 409 with a malformed size") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _packages(self, start: int, size: int) -> list[EntryPackage]:
        packages = []
        for subtree_start, first, last in package_spans(start, size)[:MAX_REQUEST_PACKAGES]:
            entries = tuple(entry.data for entry in self._storage.entries(first, last))
            proof = subtree_consistency_proof(self._storage, subtree_start, last, size)
            packages.append(EntryPackage(subtree_start, first, entries, tuple(proof)))
        return packages

    def _send(
        self, method: Callable[[str, bytes], WitnessReply], mirror: Mirror, body: bytes
    ) -> WitnessReply:
        try:
            return method(mirror.url, body)
        except (WitnessUnreachableError, RejectedError) as error:
            raise PushFailedError(str(error)) from None

    def _verified(self, mirror: Mirror, note: str, body: str) -> Signature:
        """The mirror's cosignature among the answer's lines (others are ignored)."""
        text = parse_note(note).text
        try:
            answer = parse_note(text + "\n" + body)
        except NoteError as error:
            raise PushFailedError(f"the answer is not cosignature lines: {error}") from None
        key = mirror.verifier
        for line in answer.signatures:
            if (line.name, line.key_id) == (key.name, key.key_id) and key.verify(text, line.sig):
                return line
        raise PushFailedError("the answer holds no valid cosignature by the mirror's key")

    def _has_line(self, mirror: Mirror, size: int) -> bool:
        stored = self._store.cosigned_at(size)
        if stored is None:
            return False
        key = mirror.verifier
        return any(
            (line.name, line.key_id) == (key.name, key.key_id)
            for line in parse_note(stored.note).signatures
        )


def _describe(reply: WitnessReply) -> str:
    return f"HTTP {reply.status}: {reply.body.strip()[:200]}"


def read_mirror_states(files: FollowerFiles) -> list[dict[str, Any]] | None:
    """The mirrors' states the pusher last wrote, or None before its first round."""
    data = files.read(STATUS_FILE)
    return None if data is None else list(json.loads(data))


class MirrorThread:
    """Runs push rounds in a daemon thread until stopped."""

    def __init__(self, pusher: MirrorPusher, interval_s: float = 0.5) -> None:
        self._pusher = pusher
        self._interval_s = interval_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="krai-mirrors", daemon=True)

    def start(self) -> None:
        """Start the rounds."""
        self._thread.start()

    def stop(self) -> None:
        """End the rounds (after the one under way) and the thread."""
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._pusher.round()
            except Exception:
                logger.exception("a mirror round failed")
            self._stopping.wait(self._interval_s)
