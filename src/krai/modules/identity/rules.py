"""Identity rules: genesis, m-of-n governance, and each member's own keys."""

from collections.abc import Callable, Mapping
from typing import Any

from krai.crypto.keys import KeyFormatError, decode_public_key, key_id
from krai.modules.identity import events
from krai.modules.identity.identifiers import country_problem
from krai.modules.identity.messages import (
    AddKey,
    Approve,
    ProposeAdmission,
    ProposeForeignAdmission,
    ProposeKeyRevocation,
    ProposeQuorum,
    ProposeRoleGrant,
    ProposeRoleRevocation,
    RevokeKey,
    RotateKey,
)
from krai.modules.identity.model import (
    GOVERNANCE_KEY,
    ROLE_NAMES,
    Governance,
    Organisation,
    Proposal,
    Role,
    SigningKey,
    is_valid_inn,
    is_valid_ogrn,
    org_key,
    proposal_key,
    signing_key_key,
)
from krai.modules.identity.queries import active_key_ids, governors, member
from krai.state.engine import NETWORK_KEY, Context
from krai.state.messages import decode_message, encode_message
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, invalid_body, not_found, rule_violation

ProposalMessage = (
    ProposeAdmission
    | ProposeForeignAdmission
    | ProposeRoleGrant
    | ProposeRoleRevocation
    | ProposeQuorum
    | ProposeKeyRevocation
)


# --- genesis -------------------------------------------------------------------------------


def apply_genesis(ctx: Context, genesis: Mapping[str, Any]) -> None:
    """Name the network, admit the founding organisations and set the quorum."""
    origin, quorum, organisations = _genesis_fields(genesis)
    ctx.state.put(NETWORK_KEY, {"origin": origin})
    for organisation in organisations:
        _admit_from_genesis(ctx, organisation)
    founders = governors(ctx.state)
    if not 1 <= quorum <= len(founders):
        raise invalid_body(f"quorum {quorum} must lie between 1 and {len(founders)} governors")
    write_record(ctx.state, GOVERNANCE_KEY, Governance(quorum=quorum))


def _genesis_fields(genesis: Mapping[str, Any]) -> tuple[str, int, list[Mapping[str, Any]]]:
    origin, quorum = genesis.get("origin"), genesis.get("quorum")
    organisations = genesis.get("organisations")
    if not isinstance(origin, str) or not origin or " " in origin or "+" in origin:
        raise invalid_body("genesis origin must be a non-empty string without spaces or '+'")
    if not isinstance(quorum, int) or isinstance(quorum, bool):
        raise invalid_body("genesis quorum must be an integer")
    if not isinstance(organisations, list) or not organisations:
        raise invalid_body("genesis must name the founding organisations")
    return origin, quorum, organisations


def _admit_from_genesis(ctx: Context, organisation: Mapping[str, Any]) -> None:
    inn, ogrn = str(organisation.get("inn", "")), str(organisation.get("ogrn", ""))
    if not is_valid_inn(inn) or not is_valid_ogrn(ogrn):
        raise invalid_body(f"genesis organisation {inn!r}: invalid INN or OGRN")
    roles = list(organisation.get("roles", []))
    if not roles or not set(roles) <= ROLE_NAMES:
        raise invalid_body(f"genesis organisation {inn}: roles must be among {sorted(ROLE_NAMES)}")
    keys = list(organisation.get("public_keys", []))
    if not keys:
        raise invalid_body(f"genesis organisation {inn} needs a public key")
    if not str(organisation.get("name", "")).strip():
        raise invalid_body(f"genesis organisation {inn} needs a name")
    _write_organisation(ctx, {**organisation, "roles": roles})
    for text in keys:
        _add_key(ctx, inn, str(text))


# --- governance ----------------------------------------------------------------------------


def validate_admission(ctx: Context, message: ProposeAdmission) -> None:
    """The organisation is not yet a member and its key is well formed."""
    if ctx.state.get_bytes(org_key(message.inn)) is not None:
        raise conflict(f"organisation {message.inn} is already a member")
    _parse_key(message.public_key)


def check_foreign_admission(message: ProposeForeignAdmission) -> None:
    """The stated country is not Russia and is the identifier scheme's own (any for an LEI)."""
    problem = country_problem(message.organisation, message.country)
    if problem is not None:
        raise invalid_body(f"body.country: {problem}")


def validate_foreign_admission(ctx: Context, message: ProposeForeignAdmission) -> None:
    """The organisation is not yet a member and its key is well formed."""
    if ctx.state.get_bytes(org_key(message.organisation)) is not None:
        raise conflict(f"organisation {message.organisation} is already a member")
    _parse_key(message.public_key)


