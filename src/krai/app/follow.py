"""Following a remote log: a verified copy in a home of one's own, kept in step (ADR 0036).

Each poll reads the log's ``checkpoint`` and, if it is new, checks in order: the log's
signature under the pinned key (and the policy's witness quorum); that the log's tiles
fold into its root; that the tree stored here is a prefix of it (an RFC 9162 consistency
proof built from the tiles, checked against the root stored here and the signed root); then
(``CatchUp``) every entry's leaf hash against its tile, its signature, and its replay
against the state stored here. A few bundles at a time are stored with their tree nodes,
state and events in one database transaction, once the consistency proof from their end to
the signed size checks — the last ones together with the checkpoint, now accepted. A kill
at any point leaves whole groups, and the next poll goes on from there. A catch-up stored
in one transaction (a busy log's poll) skips the first two checks: the root of the stored
tree with the new leaves must be the signed root, which proves both; only if something does
not check are they run, to name the fault (ADR 0036, amended). A follower with a
mirror key then cosigns the accepted checkpoint (``MirrorCosigner``), never before.

What contradicts a signed checkpoint raises an ``AlarmError``: its evidence is kept in the
home and the follower stops advancing until an operator moves the alarm away.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from krai.app.cosigning import CosignatureCollector
from krai.app.follow_catch_up import CatchUp, KeptWorkers, stores_early
from krai.app.follow_mirror import MirrorCosigner
from krai.app.follow_peers import PeerError, check_peer
from krai.app.follow_status import (
    PENDING_FILE,
    STATUS_FILE,
    AlarmError,
    CannotAdvanceError,
    PollRecord,
    latest_alarm,
    read_poll,
)
from krai.app.follow_tiles import TileReadError, TileTree
from krai.app.ports import Batch, Clock, FollowerFiles, Storage, StoredCheckpoint
from krai.app.remote_verify import CHECKPOINT_PATH, MAX_CHECKPOINT_BYTES, TileSource
from krai.log.checkpoint import Checkpoint, open_checkpoint
from krai.log.cosigned import QuorumError, verify_with_policy
from krai.log.note import NoteError, NoteVerifier
from krai.log.policy import Policy
from krai.log.tree import CompactRange, consistency_proof, root_hash
from krai.log.verify import ProofError, verify_consistency
from krai.state.engine import Engine


@dataclass(frozen=True)
class Trust:
    """What the follower accepts: the log's pinned key, and optionally a tlog-policy."""

    verifier: NoteVerifier
    policy: Policy | None = None


@dataclass
class PollReport:
    """One poll: the sizes seen, the entries stored, and the alarm if one was raised."""

    size: int
    primary_size: int | None = None
    appended: int = 0
    accepted: int | None = None
    alarm: dict[str, Any] | None = None
    error: str | None = None
    raised: bool = False
    """Whether this poll raised the alarm (else it stood already, or there is none)."""
    peer_errors: list[str] = field(default_factory=list)
    """Peers that could not be compared (unreachable, or serving what the log did not sign)."""

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "size": self.size,
            "primary_size": self.primary_size,
            "appended": self.appended,
            "accepted": self.accepted,
            "alarm": self.alarm,
            "error": self.error,
            "peer_errors": self.peer_errors,
        }


WITNESS_CONFLICT = 422
"""A tlog-witness's answer to a checkpoint inconsistent with the one it recorded."""


