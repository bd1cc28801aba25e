"""Documents anchored by their SHA-256: who anchored them, when, and who countersigned.

The ledger holds a document's hash, never the document. One anchor per hash: the first
organisation to anchor it is its anchoring party; every other party adds its signature with
a countersignature, each party once, so a multi-party agreement shows all its signatories.
"""

from typing import Literal, get_args

DocumentKind = Literal[
    "agreement", "rosreestr_filing", "rospatent_filing", "report", "decision", "other"
]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
ANCHOR_PREFIX = "notary/anchor/"


def anchor_key(sha256: str) -> str:
    """State key of an anchored document."""
    return f"{ANCHOR_PREFIX}{sha256}"


def signatories(record: dict[str, object]) -> list[str]:
    """The anchoring organisation, then each countersigning one, in ledger order."""
    countersignatures = record["countersignatures"]
    assert isinstance(countersignatures, list)
    return [str(record["by"]), *(str(c["by"]) for c in countersignatures)]
