"""A witness's use case: judge an add-checkpoint request and keep its state, atomically.

The protocol itself is ``krai.log.witness`` (pure). Here the request is parsed, the log's
trusted keys looked up, and ``WitnessStore.judge`` runs the verdict against the checkpoint
recorded for that origin inside one storage transaction, so two requests cannot both extend
the same recorded checkpoint (the race tlog-witness warns of). The cosignature's time comes
from the clock passed in, in whole seconds.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from krai.app.ports import Clock
from krai.log.note import CosignatureSigner, NoteVerifier, parse_vkey
from krai.log.witness import (
    Recorded,
    Verdict,
    WitnessRequestError,
    judge,
    parse_add_checkpoint,
    refusal,
)


@dataclass(frozen=True)
class LogState:
    """A log the witness follows: its origin, verifier keys and last cosigned checkpoint."""

    origin: str
    vkeys: tuple[str, ...]
    recorded: Recorded | None


@dataclass(frozen=True)
class ConflictRecord:
    """Evidence kept by the witness: two signed views it could not reconcile."""

    id: int
    origin: str
    kind: str
    reason: str
    recorded_size: int
    recorded_root: bytes
    recorded_note: str
    presented_size: int
    presented_root: bytes
    presented_note: str
    old_size: int
    proof: tuple[bytes, ...]
    detected_s: int


class WitnessStore(Protocol):
    """The witness's durable state: followed logs, recorded checkpoints, conflicts."""

    def log(self, origin: str) -> LogState | None:
        """The followed log ``origin``, or None."""
        ...

    def judge(
        self, origin: str, decide: Callable[[Recorded | None], Verdict], now_s: int
    ) -> Verdict:
        """Run ``decide`` on the recorded checkpoint of ``origin`` and store, in the same
        transaction, the verdict's record (on 200) and its conflict (if any, once)."""
        ...


class WitnessService:
    """Answers add-checkpoint requests for the logs a store follows."""

    def __init__(self, store: WitnessStore, cosigner: CosignatureSigner, clock: Clock) -> None:
        self._store = store
        self._cosigner = cosigner
        self._clock = clock

    @property
    def cosigner(self) -> CosignatureSigner:
        """The witness's cosigning key."""
        return self._cosigner

    def add_checkpoint(self, body: bytes) -> Verdict:
        """The verdict on an add-checkpoint body (C2SP tlog-witness)."""
        try:
            request = parse_add_checkpoint(body)
        except WitnessRequestError as error:
            return refusal(400, str(error))
        state = self._store.log(request.origin)
        keys = None if state is None else log_verifiers(state.vkeys)
        now_s = self._clock.now_ms() // 1000
        if keys is None:
            return judge(request, None, None, self._cosigner, now_s)

        def decide(recorded: Recorded | None) -> Verdict:
            return judge(request, keys, recorded, self._cosigner, now_s)

        return self._store.judge(request.origin, decide, now_s)


def log_verifiers(vkeys: Sequence[str]) -> list[NoteVerifier]:
    """The note verifiers of a log's vkeys."""
    return [parse_vkey(vkey) for vkey in vkeys]
