"""notary: documents anchored by SHA-256, provable later: that, when, and by whom."""

from collections.abc import Sequence
from typing import Any

from krai.modules.notary import messages as m
from krai.modules.notary import rules
from krai.modules.notary.model import anchor_key
from krai.state.engine import ANY_ORGANISATION, Handler


class NotaryModule:
    """The notary state machine."""

    name = "notary"

    def handlers(self) -> Sequence[Handler[Any]]:
        """Anchor and countersign."""
        return [
            Handler(
                m.Anchor,
                ANY_ORGANISATION,
                rules.apply_anchor,
                summary="Anchor a document by SHA-256",
                reads=lambda body: [anchor_key(str(body["sha256"]))],
            ),
            Handler(
                m.Countersign,
                ANY_ORGANISATION,
                rules.apply_countersign,
                summary="Countersign a document",
                reads=lambda body: [anchor_key(str(body["sha256"]))],
            ),
        ]
