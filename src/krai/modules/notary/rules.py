"""Notary rules: one anchor per document; each other member countersigns it once."""

from krai.modules.notary import events
from krai.modules.notary.messages import Anchor, Countersign
from krai.modules.notary.model import AnchoredDocument, Countersignature, anchor_key
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, not_found


def validate_anchor(ctx: Context, message: Anchor) -> None:
    """The document is not anchored yet."""
    found = read_record(ctx.state, anchor_key(message.sha256), AnchoredDocument)
    if found is not None:
        raise conflict(
            f"document {message.sha256} was anchored by {found.by} at entry {found.index}; "
            "countersign it instead"
        )


def apply_anchor(ctx: Context, message: Anchor) -> None:
    """Record the hash with its title, kind, signer, entry index, time and transaction id."""
    record = AnchoredDocument(
        title=message.title,
        kind=message.kind,
        by=ctx.signer,
        index=ctx.index,
        time_ms=ctx.time_ms,
        tx_id=ctx.tx_id,
        countersignatures=(),
        reference=message.reference,
    )
    write_record(ctx.state, anchor_key(message.sha256), record)
    ctx.emit(events.DocumentAnchored(message.sha256, message.title, message.kind, ctx.signer))


def validate_countersign(ctx: Context, message: Countersign) -> None:
    """The document is anchored and the signer has not signed it yet."""
    record = _anchored(ctx, message.sha256)
    if ctx.signer in record.signatories():
        raise conflict(f"{ctx.signer} has already signed document {message.sha256}")


def apply_countersign(ctx: Context, message: Countersign) -> None:
    """Add the signer, with entry index, time and transaction id, to the countersignatures."""
    record = _anchored(ctx, message.sha256)
    signature = Countersignature(
        by=ctx.signer, index=ctx.index, time_ms=ctx.time_ms, tx_id=ctx.tx_id
    )
    signed = record.with_countersignature(signature)
    write_record(ctx.state, anchor_key(message.sha256), signed)
    ctx.emit(events.DocumentCountersigned(message.sha256, ctx.signer, len(signed.signatories())))


def _anchored(ctx: Context, sha256: str) -> AnchoredDocument:
    record = read_record(ctx.state, anchor_key(sha256), AnchoredDocument)
    if record is None:
        raise not_found(f"document {sha256} is not anchored")
    return record
