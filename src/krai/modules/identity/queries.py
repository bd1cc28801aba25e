"""Read functions over identity state, used alike by the engine, the CLI, the API and audits."""

from typing import Any

from krai.crypto.keys import PublicKey, decode_public_key
from krai.modules.identity.model import GOVERNANCE_KEY, ROLE_NAMES, Role, org_key, signing_key_key
from krai.state.store import StateView, decode_value, read, scan
from krai.tx.errors import Code, RejectedError


def organisation(view: StateView, inn: str) -> dict[str, Any] | None:
    """The member organisation with this INN, or None."""
    return read(view, org_key(inn))


def organisations(view: StateView) -> list[dict[str, Any]]:
    """Every member organisation, by INN."""
    return [value for _, value in scan(view, "identity/org/")]


def governors(view: StateView) -> list[str]:
    """The INNs of organisations holding the governor role."""
    return [org["inn"] for org in organisations(view) if Role.GOVERNOR in org["roles"]]


def quorum(view: StateView) -> int:
    """The number of governor approvals a governance action needs."""
    governance = read(view, GOVERNANCE_KEY)
    return int(governance["quorum"]) if governance else 0


def keys_of(view: StateView, inn: str) -> list[dict[str, Any]]:
    """Every key of an organisation, active or revoked, with its key id."""
    prefix = f"identity/key/{inn}/"
    return [{"key_id": key[len(prefix) :], **value} for key, value in scan(view, prefix)]


def active_key_ids(view: StateView, inn: str) -> list[str]:
    """The ids of an organisation's active keys."""
    return [key["key_id"] for key in keys_of(view, inn) if key["status"] == "active"]


def proposals(view: StateView, status: str | None = None) -> list[dict[str, Any]]:
    """Governance proposals, optionally only those with ``status`` (open, executed)."""
    found = [
        {"id": key.rsplit("/", 1)[1], **value} for key, value in scan(view, "identity/proposal/")
    ]
    return [p for p in found if status is None or p["status"] == status]


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

    def signing_key(self, view: StateView, signer: str, key_id: str) -> PublicKey:
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
            found = self._memo[raw] = decode(decode_value(raw))
        return found


def _key_fields(record: dict[str, Any]) -> tuple[str, PublicKey, Any]:
    return record["status"], decode_public_key(record["public_key"]), record.get("revoked_index")


def _role_set(record: dict[str, Any]) -> frozenset[str]:
    return frozenset(record["roles"])
