"""Notary rules: one anchor per document; each other member countersigns at most once."""

from typing import Any

from krai.modules.notary import events
from krai.modules.notary.messages import Anchor, Countersign
from krai.modules.notary.model import anchor_key
from krai.state.engine import Context
from krai.tx.errors import conflict, not_found


def apply_anchor(ctx: Context, message: Anchor) -> None:
    """Record the document's hash with its title, kind, signer and sequenced time."""
    if ctx.read(anchor_key(message.sha256)) is not None:
        raise conflict(f"document {message.sha256} is anchored already; countersign it instead")
    record: dict[str, Any] = {
        "title": message.title,
        "kind": message.kind,
        "reference": message.reference,
        "by": ctx.signer,
        "index": ctx.index,
        "time_ms": ctx.time_ms,
        "tx_id": ctx.tx_id,
        "countersignatures": [],
    }
    ctx.state.put(anchor_key(message.sha256), record)
    ctx.emit(events.DocumentAnchored(message.sha256, message.title, message.kind, ctx.signer))


def apply_countersign(ctx: Context, message: Countersign) -> None:
    """Add the signer to the document's countersignatures."""
    record = ctx.read(anchor_key(message.sha256))
    if record is None:
        raise not_found(f"document {message.sha256} is not anchored")
    signers = {record["by"], *(c["by"] for c in record["countersignatures"])}
    if ctx.signer in signers:
        raise conflict(f"{ctx.signer} has already signed document {message.sha256}")
    signature = {"by": ctx.signer, "index": ctx.index, "time_ms": ctx.time_ms, "tx_id": ctx.tx_id}
    record["countersignatures"].append(signature)
    ctx.state.put(anchor_key(message.sha256), record)
    ctx.emit(events.DocumentCountersigned(message.sha256, ctx.signer))
