"""The log gathers witness cosignatures and publishes only checkpoints a quorum cosigned.

``CosignatureCollector.collect`` takes the newest signed checkpoint and sends it to each
witness (C2SP tlog-witness ``add-checkpoint``) with the consistency proof from the size that
witness last cosigned; on 409 it adopts the witness's size and tries once more. Verified
cosignature lines are added to the checkpoint's note and stored, so a checkpoint gathers
cosignatures over several rounds if a witness was away. ``published`` is the newest stored
note that the home's policy (the log's key, its witnesses, k of them) accepts.

Witnesses are reached through ``WitnessClient`` and notes stored through ``CosignedStore``,
both passed in: nothing here does I/O itself. ``CollectorThread`` runs rounds in the
background: at most one per interval, when a new checkpoint was signed, and again after a
pause while a checkpoint still lacks a witness.
"""

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from krai.app.ports import Clock, Storage, StoredCheckpoint
from krai.app.proofs import prove_consistency
from krai.app.witnesses import (
    CosignedNote,
    CosignedStore,
    Witness,
    WitnessClient,
    WitnessOutcome,
    WitnessReply,
    WitnessUnreachableError,
)
from krai.log.cosigned import CosignedCheckpoint, verify_cosigned
from krai.log.note import (
    Note,
    NoteError,
    NoteVerifier,
    Signature,
    format_note,
    parse_note,
)
from krai.log.witness import WitnessRequestError, format_add_checkpoint, parse_size
from krai.tx.errors import RejectedError

__all__ = [  # the witnesses' types, where the cosigning's users have long imported them
    "CollectorThread",
    "CosignatureCollector",
    "CosignedNote",
    "CosignedStore",
    "Witness",
    "WitnessClient",
    "WitnessOutcome",
    "WitnessReply",
    "WitnessUnreachableError",
    "add_lines",
    "published",
]
logger = logging.getLogger(__name__)
NEWEST_CANDIDATES = 8


class CosignatureCollector:
    """Gathers the witnesses' cosignatures of the newest checkpoint, one round at a time."""

    def __init__(
        self,
        storage: Storage,
        store: CosignedStore,
        client: WitnessClient,
        witnesses: Sequence[Witness],
        clock: Clock,
    ) -> None:
        self._storage = storage
        self._store = store
        self._client = client
        self._witnesses = list(witnesses)
        self._clock = clock
        self._pool = ThreadPoolExecutor(max(1, len(self._witnesses)), "krai-witness")

    def collect(self) -> list[WitnessOutcome]:
        """Ask every witness that has not cosigned the newest checkpoint; store what they
        cosign. One outcome per witness asked."""
        latest = self._storage.latest_checkpoint()
        if latest is None or not self._witnesses:
            return []
        existing = self._store.cosigned_at(latest.size)
        note = parse_note(existing.note if existing else latest.note)
        done = {w.name for w in self._witnesses if _line_of(w, note) is not None}
        sizes = self._store.witness_sizes()
        asked = [w for w in self._witnesses if w.name not in done]
        futures = [self._pool.submit(self._ask, w, latest, sizes.get(w.name, 0)) for w in asked]
        results = [future.result() for future in futures]
        lines = [line for _, line in results if line is not None]
        add_lines(self._store, latest.size, latest.note, lines, self._clock.now_ms())
        return [outcome for outcome, _ in results]

    def close(self) -> None:
        """Stop the request threads."""
        self._pool.shutdown(wait=True)

    def _ask(
        self, witness: Witness, checkpoint: StoredCheckpoint, old_size: int
    ) -> tuple[WitnessOutcome, Signature | None]:
        """Send the checkpoint; on 409 adopt the witness's size and send once more."""
        for attempt in range(2):
            try:
                reply = self._send(witness, checkpoint, old_size)
            except (WitnessUnreachableError, RejectedError) as error:
                return self._failed(witness, checkpoint, str(error)), None
            if reply.status == 409 and attempt == 0:
                try:
                    old_size = parse_size(reply.body.removesuffix("\n"))
                except WitnessRequestError:
                    return self._failed(witness, checkpoint, "409 with a malformed size"), None
                self._store.set_witness_size(witness.name, old_size, self._clock.now_ms())
                continue
            return self._received(witness, checkpoint, reply)
        return self._failed(witness, checkpoint, "409 twice"), None

    def _send(self, witness: Witness, checkpoint: StoredCheckpoint, old_size: int) -> WitnessReply:
        if old_size > checkpoint.size:
            raise WitnessUnreachableError(
                f"the witness cosigned size {old_size}, beyond this log's {checkpoint.size}"
            )
        proof = prove_consistency(self._storage, old_size, checkpoint.size).proof
        body = format_add_checkpoint(old_size, proof, checkpoint.note)
        return self._client.add_checkpoint(witness.url, body)

    def _received(
        self, witness: Witness, checkpoint: StoredCheckpoint, reply: WitnessReply
    ) -> tuple[WitnessOutcome, Signature | None]:
        if reply.status != 200:
            detail = f"HTTP {reply.status}: {reply.body.strip()[:200]}"
            return self._failed(witness, checkpoint, detail), None
        line = _verified_line(witness, checkpoint.note, reply.body)
        if line is None:
            return self._failed(witness, checkpoint, "no valid cosignature in the answer"), None
        self._store.set_witness_size(witness.name, checkpoint.size, self._clock.now_ms())
        return WitnessOutcome(witness.name, checkpoint.size, True, "cosigned"), line

    def _failed(
        self, witness: Witness, checkpoint: StoredCheckpoint, detail: str
    ) -> WitnessOutcome:
        logger.warning(
            "witness %s did not cosign size %d: %s", witness.name, checkpoint.size, detail
        )
        return WitnessOutcome(witness.name, checkpoint.size, False, detail)


