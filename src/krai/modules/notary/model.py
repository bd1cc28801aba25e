"""Documents anchored by their SHA-256: who anchored them, when, and who countersigned.

The ledger holds a document's hash, never the document. One anchor per hash: the first
organisation to anchor it is its anchoring party; every other party adds its signature with
a countersignature, each party once, so a multi-party agreement shows all its signatories.
"""

from typing import Literal, get_args

import msgspec

from krai.state.records import Record, SafeInt

DocumentKind = Literal[
    "agreement", "rosreestr_filing", "rospatent_filing", "report", "decision", "other"
]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
ANCHOR_PREFIX = "notary/anchor/"


def anchor_key(sha256: str) -> str:
    """State key of an anchored document."""
    return f"{ANCHOR_PREFIX}{sha256}"


class Countersignature(Record, frozen=True):
    """A party that signed an anchored document after its anchoring party."""

    by: str
    index: SafeInt
    time_ms: SafeInt
    tx_id: str


class AnchoredDocument(Record, frozen=True):
    """A document's anchor, stored under ``anchor_key(sha256)``: by whom, where and when in
    the log, its title, kind and reference, and its countersignatures in ledger order."""

    title: str
    kind: DocumentKind
    by: str
    index: SafeInt
    time_ms: SafeInt
    tx_id: str
    countersignatures: tuple[Countersignature, ...]
    reference: str | None = None

    def signatories(self) -> list[str]:
        """The anchoring organisation, then each countersigning one, in ledger order."""
        return [self.by, *(signature.by for signature in self.countersignatures)]

    def with_countersignature(self, signature: Countersignature) -> "AnchoredDocument":
        """The same document with ``signature`` added last."""
        return msgspec.structs.replace(self, countersignatures=(*self.countersignatures, signature))


class Anchor(AnchoredDocument, frozen=True, kw_only=True):
    """An anchored document with its SHA-256: what queries answer."""

    sha256: str
