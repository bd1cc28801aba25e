"""A follower's mirror cosignature: "stored and verified here" (ADR 0036, amendment).

A C2SP tlog-mirror cosigns a checkpoint once its entries are durably stored. A krai
follower cosigns only a checkpoint it has *accepted* — one its storage holds in the
checkpoint table, written in the same database transaction as the last entries it covers,
after every entry's leaf, signature and replay checked — so its cosignature says "stored
and verified". The cosignature is a C2SP tlog-cosignature/v1 line under the follower's own
key name (the form witnesses use), added to the accepted note beside the witnesses' lines
and kept in the home's cosigned notes, from which the follower's ``/checkpoint`` serves it.

Mirrors that are each other's peers (``--peer``) gather each other's lines: a peer's note of a
checkpoint accepted here gives its cosignature lines by keys the follower's policy lists, if
they verify — so a note comes to carry the k mirror cosignatures a policy may require.
"""

from collections.abc import Mapping

from krai.app.cosigning import CosignedNote, CosignedStore
from krai.app.ports import Clock, Storage
from krai.log.checkpoint import parse_checkpoint_text
from krai.log.note import (
    CosignatureSigner,
    CosignatureVerifier,
    Note,
    Signature,
    format_note,
    parse_note,
)


class MirrorCosigner:
    """Cosigns the checkpoints a follower accepted, with the follower's own key."""

    def __init__(self, signer: CosignatureSigner, store: CosignedStore, clock: Clock) -> None:
        self._signer = signer
        self._store = store
        self._clock = clock

    def cosign_accepted(self, storage: Storage) -> CosignedNote | None:
        """Cosign the newest checkpoint ``storage`` accepted, unless this key already did;
        the note stored with the cosignature, or None if there was nothing to cosign."""
        accepted = storage.latest_checkpoint()
        if accepted is None:
            return None
        existing = self._store.cosigned_at(accepted.size)
        note = parse_note(existing.note if existing else accepted.note)
        if any(self._is_mine(signature.name, signature.key_id) for signature in note.signatures):
            return None
        now_ms = self._clock.now_ms()
        line = self._signer.sign(note.text, max(1, now_ms // 1000))
        cosigned = CosignedNote(
            accepted.size,
            format_note(Note(note.text, (*note.signatures, line))),
            existing.cosignatures if existing else 0,  # witnesses only: the log's quorum
            now_ms,
        )
        self._store.store_cosigned(cosigned)
        return cosigned

    def gather(
        self, storage: Storage, peer_note: str, cosigners: Mapping[str, CosignatureVerifier]
    ) -> int:
        """Add to the note kept for a checkpoint accepted here the lines of ``peer_note`` (the
        same checkpoint, as a peer serves it) by ``cosigners`` that verify and it lacks; the
        number added."""
        peer = parse_note(peer_note)
        accepted = storage.checkpoint_at(parse_checkpoint_text(peer.text).size)
        if accepted is None or parse_note(accepted.note).text != peer.text:
            return 0
        existing = self._store.cosigned_at(accepted.size)
        note = parse_note(existing.note if existing else accepted.note)
        have = {(signature.name, signature.key_id) for signature in note.signatures}
        keys = {(key.name, key.key_id): key for key in cosigners.values()}
        added: list[Signature] = []
        for line in peer.signatures:
            key = keys.get((line.name, line.key_id))
            if (
                key is None
                or (line.name, line.key_id) in have
                or not key.verify(peer.text, line.sig)
            ):
                continue
            have.add((line.name, line.key_id))
            added.append(line)
        if added:
            merged = format_note(Note(note.text, (*note.signatures, *added)))
            count = existing.cosignatures if existing else 0
            self._store.store_cosigned(
                CosignedNote(accepted.size, merged, count, self._clock.now_ms())
            )
        return len(added)

    def _is_mine(self, name: str, key_id: bytes) -> bool:
        return (name, key_id) == (self._signer.name, self._signer.key_id)