_NOTES_LOCK = threading.Lock()
"""Held while a stored note gains lines: witnesses and mirrors answer on other threads."""


def add_lines(
    store: CosignedStore,
    size: int,
    signed_note: str,
    lines: Sequence[Signature],
    now_ms: int,
    *,
    counted: bool = True,
) -> None:
    """Add to the stored note of the checkpoint of ``size`` (else to ``signed_note``, the
    log's) the ``lines`` it lacks; ``counted``: they are witnesses' (the quorum's count)."""
    if not lines:
        return
    with _NOTES_LOCK:
        existing = store.cosigned_at(size)
        note = parse_note(existing.note if existing else signed_note)
        have = {(line.name, line.key_id) for line in note.signatures}
        new = [line for line in lines if (line.name, line.key_id) not in have]
        if not new:
            return
        count = (existing.cosignatures if existing else 0) + (len(new) if counted else 0)
        merged = format_note(Note(note.text, (*note.signatures, *new)))
        store.store_cosigned(CosignedNote(size, merged, count, now_ms))


def _verified_line(witness: Witness, note_text: str, body: str) -> Signature | None:
    """The witness's verifying cosignature among the answer's lines (others are ignored)."""
    text = parse_note(note_text).text
    try:
        answer = parse_note(text + "\n" + body)
    except NoteError:
        return None
    for signature in answer.signatures:
        if _is_of(witness, signature) and witness.verifier.verify(text, signature.sig):
            return signature
    return None


def _line_of(witness: Witness, note: Note) -> Signature | None:
    return next((s for s in note.signatures if _is_of(witness, s)), None)


def _is_of(witness: Witness, signature: Signature) -> bool:
    return (signature.name, signature.key_id) == (witness.verifier.name, witness.verifier.key_id)


def published(
    store: CosignedStore, log: NoteVerifier, witnesses: Sequence[Witness], k: int
) -> tuple[CosignedNote, CosignedCheckpoint] | None:
    """The newest stored note that the log signs and ``k`` of ``witnesses`` cosign."""
    verifiers = [w.verifier for w in witnesses]
    for candidate in store.newest_cosigned(k, NEWEST_CANDIDATES):
        try:
            return candidate, verify_cosigned(candidate.note, log, verifiers, k)
        except ValueError as error:  # QuorumError, NoteError, PolicyError (k outside 1..n)
            logger.warning("stored cosigned note of size %d refused: %s", candidate.size, error)
    return None


class CollectorThread:
    """Runs collection rounds in a daemon thread until stopped."""

    def __init__(
        self,
        collector: CosignatureCollector,
        storage: Storage,
        interval_s: float = 1.0,
        retry_s: float = 5.0,
    ) -> None:
        self._collector = collector
        self._storage = storage
        self._interval_s = interval_s
        self._retry_s = retry_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="krai-cosigning", daemon=True)

    def start(self) -> None:
        """Start the rounds."""
        self._thread.start()

    def stop(self) -> None:
        """End the rounds (after the one under way) and the thread."""
        self._stopping.set()
        self._thread.join()
        self._collector.close()

    def _run(self) -> None:
        last_size: int | None = None
        retry_at = 0.0
        while not self._stopping.is_set():
            latest = self._storage.latest_checkpoint()
            size = None if latest is None else latest.size
            due = size != last_size or time.monotonic() >= retry_at
            if size is not None and due:
                last_size = size
                retry_at = self._round()
            self._stopping.wait(self._interval_s)

    def _round(self) -> float:
        """One round; when to try again if a witness did not cosign (else never)."""
        try:
            outcomes = self._collector.collect()
        except Exception:
            logger.exception("a cosigning round failed")
            return time.monotonic() + self._retry_s
        if all(outcome.cosigned for outcome in outcomes):
            return float("inf")
        return time.monotonic() + self._retry_s
