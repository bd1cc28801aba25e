"""``/v1`` reads of the Merkle log: entries, proofs and the latest checkpoint, as JSON."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from krai.app.entries import (
    MAX_ENTRIES_PER_PAGE,
    MAX_QUERY_LENGTH,
    entry_at,
    entry_page,
    find_entries,
)
from krai.app.ports import Storage
from krai.app.proofs import prove_consistency, prove_inclusion
from krai.app.publication import latest_checkpoint
from krai.entrypoints.api.context import ServicesDep, StorageDep, document
from krai.entrypoints.api.limits import MAX_INDEX, EntryIndex, TreeSize
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, not_found

router = APIRouter(tags=["log"], responses=PROBLEM_RESPONSES)


@router.get(
    "/v1/entries/{index}",
    summary="One entry, decoded with its leaf hash and events; `?raw=1` its exact bytes",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def entry(
    index: Annotated[int, Path(ge=0, le=MAX_INDEX)],
    storage: StorageDep,
    raw: Annotated[bool, Query(description="The entry's exact bytes.")] = False,
) -> Response:
    """SHA-256(0x00 ‖ raw bytes) is the leaf hash."""
    if raw:
        stored = storage.entry(index)
        if stored is None:
            raise not_found(f"no entry {index}")
        return Response(stored.data, media_type="application/octet-stream")
    found = entry_at(storage, index)
    if found is None:
        raise not_found(f"no entry {index}")
    return document(found)


@router.get(
    "/v1/search",
    summary="Entries by index, transaction id, leaf hash or anchored document SHA-256",
)
def search(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
            description="A decimal entry index, or 64 hex digits: a transaction id, a leaf "
            "hash or an anchored document's SHA-256.",
        ),
    ],
    storage: StorageDep,
) -> JSONResponse:
    """Every entry the text names, each with what matched (the explorer's search)."""
    return document(find_entries(storage, q))


@router.get("/v1/entries", summary="A page of entries from `start` on")
def entries(
    storage: StorageDep,
    start: EntryIndex = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_ENTRIES_PER_PAGE)] = 100,
) -> JSONResponse:
    """Up to ``limit`` entries and where the next page starts (``next``, null at the end)."""
    return document(entry_page(storage, start, limit))


@router.get("/v1/proofs/inclusion", summary="RFC 9162 inclusion proof of an entry")
def inclusion(
    storage: StorageDep, index: EntryIndex, size: Annotated[TreeSize | None, Query()] = None
) -> JSONResponse:
    """The proof in the tree of ``size`` entries (default: the whole log)."""
    proof = prove_inclusion(storage, index, size)
    return document({**proof.to_json(), "checkpoint": _note(storage, proof.size)})


@router.get("/v1/proofs/consistency", summary="RFC 9162 consistency proof between two sizes")
def consistency(
    storage: StorageDep, first: TreeSize, second: Annotated[TreeSize | None, Query()] = None
) -> JSONResponse:
    """That the tree of ``first`` entries is a prefix of that of ``second`` (default: all)."""
    proof = prove_consistency(storage, first, second)
    return document({**proof.to_json(), "checkpoint": _note(storage, proof.second)})


@router.get("/v1/checkpoint", summary="The latest signed checkpoint, with the log's key")
def checkpoint(services: ServicesDep) -> JSONResponse:
    """Size, root, signing time and the C2SP signed note; ``vkey`` verifies the note."""
    latest = latest_checkpoint(services.publication)
    if latest is None:
        raise not_found("no checkpoint has been signed yet")
    return document(latest)


def _note(storage: Storage, size: int) -> str | None:
    signed = storage.checkpoint_at(size)
    return None if signed is None else signed.note
