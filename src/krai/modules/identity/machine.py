"""The identity state machine: its handlers, who may submit each, and what each reads."""

from collections.abc import Mapping, Sequence
from typing import Any

from krai.modules.identity import messages as m
from krai.modules.identity import rules
from krai.modules.identity.model import Role
from krai.state.engine import ANY_ORGANISATION, Context, Handler

GOVERNORS = frozenset({Role.GOVERNOR.value})


class IdentityModule:
    """The identity state machine."""

    name = "identity"

    def apply_genesis(self, ctx: Context, genesis: Mapping[str, Any]) -> None:
        """Found the network from the genesis document."""
        rules.apply_genesis(ctx, genesis)

    def handlers(self) -> Sequence[Handler[Any]]:
        """Governance proposals and approvals; members' own key management."""
        return [
            Handler(
                m.ProposeAdmission,
                GOVERNORS,
                rules.open_proposal,
                validate=rules.validate_admission,
                summary="Propose to admit an organisation with its key and roles",
            ),
            Handler(
                m.ProposeForeignAdmission,
                GOVERNORS,
                rules.open_proposal,
                check=rules.check_foreign_admission,
                validate=rules.validate_foreign_admission,
                summary="Propose to admit a foreign organisation by its own identifier",
            ),
            Handler(
                m.ProposeRoleGrant,
                GOVERNORS,
                rules.open_proposal,
                validate=rules.validate_role_change,
                summary="Propose to grant a role",
            ),
            Handler(
                m.ProposeRoleRevocation,
                GOVERNORS,
                rules.open_proposal,
                validate=rules.validate_role_change,
                summary="Propose to revoke a role",
            ),
            Handler(
                m.ProposeQuorum,
                GOVERNORS,
                rules.open_proposal,
                validate=rules.validate_quorum,
                summary="Propose a new governance quorum",
            ),
            Handler(
                m.ProposeKeyRevocation,
                GOVERNORS,
                rules.open_proposal,
                validate=rules.validate_key_revocation,
                summary="Propose to revoke a member's key",
            ),
            Handler(m.Approve, GOVERNORS, rules.apply_approval, summary="Approve an open proposal"),
            Handler(m.AddKey, ANY_ORGANISATION, rules.apply_add_key, summary="Add a signing key"),
            Handler(m.RevokeKey, ANY_ORGANISATION, rules.apply_revoke_key, summary="Revoke a key"),
            Handler(m.RotateKey, ANY_ORGANISATION, rules.apply_rotate_key, summary="Replace a key"),
        ]
