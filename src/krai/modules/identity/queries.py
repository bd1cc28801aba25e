"""Read functions over identity state, used alike by the engine, the CLI, the API and audits.

Each answers typed records (``model.Organisation``, ``SigningKeyView``, ``ProposalView``);
``organisation`` alone answers a JSON object, for the domain modules that read it so.
"""

from typing import TYPE_CHECKING, Any

import msgspec

from krai.modules.identity.model import (
    GOVERNANCE_KEY,
    ROLE_NAMES,
    Governance,
    Organisation,
    Proposal,
    ProposalView,
    Role,
    SigningKey,
    SigningKeyView,
    org_key,
    signing_key_key,
)
from krai.state.records import decode_record, read_record, scan_records
from krai.state.store import StateView
from krai.tx.errors import Code, RejectedError

if TYPE_CHECKING:
    from krai.crypto.keys import PublicKey

ORG_PREFIX = "identity/org/"
PROPOSAL_PREFIX = "identity/proposal/"


def member(view: StateView, inn: str) -> Organisation | None:
    """The member organisation with this INN, or None."""
    return read_record(view, org_key(inn), Organisation)


def organisations(view: StateView) -> list[Organisation]:
    """Every member organisation, by INN."""
    return [found for _, found in scan_records(view, ORG_PREFIX, Organisation)]


def governors(view: StateView) -> list[str]:
    """The INNs of organisations holding the governor role."""
    return [org.inn for org in organisations(view) if Role.GOVERNOR in org.roles]


def quorum(view: StateView) -> int:
    """The number of governor approvals a governance action needs."""
    governance = read_record(view, GOVERNANCE_KEY, Governance)
    return governance.quorum if governance else 0


def keys_of(view: StateView, inn: str) -> list[SigningKeyView]:
    """Every key of an organisation, active or revoked, with its key id."""
    prefix = f"identity/key/{inn}/"
    return [
        SigningKeyView(key_id=key[len(prefix) :], **msgspec.structs.asdict(found))
        for key, found in scan_records(view, prefix, SigningKey)
    ]


def active_key_ids(view: StateView, inn: str) -> list[str]:
    """The ids of an organisation's active keys."""
    return [key.key_id for key in keys_of(view, inn) if key.status == "active"]


def proposals(view: StateView, status: str | None = None) -> list[ProposalView]:
    """Governance proposals, optionally only those with ``status`` (open, executed)."""
    found = [
        ProposalView(id=key[len(PROPOSAL_PREFIX) :], **msgspec.structs.asdict(proposal))
        for key, proposal in scan_records(view, PROPOSAL_PREFIX, Proposal)
    ]
    return [p for p in found if status is None or p.status == status]


class IdentityAuthority:
    """Resolves signers' keys and roles for the state engine.

    Decoded records are memoised by their exact stored bytes, which makes the memo a pure
    function of state: the same bytes always decode to the same key and roles.
    """

    MEMO_LIMIT = 10_000
    state_prefix = "identity/"
    role_names = ROLE_NAMES

    def __init__(self) -> None:
        self._memo: dict[bytes, Any] = {}

    def signing_key(self, view: StateView, signer: str, key_id: str) -> "PublicKey":
        """The signer's active key, or a refusal naming what is wrong."""
        if view.get_bytes(org_key(signer)) is None:
            raise RejectedError(Code.UNKNOWN_SIGNER, f"{signer} is not a member organisation")
        raw = view.get_bytes(signing_key_key(signer, key_id))
        if raw is None:
            raise RejectedError(Code.UNKNOWN_KEY, f"{signer} has no key {key_id}")
        status, key, revoked_at = self._decoded(raw, _key_fields)
        if status != "active":
            raise RejectedError(
                Code.REVOKED_KEY, f"key {key_id} of {signer} was revoked at entry {revoked_at}"
            )
        return key  # type: ignore[no-any-return]

    def roles(self, view: StateView, signer: str) -> frozenset[str]:
        """The roles the signer holds."""
        raw = view.get_bytes(org_key(signer))
        roles: frozenset[str] = frozenset() if raw is None else self._decoded(raw, _role_set)
        return roles

    def _decoded(self, raw: bytes, decode: Any) -> Any:
        found = self._memo.get(raw)
        if found is None:
            if len(self._memo) > self.MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[raw] = decode(raw)
        return found


def _key_fields(raw: bytes) -> tuple[str, "PublicKey", int | None]:
    # Decoded once per key (memoised): a read that checks no signature loads no key types.
    from krai.crypto.keys import decode_public_key  # noqa: PLC0415

    key = decode_record(raw, SigningKey)
    return key.status, decode_public_key(key.public_key), key.revoked_index


def _role_set(raw: bytes) -> frozenset[str]:
    return frozenset(decode_record(raw, Organisation).roles)