class Follower:
    """Keeps ``storage`` a verified copy of the log ``source`` serves."""

    def __init__(
        self,
        storage: Storage,
        engine: Engine,
        *,
        source: TileSource,
        trust: Trust,
        files: FollowerFiles,
        clock: Clock,
        progress: Callable[[int], None] | None = None,
        peers: Sequence[TileSource] = (),
        workers: int = 0,
        keep_workers: bool = False,
        witnesses: CosignatureCollector | None = None,
        mirror: MirrorCosigner | None = None,
    ) -> None:
        """``workers`` signature worker processes check a long catch-up's signatures; with
        ``keep_workers`` they are kept from one poll to the next (until ``close``) and
        check every catch-up of a worker's request or more."""
        self._storage = storage
        self._engine = engine
        self._source = source
        self._trust = trust
        self._files = files
        self._clock = clock
        self._progress = progress
        self._peers = peers
        self._workers: int | KeptWorkers = KeptWorkers(workers) if keep_workers else workers
        self._witnesses = witnesses
        self._mirror = mirror

    def poll(self) -> PollReport:
        """Look at the log once and catch up with it, unless an alarm stands."""
        report = PollReport(self._storage.log_size())
        report.alarm = latest_alarm(self._files)
        if report.alarm is not None:
            return report
        checked_at = self._clock.now_ms()
        try:
            note = self._read_note()
        except CannotAdvanceError as error:
            report.error = str(error)
            self._record(None, checked_at, in_step=False, error=report.error)
            return self._compare_with_peers(report, checked_at)
        if not self._accept(report, note, self._source, checked_at):
            return report if report.alarm else self._compare_with_peers(report, checked_at)
        if report.appended:
            self._tell_witnesses(report, checked_at)
        return self._compare_with_peers(report, checked_at)

    def close(self) -> None:
        """Stop the signature workers kept between polls, if any."""
        if isinstance(self._workers, KeptWorkers):
            self._workers.close()

    def accept_pushed(self, note: str, source: TileSource) -> PollReport:
        """Verify, store and accept the checkpoint ``note`` from ``source``: a mirror
        client's pushed entries (C2SP tlog-mirror ``add-entries``, ADR 0037), checked
        exactly as a poll checks the log's own tiles. The caller holds the writer's lock."""
        report = PollReport(self._storage.log_size())
        report.alarm = latest_alarm(self._files)
        if report.alarm is None:
            self._accept(report, note, source, self._clock.now_ms())
        return report

    def raise_alarm(self, alarm: AlarmError, note: str = "") -> dict[str, Any]:
        """Keep the evidence of a contradiction found outside a poll (a pushed checkpoint
        that forks the pending one); the summary as stored."""
        return self._raise(alarm, note, self._clock.now_ms())

    def _accept(self, report: PollReport, note: str, source: TileSource, checked_at: int) -> bool:
        """Check ``note`` and catch up to it from ``source``; whether it was accepted (else
        ``report`` says why: an error, or the alarm this raised)."""
        try:
            checkpoint = self._open(note)
            report.primary_size = checkpoint.size
            if stores_early(report.size, checkpoint.size):  # long: say what it catches up to
                self._record(checkpoint.size, checked_at, in_step=False)
            report.appended = self._advance(checkpoint, note, source)
        except CannotAdvanceError as error:
            report.error = str(error)
            self._record(report.primary_size, checked_at, in_step=False, error=report.error)
            return False
        except AlarmError as alarm:
            report.alarm, report.raised = self._raise(alarm, note, checked_at), True
            return False
        report.size = self._storage.log_size()
        report.accepted = checkpoint.size
        self._record(checkpoint.size, checked_at, in_step=True)
        if self._mirror is not None:  # only now: the checkpoint and its entries are committed
            self._mirror.cosign_accepted(self._storage)
        return True

    def _tell_witnesses(self, report: PollReport, checked_at: int) -> None:
        """Send the newly accepted checkpoint to the policy's witnesses that have not
        cosigned it: one that answers 422 holds another history of the log (it keeps the
        conflict too) — the alarm ``witness_conflict``."""
        if self._witnesses is None:
            return
        for outcome in self._witnesses.collect():
            if outcome.cosigned:
                continue
            if not outcome.detail.startswith(f"HTTP {WITNESS_CONFLICT}"):
                report.peer_errors.append(f"witness {outcome.witness}: {outcome.detail}")
                continue
            accepted = self._storage.latest_checkpoint()
            alarm = AlarmError(
                "witness_conflict",
                f"witness {outcome.witness} refused the checkpoint of size {outcome.size} "
                f"accepted here: {outcome.detail}",
                {"accepted.note": accepted.note.encode()} if accepted else {},
            )
            report.alarm, report.raised = self._raise(alarm, "", checked_at), True
            return

    def _compare_with_peers(self, report: PollReport, checked_at: int) -> PollReport:
        """Check what each peer accepted against the tree stored here (gossip): a peer
        shown another history under the log's key raises the alarm ``peer_fork``."""
        if report.alarm is not None:
            return report
        for peer in self._peers:
            try:
                note = check_peer(self._storage, peer, self._trust.verifier)
            except PeerError as error:
                report.peer_errors.append(f"{peer.location}: {error}")
            except AlarmError as alarm:
                report.alarm, report.raised = self._raise(alarm, "", checked_at), True
                break
            else:
                if self._mirror is not None and self._trust.policy is not None:
                    self._mirror.gather(self._storage, note, self._trust.policy.witnesses)
        return report

    def _read_note(self) -> str:
        try:
            data = TileTree(self._source, 0).read(CHECKPOINT_PATH, MAX_CHECKPOINT_BYTES)
            return data.decode("utf-8")
        except TileReadError as error:
            raise CannotAdvanceError(str(error)) from None
        except UnicodeDecodeError:
            raise CannotAdvanceError("the checkpoint is not UTF-8 text") from None

    def _open(self, note: str) -> Checkpoint:
        """The checkpoint, if the pinned key signed it (else an alarm) and the policy's
        quorum cosigned it (else this poll waits)."""
        verifier = self._trust.verifier
        try:
            checkpoint = open_checkpoint(note, [verifier], verifier.name)
        except (ValueError, NoteError) as error:
            raise AlarmError(
                "bad_signature",
                f"the checkpoint does not verify with the pinned key {verifier.name}: {error}",
                {"shown.note": note.encode()},
            ) from None
        if self._trust.policy is not None:
            try:
                verify_with_policy(note, self._trust.policy)
            except (QuorumError, NoteError) as error:
                raise CannotAdvanceError(f"the policy refuses the checkpoint: {error}") from None
        return checkpoint

    def _advance(self, checkpoint: Checkpoint, note: str, source: TileSource) -> int:
        """Store the entries up to ``checkpoint`` and accept it; the entries appended."""
        size = self._storage.log_size()
        if checkpoint.size <= size:
            self._check_known(checkpoint, note)
            return 0
        tree = TileTree(source, checkpoint.size)
        try:
            if not stores_early(size, checkpoint.size):
                return self._catch_up_at_once(tree, checkpoint, note, size)
            self._diagnose(tree, checkpoint, note, size)
            self._files.write(PENDING_FILE, note.encode())  # what signed entries stored early
            appended = self._catch_up(tree, checkpoint, note)
        except TileReadError as error:
            raise CannotAdvanceError(str(error)) from None
        self._files.remove(PENDING_FILE)  # accepted: nothing stored is pending any more
        return appended

    def _catch_up(self, tree: TileTree, checkpoint: Checkpoint, note: str) -> int:
        catch_up = CatchUp(self._storage, self._engine, tree, checkpoint, note)
        return catch_up.run(
            lambda ours: self._check_prefix(tree, checkpoint, note, ours),
            self._workers,
            self._progress,
        )

    def _catch_up_at_once(
        self, tree: TileTree, checkpoint: Checkpoint, note: str, size: int
    ) -> int:
        """A catch-up stored in one transaction with its checkpoint: the root folded from the
        stored tree and the new verified leaves must be the signed one, which also proves the
        stored tree a prefix of it (ADR 0036, amended); only if something does not check are
        the log's tiles examined, to name the fault with its evidence."""
        try:
            appended = self._catch_up(tree, checkpoint, note)
        except AlarmError as alarm:
            self._diagnose(tree, checkpoint, note, size)
            if alarm.kind != "inconsistent":
                raise
            raise AlarmError(
                "tiles_disagree",
                f"the log's leaf tiles up to {checkpoint.size} do not fold into the signed root "
                f"{checkpoint.root_hash.hex()}, though its upper tiles do",
                alarm.evidence,
            ) from None
        self._files.remove(PENDING_FILE)  # an interrupted catch-up's, now accepted
        return appended

    def _diagnose(self, tree: TileTree, checkpoint: Checkpoint, note: str, size: int) -> None:
        """The log's tiles must fold into the signed root and the ``size`` entries stored
        here must be a prefix of it (a consistency proof from the tiles); else an alarm."""
        self._check_tiles(tree, checkpoint, note)
        if size:
            self._check_prefix(
                tree, checkpoint, note, CompactRange.from_reader(self._storage, size)
            )

    def _check_known(self, checkpoint: Checkpoint, note: str) -> None:
        """A checkpoint no larger than the stored tree must have its root; a newer one than
        the last accepted is accepted (its entries were stored before a kill)."""
        ours = root_hash(self._storage, checkpoint.size)
        if ours != checkpoint.root_hash:
            stored = self._storage.checkpoint_at(checkpoint.size)
            evidence = {"shown.note": note.encode(), "ours.root": ours.hex().encode()}
            if stored is not None:
                evidence["accepted.note"] = stored.note.encode()
            raise AlarmError(
                "second_root",
                f"a second root for size {checkpoint.size}: {checkpoint.root_hash.hex()}, "
                f"where the entries stored here give {ours.hex()}",
                evidence,
            )
        accepted = self._storage.latest_checkpoint()
        if checkpoint.size == self._storage.log_size() and (
            accepted is None or accepted.size < checkpoint.size
        ):
            self._storage.append_batch(
                Batch([], [], {}, [], self._stored_checkpoint(checkpoint, note))
            )

    def _check_tiles(self, tree: TileTree, checkpoint: Checkpoint, note: str) -> None:
        found = root_hash(tree, checkpoint.size)
        if found != checkpoint.root_hash:
            raise AlarmError(
                "tiles_disagree",
                f"the log's tiles of size {checkpoint.size} fold into {found.hex()}, not the "
                f"signed root {checkpoint.root_hash.hex()}",
                {"shown.note": note.encode(), "tiles.root": found.hex().encode()},
            )

    def _check_prefix(
        self, tree: TileTree, checkpoint: Checkpoint, note: str, ours: CompactRange
    ) -> None:
        """The tree stored here (``ours``) must be a prefix of the signed one."""
        if ours.size == checkpoint.size:
            proof: list[bytes] = []
            consistent = ours.root() == checkpoint.root_hash
        else:
            proof = consistency_proof(tree, ours.size, checkpoint.size)
            try:
                verify_consistency(
                    ours.size, checkpoint.size, ours.root(), checkpoint.root_hash, proof
                )
                consistent = True
            except ProofError:
                consistent = False
        if consistent:
            return
        raise AlarmError(
            "inconsistent",
            f"the checkpoint of size {checkpoint.size} is not consistent with the "
            f"{ours.size} entries verified here (root {ours.root().hex()})",
            self._inconsistency_evidence(ours, note, proof),
        )

    def _inconsistency_evidence(
        self, ours: CompactRange, note: str, proof: list[bytes]
    ) -> dict[str, bytes]:
        accepted = self._storage.latest_checkpoint()
        proof_json = {
            "first_size": ours.size,
            "first_root": ours.root().hex(),
            "proof": [node.hex() for node in proof],
        }
        evidence = {
            "shown.note": note.encode(),
            "consistency.json": json.dumps(proof_json, indent=1).encode(),
        }
        if accepted is not None:
            evidence["accepted.note"] = accepted.note.encode()
        pending = self._files.read(PENDING_FILE)
        if pending is not None and pending.decode() != note:
            evidence["pending.note"] = pending
        return evidence

    def _stored_checkpoint(
        self, checkpoint: Checkpoint, note: str, time_ms: int | None = None
    ) -> StoredCheckpoint:
        if time_ms is None:
            last = self._storage.entry(checkpoint.size - 1) if checkpoint.size else None
            time_ms = last.time_ms if last else 0
        return StoredCheckpoint(checkpoint.size, checkpoint.root_hash, note, time_ms)

    def _record(
        self, primary_size: int | None, checked_at: int, *, in_step: bool, error: str | None = None
    ) -> None:
        """Write the poll's record (one file, once a poll unless it catches up a long way)."""
        before = read_poll(self._files)
        in_step_at = checked_at if in_step else (before.in_step_at_ms if before else None)
        record = PollRecord(
            self._source.location,
            primary_size if primary_size is not None else (before.primary_size if before else 0),
            checked_at,
            in_step_at,
            error,
        )
        self._files.write(STATUS_FILE, record.encode())

    def _raise(self, alarm: AlarmError, note: str, at_ms: int) -> dict[str, Any]:
        """Keep the alarm's evidence with its summary; return the summary as stored."""
        accepted = self._storage.latest_checkpoint()
        summary = {
            "kind": alarm.kind,
            "message": alarm.message,
            "at_ms": at_ms,
            "following": self._source.location,
            "origin": self._trust.verifier.name,
            "accepted_size": accepted.size if accepted else 0,
            "stored_size": self._storage.log_size(),
            "index": alarm.index,
            "files": sorted(alarm.evidence),
        }
        files = {**alarm.evidence, "summary.json": json.dumps(summary, indent=1).encode()}
        if note and "shown.note" not in files:
            files["shown.note"] = note.encode()
        where = self._files.store_alarm(f"{at_ms}-{alarm.kind}", files)
        return {**summary, "evidence": where}
