"""``/v1`` reads of the base modules: organisations (identity), accounts and their postings,
and anchored documents (notary) with the proof that the ledger holds them."""

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from krai.app.proofs import proven_by_latest_checkpoint
from krai.entrypoints.api.context import StorageDep, document
from krai.entrypoints.api.limits import Identifier, Sha256
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, not_found
from krai.modules.accounts import queries as accounts
from krai.modules.identity import queries as identity
from krai.modules.identity.identifiers import ORGANISATION_ID_PATTERN
from krai.modules.notary import queries as notary
from krai.state.records import record_json, records_json

router = APIRouter(prefix="/v1", tags=["identity, accounts, notary"], responses=PROBLEM_RESPONSES)

Inn = Annotated[
    str,
    Path(
        pattern=f"^(?:{ORGANISATION_ID_PATTERN})$",
        description="The organisation's INN, or its foreign identifier <scheme>:<value>.",
    ),
]


@router.get("/organisations", summary="Every member organisation")
def organisations(storage: StorageDep) -> JSONResponse:
    """By INN or foreign identifier, with roles, and country if foreign."""
    return document(records_json(identity.organisations(storage)))


@router.get("/organisations/{inn}", summary="An organisation with its keys and accounts")
def organisation(inn: Inn, storage: StorageDep) -> JSONResponse:
    """Every key, active or revoked, and every account it owns."""
    found = identity.member(storage, inn)
    if found is None:
        raise not_found(f"{inn} is not a member organisation")
    return document(
        {
            **record_json(found),
            "keys": records_json(identity.keys_of(storage, inn)),
            "accounts": records_json(accounts.accounts_of(storage, inn)),
        }
    )


@router.get("/governance", summary="The quorum, the governors and open proposals")
def governance(storage: StorageDep) -> JSONResponse:
    """Governance of the network."""
    return document(
        {
            "quorum": identity.quorum(storage),
            "governors": identity.governors(storage),
            "proposals": records_json(identity.proposals(storage)),
        }
    )


@router.get("/accounts", summary="Every account with its balance")
def account_list(storage: StorageDep) -> JSONResponse:
    """Open or closed, by id."""
    return document(records_json(accounts.accounts(storage)))


@router.get("/accounts/{account_id}", summary="One account with its balance")
def account(account_id: Identifier, storage: StorageDep) -> JSONResponse:
    """Owner, kind, purpose, balance in kopecks, status."""
    found = accounts.account_record(storage, account_id)
    if found is None:
        raise not_found(f"no account {account_id}")
    return document(record_json(found))


@router.get("/accounts/{account_id}/postings", summary="An account's postings in ledger order")
def postings(account_id: Identifier, storage: StorageDep) -> JSONResponse:
    """Each with the balance after it."""
    if accounts.account_record(storage, account_id) is None:
        raise not_found(f"no account {account_id}")
    return document(records_json(accounts.posting_records(storage, account_id)))


@router.get("/anchors/{sha256}", summary="An anchored document with its inclusion proof")
def anchor(sha256: Sha256, storage: StorageDep) -> JSONResponse:
    """As ``krai notary show --json``."""
    found = notary.anchor(storage, sha256)
    if found is None:
        raise not_found(f"document {sha256} is not anchored")
    proven = proven_by_latest_checkpoint(storage, found.index)
    return document({"anchor": record_json(found), **proven})
