"""Read functions over anchored documents; each answers typed records (``model.Anchor``)."""

import msgspec

from krai.modules.notary.model import ANCHOR_PREFIX, Anchor, AnchoredDocument, anchor_key
from krai.state.records import read_record, scan_records
from krai.state.store import StateView


def anchor(view: StateView, sha256: str) -> Anchor | None:
    """The anchored document: by whom, when (entry index, time_ms, tx_id), title, kind,
    reference, and its countersignatures (each by whom and when); None if not anchored."""
    found = read_record(view, anchor_key(sha256), AnchoredDocument)
    return None if found is None else _with_hash(sha256, found)


def anchors(view: StateView) -> list[Anchor]:
    """Every anchored document, in order of hash."""
    return [
        _with_hash(key[len(ANCHOR_PREFIX) :], found)
        for key, found in scan_records(view, ANCHOR_PREFIX, AnchoredDocument)
    ]


def anchors_by(view: StateView, inn: str) -> list[Anchor]:
    """Every document the organisation anchored or countersigned."""
    return [found for found in anchors(view) if inn in found.signatories()]


def signers(view: StateView, sha256: str) -> list[str]:
    """The INNs that signed the document, the anchoring organisation first; [] if none."""
    found = read_record(view, anchor_key(sha256), AnchoredDocument)
    return [] if found is None else found.signatories()


def _with_hash(sha256: str, document: AnchoredDocument) -> Anchor:
    return Anchor(sha256=sha256, **msgspec.structs.asdict(document))
