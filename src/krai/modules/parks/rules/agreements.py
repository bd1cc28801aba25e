"""Agreements among several parties: anchored by hash, in force once every party has signed.

The proposing party signs first. Each other party signs with its own key, naming the
document's SHA-256, so no one signs a document other than the one proposed. The agreement is
in force from the last signature; any party may terminate it, with the basis.
"""

from krai.modules.parks import events
from krai.modules.parks.messages import ProposeAgreement, SignAgreement, TerminateAgreement
from krai.modules.parks.model import agreement_key, cluster_key
from krai.modules.parks.records import Agreement, Cluster, Signatory, Termination
from krai.modules.parks.rules.records import absent, member, park, required, stamp, unique
from krai.state.engine import Context
from krai.state.records import write_record
from krai.tx.errors import conflict, invalid_body, rule_violation


def check_proposal(message: ProposeAgreement) -> None:
    """Each party once; each signatory signs for a party, one per party."""
    unique("parties", message.parties)
    signatories = message.signatories or ()
    unique("signatories inn", [s.inn for s in signatories])
    for signatory in signatories:
        if signatory.inn not in message.parties:
            raise invalid_body(f"body.signatories: {signatory.inn} is not a party")


def validate_proposal(ctx: Context, message: ProposeAgreement) -> None:
    """A new agreement among members, the proposer among them, on a registered park or cluster."""
    key = agreement_key(message.agreement_id)
    absent(ctx, key, Agreement, f"agreement {message.agreement_id}")
    if ctx.signer not in message.parties:
        raise rule_violation(f"{ctx.signer} proposes an agreement it is not a party to")
    for inn in message.parties:
        member(ctx, inn)
    if message.park_id is not None:
        park(ctx, message.park_id)
    if message.cluster_id is not None:
        required(ctx, cluster_key(message.cluster_id), Cluster, f"cluster {message.cluster_id}")


def apply_proposal(ctx: Context, message: ProposeAgreement) -> None:
    """Record the agreement, awaiting the other parties' signatures."""
    record = Agreement(
        title=message.title,
        document_sha256=message.document_sha256,
        parties=tuple(message.parties),
        subject=message.subject,
        status="awaiting_signatures",
        signatures=(stamp(ctx),),
        park_id=message.park_id,
        cluster_id=message.cluster_id,
        signatories=tuple(
            Signatory(inn=s.inn, position=s.position, name=s.name)
            for s in message.signatories or ()
        ),
        **ctx.provenance(),
    )
    write_record(ctx.state, agreement_key(message.agreement_id), record)
    ctx.emit(events.AgreementProposed(message.agreement_id, tuple(message.parties)))
    ctx.emit(events.AgreementSigned(message.agreement_id, ctx.signer, 1, len(message.parties)))


def validate_signature(ctx: Context, message: SignAgreement) -> None:
    """A party that has not signed signs the very document proposed, while awaited."""
    record = _agreement(ctx, message.agreement_id)
    _require_party(ctx, message.agreement_id, record)
    if record.status != "awaiting_signatures":
        raise conflict(f"agreement {message.agreement_id} is {record.status}")
    if ctx.signer in {s.by for s in record.signatures}:
        raise conflict(f"{ctx.signer} has already signed agreement {message.agreement_id}")
    if message.document_sha256 != record.document_sha256:
        raise rule_violation(
            f"agreement {message.agreement_id} is on document {record.document_sha256}, "
            f"not {message.document_sha256}"
        )


def apply_signature(ctx: Context, message: SignAgreement) -> None:
    """Add the signature; with the last one the agreement enters into force."""
    record = _agreement(ctx, message.agreement_id).signed(stamp(ctx))
    signed, parties = len(record.signatures), len(record.parties)
    ctx.emit(events.AgreementSigned(message.agreement_id, ctx.signer, signed, parties))
    if record.status == "in_force":
        ctx.emit(events.AgreementInForce(message.agreement_id))
    write_record(ctx.state, agreement_key(message.agreement_id), record)


def validate_termination(ctx: Context, message: TerminateAgreement) -> None:
    """A party terminates an agreement not yet terminated."""
    record = _agreement(ctx, message.agreement_id)
    _require_party(ctx, message.agreement_id, record)
    if record.status == "terminated":
        raise conflict(f"agreement {message.agreement_id} is already terminated")


def apply_termination(ctx: Context, message: TerminateAgreement) -> None:
    """Terminate it, keeping who did and on what basis."""
    termination = Termination(basis=message.basis, **ctx.provenance())
    record = _agreement(ctx, message.agreement_id).terminated_by(termination)
    write_record(ctx.state, agreement_key(message.agreement_id), record)
    ctx.emit(events.AgreementTerminated(message.agreement_id, ctx.signer))


def _agreement(ctx: Context, agreement_id: str) -> Agreement:
    return required(ctx, agreement_key(agreement_id), Agreement, f"agreement {agreement_id}")


def _require_party(ctx: Context, agreement_id: str, record: Agreement) -> None:
    if ctx.signer not in record.parties:
        raise rule_violation(f"{ctx.signer} is not a party to agreement {agreement_id}")
