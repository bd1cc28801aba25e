"""Read functions over anchored documents."""

from typing import Any

from krai.modules.notary.model import anchor_key
from krai.state.store import StateView, read, scan


def anchor(view: StateView, sha256: str) -> dict[str, Any] | None:
    """Who anchored the document, when (entry index, time), and who countersigned it."""
    found = read(view, anchor_key(sha256))
    return None if found is None else {"sha256": sha256, **found}


def anchors(view: StateView) -> list[dict[str, Any]]:
    """Every anchored document."""
    prefix = "notary/anchor/"
    return [{"sha256": key[len(prefix) :], **value} for key, value in scan(view, prefix)]


def signers(view: StateView, sha256: str) -> list[str]:
    """Every organisation that signed the document, the anchoring one first."""
    found = read(view, anchor_key(sha256))
    if found is None:
        return []
    return [found["by"], *(c["by"] for c in found["countersignatures"])]
