"""A follower's mirror cosignature: "stored and verified here" (ADR 0036, amendment).

A C2SP tlog-mirror cosigns a checkpoint once its entries are durably stored. A krai
follower cosigns only a checkpoint it has *accepted* — one its storage holds in the
checkpoint table, written in the same database transaction as the last entries it covers,
after every entry's leaf, signature and replay checked — so its cosignature says "stored
and verified". The cosignature is a C2SP tlog-cosignature/v1 line under the follower's own
key name (the form witnesses use), added to the accepted note beside the witnesses' lines
and kept in the home's cosigned notes, from which the follower's ``/checkpoint`` serves it.
"""

from krai.app.cosigning import CosignedNote, CosignedStore
from krai.app.ports import Clock, Storage
from krai.log.note import CosignatureSigner, Note, format_note, parse_note


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

    def _is_mine(self, name: str, key_id: bytes) -> bool:
        return (name, key_id) == (self._signer.name, self._signer.key_id)
