"""The notary state machine: its handlers, who may submit each, and what each reads."""

from collections.abc import Mapping, Sequence
from typing import Any

from krai.modules.notary import messages as m
from krai.modules.notary import rules
from krai.modules.notary.bodies import decode_anchor
from krai.modules.notary.model import anchor_key
from krai.state.engine import ANY_ORGANISATION, Handler


class NotaryModule:
    """The notary state machine."""

    name = "notary"

    def handlers(self) -> Sequence[Handler[Any]]:
        """Anchor and countersign, by any member."""
        return [
            Handler(
                m.Anchor,
                ANY_ORGANISATION,
                rules.apply_anchor,
                validate=rules.validate_anchor,
                summary="Anchor a document by its SHA-256",
                reads=_anchor,
                decode=decode_anchor,
            ),
            Handler(
                m.Countersign,
                ANY_ORGANISATION,
                rules.apply_countersign,
                validate=rules.validate_countersign,
                summary="Countersign an anchored document",
                reads=_anchor,
            ),
        ]


def _anchor(body: Mapping[str, Any]) -> list[str]:
    """The state key of the document a body names: a prefetch hint."""
    return [anchor_key(str(body["sha256"]))]
