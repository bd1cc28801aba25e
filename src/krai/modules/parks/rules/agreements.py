"""Agreements among several parties: anchored by hash, in force once every party has signed.

The proposing party signs first. Each other party signs with its own key, naming the
document's SHA-256, so no one signs a document other than the one proposed. The agreement is
in force from the last signature; any party may terminate it, with the basis.
"""

from typing import Any

from krai.modules.parks import events
from krai.modules.parks.messages import ProposeAgreement, SignAgreement, TerminateAgreement
from krai.modules.parks.model import agreement_key, cluster_key
from krai.modules.parks.rules.records import absent, member, park, unique
from krai.state.engine import Context
from krai.tx.errors import conflict, rule_violation


def check_proposal(message: ProposeAgreement) -> None:
    """Each party once."""
    unique("parties", message.parties)


def validate_proposal(ctx: Context, message: ProposeAgreement) -> None:
    """A new agreement among members, the proposer among them, on a registered park or cluster."""
    absent(ctx, agreement_key(message.agreement_id), f"agreement {message.agreement_id}")
    if ctx.signer not in message.parties:
        raise rule_violation(f"{ctx.signer} proposes an agreement it is not a party to")
    for inn in message.parties:
        member(ctx, inn)
    if message.park_id is not None:
        park(ctx, message.park_id)
    if message.cluster_id is not None:
        ctx.require(cluster_key(message.cluster_id), f"cluster {message.cluster_id}")


def apply_proposal(ctx: Context, message: ProposeAgreement) -> None:
    """Record the agreement, awaiting the other parties' signatures."""
    record: dict[str, Any] = {
        "title": message.title,
        "document_sha256": message.document_sha256,
        "parties": list(message.parties),
        "subject": message.subject,
        "status": "awaiting_signatures",
        "signatures": [ctx.provenance()],
        **ctx.provenance(),
    }
    for name in ("park_id", "cluster_id"):
        if getattr(message, name) is not None:
            record[name] = getattr(message, name)
    ctx.state.put(agreement_key(message.agreement_id), record)
    ctx.emit(events.AgreementProposed(message.agreement_id, tuple(message.parties)))
    ctx.emit(events.AgreementSigned(message.agreement_id, ctx.signer, 1, len(message.parties)))


def validate_signature(ctx: Context, message: SignAgreement) -> None:
    """A party that has not signed signs the very document proposed, while awaited."""
    record = _agreement(ctx, message.agreement_id)
    _require_party(ctx, message.agreement_id, record)
    if record["status"] != "awaiting_signatures":
        raise conflict(f"agreement {message.agreement_id} is {record['status']}")
    if ctx.signer in {s["by"] for s in record["signatures"]}:
        raise conflict(f"{ctx.signer} has already signed agreement {message.agreement_id}")
    if message.document_sha256 != record["document_sha256"]:
        raise rule_violation(
            f"agreement {message.agreement_id} is on document {record['document_sha256']}, "
            f"not {message.document_sha256}"
        )


def apply_signature(ctx: Context, message: SignAgreement) -> None:
    """Add the signature; with the last one the agreement enters into force."""
    record = _agreement(ctx, message.agreement_id)
    record["signatures"].append(ctx.provenance())
    signed, parties = len(record["signatures"]), len(record["parties"])
    ctx.emit(events.AgreementSigned(message.agreement_id, ctx.signer, signed, parties))
    if signed == parties:
        record["status"] = "in_force"
        record["in_force_from"] = {"index": ctx.index, "time_ms": ctx.time_ms}
        ctx.emit(events.AgreementInForce(message.agreement_id))
    ctx.state.put(agreement_key(message.agreement_id), record)


def validate_termination(ctx: Context, message: TerminateAgreement) -> None:
    """A party terminates an agreement not yet terminated."""
    record = _agreement(ctx, message.agreement_id)
    _require_party(ctx, message.agreement_id, record)
    if record["status"] == "terminated":
        raise conflict(f"agreement {message.agreement_id} is already terminated")


def apply_termination(ctx: Context, message: TerminateAgreement) -> None:
    """Terminate it, keeping who did and on what basis."""
    record = _agreement(ctx, message.agreement_id)
    record["status"] = "terminated"
    record["terminated"] = {"basis": message.basis, **ctx.provenance()}
    ctx.state.put(agreement_key(message.agreement_id), record)
    ctx.emit(events.AgreementTerminated(message.agreement_id, ctx.signer))


def _agreement(ctx: Context, agreement_id: str) -> dict[str, Any]:
    return ctx.require(agreement_key(agreement_id), f"agreement {agreement_id}")


def _require_party(ctx: Context, agreement_id: str, record: dict[str, Any]) -> None:
    if ctx.signer not in record["parties"]:
        raise rule_violation(f"{ctx.signer} is not a party to agreement {agreement_id}")