def validate_role_change(ctx: Context, message: ProposeRoleGrant | ProposeRoleRevocation) -> None:
    """The organisation is a member; a grant adds a role it lacks, a revocation one it has."""
    organisation = _member(ctx, message.inn)
    has_role = message.role in organisation.roles
    if isinstance(message, ProposeRoleGrant) and has_role:
        raise conflict(f"{message.inn} already holds the role {message.role}")
    if isinstance(message, ProposeRoleRevocation) and not has_role:
        raise rule_violation(f"{message.inn} does not hold the role {message.role}")


def validate_quorum(ctx: Context, message: ProposeQuorum) -> None:
    """The quorum cannot exceed the number of governors."""
    count = len(governors(ctx.state))
    if message.quorum > count:
        raise rule_violation(f"quorum {message.quorum} exceeds the {count} governors")


def validate_key_revocation(ctx: Context, message: ProposeKeyRevocation) -> None:
    """The key exists and is active."""
    _active_key(ctx, message.inn, message.key_id)


def open_proposal(ctx: Context, message: ProposalMessage) -> None:
    """Record the proposal with the proposer's approval; execute it if that is the quorum."""
    record = Proposal(
        action=message.TYPE,
        body=encode_message(message),
        proposer=ctx.signer,
        approvals=(ctx.signer,),
        status="open",
        opened_index=ctx.index,
    )
    write_record(ctx.state, proposal_key(ctx.tx_id), record)
    ctx.emit(events.ProposalOpened(ctx.tx_id, message.TYPE, ctx.signer))
    _execute_if_quorum(ctx, ctx.tx_id, record)


def apply_approval(ctx: Context, message: Approve) -> None:
    """Add the signer's approval to an open proposal, executing it at the quorum."""
    found = read_record(ctx.state, proposal_key(message.proposal), Proposal)
    if found is None:
        raise not_found(f"no proposal {message.proposal}")
    if found.status != "open":
        raise rule_violation(f"proposal {message.proposal} is {found.status}")
    if ctx.signer in found.approvals:
        raise conflict(f"{ctx.signer} has already approved proposal {message.proposal}")
    record = found.approved_by(ctx.signer)
    write_record(ctx.state, proposal_key(message.proposal), record)
    _execute_if_quorum(ctx, message.proposal, record)


def _execute_if_quorum(ctx: Context, proposal_id: str, record: Proposal) -> None:
    quorum = _quorum(ctx)
    approvals = len(record.approvals)
    ctx.emit(events.ProposalApproved(proposal_id, record.approvals[-1], approvals, quorum))
    if approvals < quorum:
        return
    message = _proposal_message(record)
    _VALIDATORS[type(message)](ctx, message)
    _EXECUTORS[type(message)](ctx, message)
    write_record(ctx.state, proposal_key(proposal_id), record.executed(ctx.index))


def _execute_admission(ctx: Context, message: ProposeAdmission) -> None:
    _write_organisation(ctx, encode_message(message))
    _add_key(ctx, message.inn, message.public_key)
    ctx.emit(events.OrganisationAdmitted(message.inn, message.name, tuple(sorted(message.roles))))


def _execute_foreign_admission(ctx: Context, message: ProposeForeignAdmission) -> None:
    profile = {**encode_message(message), "inn": message.organisation}
    _write_organisation(ctx, profile)
    _add_key(ctx, message.organisation, message.public_key)
    roles = tuple(sorted(message.roles))
    ctx.emit(events.OrganisationAdmitted(message.organisation, message.name, roles))


def _execute_role_grant(ctx: Context, message: ProposeRoleGrant) -> None:
    organisation = _member(ctx, message.inn)
    granted = organisation.with_roles({*organisation.roles, message.role})
    write_record(ctx.state, org_key(message.inn), granted)
    ctx.emit(events.RoleGranted(message.inn, message.role))


def _execute_role_revocation(ctx: Context, message: ProposeRoleRevocation) -> None:
    organisation = _member(ctx, message.inn)
    revoked = organisation.with_roles(set(organisation.roles) - {message.role})
    if message.role == Role.GOVERNOR and _quorum(ctx) > len(governors(ctx.state)) - 1:
        raise rule_violation("revoking this governor would leave fewer governors than the quorum")
    write_record(ctx.state, org_key(message.inn), revoked)
    ctx.emit(events.RoleRevoked(message.inn, message.role))


def _execute_quorum(ctx: Context, message: ProposeQuorum) -> None:
    write_record(ctx.state, GOVERNANCE_KEY, Governance(quorum=message.quorum))
    ctx.emit(events.QuorumChanged(message.quorum))


def _execute_key_revocation(ctx: Context, message: ProposeKeyRevocation) -> None:
    _revoke_key(ctx, message.inn, message.key_id)


# --- a member's own keys -------------------------------------------------------------------


