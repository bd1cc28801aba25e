"""Which checkpoint the log publishes, and the checkpoint documents every surface reads.

Without witnesses the log publishes its newest signed checkpoint; with witnesses, only the
newest one the home's quorum of them cosigned (ADR 0012). ``/checkpoint``, receipts, the
tiles mirror, ``krai log …``, ``/v1/checkpoint…`` and the dashboard all ask this module, so
they cannot disagree (ADR 0020).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from krai.app.ports import Clock, Storage, StoredCheckpoint
from krai.app.witnesses import CosignedNote, CosignedStore, Witness, WitnessClient, WitnessOutcome
from krai.log.note import NoteVerifier, format_vkey

if TYPE_CHECKING:
    from krai.log.cosigned import CosignedCheckpoint


class NotYetPublishedError(LookupError):
    """Not published yet: no checkpoint has the witnesses' quorum, or (receipts) the entry is
    not yet under the checkpoint receipts are issued under."""


@dataclass(frozen=True)
class Publication:
    """A log, its key, its witnesses and how many of them must cosign a published checkpoint."""

    origin: str
    storage: Storage
    verifier: NoteVerifier
    witnesses: Sequence[Witness]
    quorum: int
    store: CosignedStore | None
    """Where cosigned notes are kept; None when the storage keeps none (in memory)."""

    @property
    def witnessed(self) -> bool:
        """Whether witnesses are configured (and their cosignatures can be kept)."""
        return bool(self.witnesses) and self.store is not None


def latest_checkpoint(log: Publication) -> dict[str, Any] | None:
    """The newest signed checkpoint: origin, size, root, signing time, note, the log's vkey."""
    found = log.storage.latest_checkpoint()
    if found is None:
        return None
    return {"origin": log.origin, **checkpoint_json(found), "vkey": format_vkey(log.verifier)}


def cosigned_checkpoint(log: Publication) -> "tuple[CosignedNote, CosignedCheckpoint] | None":
    """The newest checkpoint cosigned by the quorum of witnesses, verified; None without
    witnesses or before a quorum cosigned one."""
    if log.store is None or not log.witnesses:
        return None
    from krai.app.cosigning import published  # noqa: PLC0415 - only a log with witnesses

    return published(log.store, log.verifier, log.witnesses, log.quorum)


def published_note(log: Publication) -> str | None:
    """The note ``/checkpoint`` serves when witnesses are configured; without them, the newest
    signed checkpoint with the cosignatures kept for it (a follower's mirror cosignature), or
    None when none are kept (the newest signed note is then the published one).
    ``NotYetPublishedError`` when witnesses are configured but no checkpoint has their quorum
    yet."""
    if not log.witnesses:
        return _mirror_cosigned_note(log)
    return _cosigned_or_refuse(log)[0].note


def published_size_and_note(log: Publication) -> tuple[int, str] | None:
    """The size and note of the checkpoint the log publishes now (what it pushes to its
    mirrors, ADR 0037), or None before one is signed (or, with witnesses, cosigned)."""
    if log.witnesses:
        found = cosigned_checkpoint(log)
        return None if found is None else (found[0].size, found[0].note)
    latest = log.storage.latest_checkpoint()
    if latest is None:
        return None
    return latest.size, _mirror_cosigned_note(log) or latest.note


def _mirror_cosigned_note(log: Publication) -> str | None:
    """Without witnesses: the newest signed checkpoint's note with the cosignature lines
    kept for it (a follower's own mirror cosignature, ADR 0036), or None when none are."""
    latest = log.storage.latest_checkpoint()
    if latest is None or log.store is None:
        return None
    cosigned = log.store.cosigned_at(latest.size)
    return None if cosigned is None else cosigned.note


def published_checkpoint(log: Publication) -> dict[str, Any] | None:
    """The checkpoint the log publishes, as JSON: the latest checkpoint's fields, and with
    witnesses the cosigned one with its cosignatures, the quorum and every witness (None when
    nothing is signed; ``NotYetPublishedError`` when no checkpoint has the quorum yet)."""
    if not log.witnesses:
        latest = latest_checkpoint(log)
        if latest is None:
            return None
        note = _mirror_cosigned_note(log) or latest["note"]
        return {**latest, "note": note, "quorum": 0, "cosignatures": [], "witnesses": []}
    stored, verified = _cosigned_or_refuse(log)
    sizes = log.store.witness_sizes() if log.store is not None else {}
    return {
        "origin": log.origin,
        "size": verified.checkpoint.size,
        "root_hash": verified.checkpoint.root_hash.hex(),
        "time_ms": stored.time_ms,
        "note": stored.note,
        "vkey": format_vkey(log.verifier),
        "quorum": log.quorum,
        "cosignatures": [
            {"key_name": name, "timestamp": verified.timestamps[name]}
            for name in verified.cosigners
        ],
        "witnesses": [_witness_json(witness, sizes) for witness in log.witnesses],
    }


def _cosigned_or_refuse(log: Publication) -> "tuple[CosignedNote, CosignedCheckpoint]":
    found = cosigned_checkpoint(log)
    if found is None:
        raise NotYetPublishedError(
            f"no checkpoint has been cosigned by {log.quorum} of the log's "
            f"{len(log.witnesses)} witnesses yet"
        )
    return found


def _witness_json(witness: Witness, sizes: dict[str, int]) -> dict[str, Any]:
    return {
        "name": witness.name,
        "url": witness.url,
        "vkey": format_vkey(witness.verifier),
        "cosigned_size": sizes.get(witness.name),
    }


def collect_once(log: Publication, client: WitnessClient, clock: Clock) -> list[WitnessOutcome]:
    """One round: the newest checkpoint sent to every witness that has not cosigned it."""
    if log.store is None or not log.witnesses:
        return []
    from krai.app.cosigning import CosignatureCollector  # noqa: PLC0415 - only with witnesses

    collector = CosignatureCollector(log.storage, log.store, client, log.witnesses, clock)
    try:
        return collector.collect()
    finally:
        collector.close()


@contextmanager
def cosigning(
    log: Publication, client: WitnessClient, clock: Clock, interval_s: float = 1.0
) -> Iterator[bool]:
    """Gather cosignatures in the background while the block runs, if witnesses are
    configured; yields whether it does."""
    if log.store is None or not log.witnesses:
        yield False
        return
    from krai.app.cosigning import CollectorThread, CosignatureCollector  # noqa: PLC0415

    collector = CosignatureCollector(log.storage, log.store, client, log.witnesses, clock)
    thread = CollectorThread(collector, log.storage, interval_s)
    thread.start()
    try:
        yield True
    finally:
        thread.stop()


def checkpoint_json(checkpoint: StoredCheckpoint) -> dict[str, Any]:
    """A stored checkpoint as JSON: size, root, signing time and the signed note."""
    return {
        "size": checkpoint.size,
        "root_hash": checkpoint.root_hash.hex(),
        "time_ms": checkpoint.time_ms,
        "note": checkpoint.note,
    }
