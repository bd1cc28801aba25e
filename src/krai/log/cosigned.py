"""Checkpoints cosigned by witnesses, accepted only under a quorum (C2SP tlog-policy).

``verify_with_policy`` accepts a signed checkpoint if a log key the policy lists for its
origin signs it and the witnesses whose cosignatures (tlog-cosignature/v1, type 0x04) verify
meet the policy's quorum. Signature lines of keys the policy does not know are ignored, as
C2SP says; a known witness's cosignature that fails refuses the note, as signed-note says a
verifier should. ``verify_cosigned`` is the plain case: one log, n witnesses, any k of them.
Nothing here does I/O.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from krai.log.checkpoint import Checkpoint, parse_checkpoint_text
from krai.log.note import (
    CosignatureVerifier,
    Note,
    NoteError,
    NoteVerifier,
    cosignature_timestamp,
    format_vkey,
    parse_cosignature_vkey,
    parse_note,
    parse_vkey,
    verify_note,
)
from krai.log.policy import NO_QUORUM, Policy, PolicyError, parse_policy

QUORUM_GROUP = "quorum"
WITNESS_GROUP = "witnesses"
MIRROR_GROUP = "mirrors"


class QuorumError(NoteError):
    """No trusted log signs the checkpoint, or too few trusted witnesses cosign it."""


@dataclass(frozen=True)
class CosignedCheckpoint:
    """A checkpoint that met a policy, and the witnesses (policy names) that cosigned it with
    the Unix time each cosignature states."""

    checkpoint: Checkpoint
    timestamps: Mapping[str, int]
    log: NoteVerifier
    """The policy's log key that signed the checkpoint."""

    @property
    def cosigners(self) -> tuple[str, ...]:
        """The policy names of the witnesses whose cosignatures verified, sorted."""
        return tuple(sorted(self.timestamps))


def k_of_n_policy_text(
    log: NoteVerifier,
    witnesses: Sequence[tuple[str, CosignatureVerifier, str | None]],
    k: int,
    mirrors: Sequence[tuple[str, CosignatureVerifier, str | None]] = (),
    mirror_k: int = 0,
) -> str:
    """A tlog-policy file: the log, each (name, key, URL or None) witness, k of them — and,
    with ``mirrors``, ``mirror_k`` of those besides (a mirror cosigns in a witness's form, so
    it is a ``witness`` line; group ``witnesses`` k of the witnesses, group ``mirrors``
    ``mirror_k`` of the mirrors, the quorum both)."""
    if k and not witnesses:
        raise PolicyError(f"a quorum of {k} needs witnesses")
    if mirror_k and not mirrors:
        raise PolicyError(f"a quorum of {mirror_k} mirrors needs mirrors")
    lines = [f"log {format_vkey(log)}"]
    for name, verifier, url in (*witnesses, *mirrors):
        lines.append(f"witness {name} {format_vkey(verifier)}" + (f" {url}" if url else ""))
    witness_names = " ".join(name for name, _, _ in witnesses)
    mirror_names = " ".join(name for name, _, _ in mirrors)
    if not mirror_k:
        quorum = [f"group {QUORUM_GROUP} {k} {witness_names}"] if witnesses else []
        lines.extend([*quorum, f"quorum {QUORUM_GROUP if witnesses else NO_QUORUM}"])
    elif not witnesses:
        lines.extend([f"group {MIRROR_GROUP} {mirror_k} {mirror_names}", f"quorum {MIRROR_GROUP}"])
    else:
        lines.extend(
            [
                f"group {WITNESS_GROUP} {k} {witness_names}",
                f"group {MIRROR_GROUP} {mirror_k} {mirror_names}",
                f"group {QUORUM_GROUP} all {WITNESS_GROUP} {MIRROR_GROUP}",
                f"quorum {QUORUM_GROUP}",
            ]
        )
    return "".join(line + "\n" for line in lines)


def k_of_n_policy(log: NoteVerifier, witnesses: Sequence[CosignatureVerifier], k: int) -> Policy:
    """The policy of one log and ``k`` of ``witnesses``, each named by its key name."""
    return parse_policy(k_of_n_policy_text(log, [(w.name, w, None) for w in witnesses], k))


def verify_cosigned(
    note_text: str,
    log_vkey: str | NoteVerifier,
    witness_vkeys: Sequence[str | CosignatureVerifier],
    k: int,
) -> CosignedCheckpoint:
    """Accept ``note_text`` if the log signs it and at least ``k`` of the witnesses cosign it;
    else raise ``QuorumError`` (``NoteError`` if it is malformed) saying why."""
    log = parse_vkey(log_vkey) if isinstance(log_vkey, str) else log_vkey
    witnesses = [parse_cosignature_vkey(w) if isinstance(w, str) else w for w in witness_vkeys]
    return verify_with_policy(note_text, k_of_n_policy(log, witnesses, k))


def verify_with_policy(note_text: str, policy: Policy) -> CosignedCheckpoint:
    """Accept ``note_text`` if a policy log signs it and the policy's quorum cosigns it;
    else raise ``QuorumError`` saying why (``NoteError`` if it is malformed)."""
    note = parse_note(note_text)
    checkpoint = parse_checkpoint_text(note.text)
    log = _log_signer(note, checkpoint, policy)
    by_key = {(w.name, w.key_id): name for name, w in policy.witnesses.items()}
    timestamps: dict[str, int] = {}
    for signature in note.signatures:
        name = by_key.get((signature.name, signature.key_id))
        if name is None:
            continue
        if not policy.witnesses[name].verify(note.text, signature.sig):
            raise QuorumError(
                f"the cosignature of witness {name} does not verify (key {signature.name})"
            )
        timestamps.setdefault(name, cosignature_timestamp(signature.sig))
    if not policy.quorum_met(set(timestamps)):
        cosigned = ", ".join(sorted(timestamps)) or "none"
        raise QuorumError(
            f"too few valid witness cosignatures: {len(timestamps)} ({cosigned}); "
            f"the policy needs {policy.describe()}"
        )
    return CosignedCheckpoint(checkpoint, timestamps, log)


def _log_signer(note: Note, checkpoint: Checkpoint, policy: Policy) -> NoteVerifier:
    """The key the policy lists for the checkpoint's origin that signed the note."""
    logs = policy.logs_for(checkpoint.origin)
    if not logs:
        trusted = ", ".join(sorted({log.name for log in policy.logs})) or "none"
        raise QuorumError(
            f"the policy lists no log key for origin {checkpoint.origin!r} (it trusts {trusted})"
        )
    try:
        signed = verify_note(note, logs)
    except NoteError as error:
        raise QuorumError(
            f"the checkpoint is not signed by a key the policy lists for "
            f"{checkpoint.origin!r} (the log's signature: {error})"
        ) from None
    signer = (signed[0].name, signed[0].key_id)
    return next(log for log in logs if (log.name, log.key_id) == signer)
