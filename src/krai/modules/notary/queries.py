"""Read functions over anchored documents."""

from typing import Any

from krai.modules.notary.model import ANCHOR_PREFIX, anchor_key, signatories
from krai.state.store import StateView, read, scan


def anchor(view: StateView, sha256: str) -> dict[str, Any] | None:
    """The anchored document: by whom, when (entry index, time_ms, tx_id), title, kind,
    reference, and its countersignatures (each by whom and when); None if not anchored."""
    found = read(view, anchor_key(sha256))
    return None if found is None else {"sha256": sha256, **found}


def anchors(view: StateView) -> list[dict[str, Any]]:
    """Every anchored document, in order of hash."""
    return [
        {"sha256": key[len(ANCHOR_PREFIX) :], **value} for key, value in scan(view, ANCHOR_PREFIX)
    ]


def anchors_by(view: StateView, inn: str) -> list[dict[str, Any]]:
    """Every document the organisation anchored or countersigned."""
    return [found for found in anchors(view) if inn in signatories(found)]


def signers(view: StateView, sha256: str) -> list[str]:
    """The INNs that signed the document, the anchoring organisation first; [] if none."""
    found = read(view, anchor_key(sha256))
    return [] if found is None else signatories(found)