def apply_add_key(ctx: Context, message: AddKey) -> None:
    """Add a key to the signer's organisation."""
    _add_key(ctx, ctx.signer, message.public_key)


def apply_revoke_key(ctx: Context, message: RevokeKey) -> None:
    """Revoke one of the signer's keys, never the last active one."""
    _active_key(ctx, ctx.signer, message.key_id)
    if active_key_ids(ctx.state, ctx.signer) == [message.key_id]:
        raise rule_violation("cannot revoke the last active key; rotate it instead")
    _revoke_key(ctx, ctx.signer, message.key_id)


def apply_rotate_key(ctx: Context, message: RotateKey) -> None:
    """Add the new key and revoke the old one."""
    _active_key(ctx, ctx.signer, message.old_key_id)
    _add_key(ctx, ctx.signer, message.new_public_key)
    _revoke_key(ctx, ctx.signer, message.old_key_id)


# --- helpers -------------------------------------------------------------------------------


def _write_organisation(ctx: Context, profile: Mapping[str, Any]) -> None:
    inn = str(profile["inn"])
    if ctx.state.get_bytes(org_key(inn)) is not None:
        raise conflict(f"organisation {inn} is already a member")
    record = Organisation(
        inn=inn,
        ogrn=_optional_text(profile, "ogrn"),
        name=str(profile["name"]),
        roles=tuple(sorted(set(profile["roles"]))),
        admitted_index=ctx.index,
        name_en=_optional_text(profile, "name_en"),
        country=_optional_text(profile, "country"),
    )
    write_record(ctx.state, org_key(inn), record)


def _optional_text(profile: Mapping[str, Any], name: str) -> str | None:
    return str(profile[name]) if profile.get(name) else None


def _add_key(ctx: Context, inn: str, text: str) -> None:
    public_key = _parse_key(text)
    identifier = key_id(public_key)
    if ctx.state.get_bytes(signing_key_key(inn, identifier)) is not None:
        raise conflict(f"key {identifier} of {inn} is already registered")
    record = SigningKey(public_key=text, status="active", added_index=ctx.index)
    write_record(ctx.state, signing_key_key(inn, identifier), record)
    ctx.emit(events.KeyAdded(inn, identifier))


def _revoke_key(ctx: Context, inn: str, identifier: str) -> None:
    record = _active_key(ctx, inn, identifier).revoked(ctx.index)
    write_record(ctx.state, signing_key_key(inn, identifier), record)
    ctx.emit(events.KeyRevoked(inn, identifier))


def _active_key(ctx: Context, inn: str, identifier: str) -> SigningKey:
    record = read_record(ctx.state, signing_key_key(inn, identifier), SigningKey)
    if record is None:
        raise not_found(f"{inn} has no key {identifier}")
    if record.status != "active":
        raise rule_violation(f"key {identifier} of {inn} is already {record.status}")
    return record


def _member(ctx: Context, inn: str) -> Organisation:
    record = member(ctx.state, inn)
    if record is None:
        raise not_found(f"organisation {inn} is not a member")
    return record


def _parse_key(text: str) -> Any:
    try:
        return decode_public_key(text)
    except KeyFormatError as error:
        raise invalid_body(f"public_key: {error}") from error


def _quorum(ctx: Context) -> int:
    governance = read_record(ctx.state, GOVERNANCE_KEY, Governance)
    assert governance is not None, "genesis sets the quorum"
    return governance.quorum


def _proposal_message(record: Proposal) -> ProposalMessage:
    cls = _PROPOSAL_TYPES[record.action]
    message: ProposalMessage = decode_message(cls, record.body)
    return message


_PROPOSAL_TYPES: dict[str, type[Any]] = {
    cls.TYPE: cls
    for cls in (
        ProposeAdmission,
        ProposeForeignAdmission,
        ProposeRoleGrant,
        ProposeRoleRevocation,
        ProposeQuorum,
        ProposeKeyRevocation,
    )
}
_VALIDATORS: dict[type[Any], Callable[[Context, Any], None]] = {
    ProposeAdmission: validate_admission,
    ProposeForeignAdmission: validate_foreign_admission,
    ProposeRoleGrant: validate_role_change,
    ProposeRoleRevocation: validate_role_change,
    ProposeQuorum: validate_quorum,
    ProposeKeyRevocation: validate_key_revocation,
}
_EXECUTORS: dict[type[Any], Callable[[Context, Any], None]] = {
    ProposeAdmission: _execute_admission,
    ProposeForeignAdmission: _execute_foreign_admission,
    ProposeRoleGrant: _execute_role_grant,
    ProposeRoleRevocation: _execute_role_revocation,
    ProposeQuorum: _execute_quorum,
    ProposeKeyRevocation: _execute_key_revocation,
}
