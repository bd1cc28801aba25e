"""The ledger explorer: checkpoints, entries page by page, and one entry with its inclusion
proof, which the browser checks itself (``static/verify.js``) against the signed checkpoint.

The entry page embeds the proof, the checkpoint's signed note and the log's public key; the
script fetches the entry's exact bytes from ``/explorer/entries/{index}/raw``, hashes them as
an RFC 9162 leaf, walks the audit path to a root and compares it with the root in the note.
"""

import json
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from krai.app.entries import find_entries
from krai.app.park_registry import organisation_names
from krai.app.ports import Storage, StoredEntry
from krai.app.proofs import prove_inclusion
from krai.app.publication import latest_checkpoint
from krai.bootstrap import Services
from krai.entrypoints.web.render import not_found, page, respond, services_of, wants_json
from krai.log.checkpoint import open_checkpoint
from krai.log.note import NoteError, format_vkey

router = APIRouter()
PAGE_SIZE = 50
CHECKPOINTS_SHOWN = 20


@page(router, "/explorer")
def explorer(request: Request) -> Response:
    """The latest checkpoints and the newest entries."""
    services = services_of(request)
    storage = services.storage
    size = storage.log_size()
    listed = storage.checkpoints(CHECKPOINTS_SHOWN)
    data: dict[str, Any] = {
        "log_size": size,
        "origin": services.origin,
        "log_vkey": format_vkey(services.log_verifier),
        "checkpoints": [
            {"size": c.size, "root_hash": c.root_hash.hex(), "time_ms": c.time_ms, "note": c.note}
            for c in listed
        ],
        "signature_checked_by_server": all(_signed(services, c.note) for c in listed),
        "latest": latest_checkpoint(services.publication),
        "newest_entries": _rows(storage, max(size - 10, 0), size)[::-1],
    }
    checker = {
        "origin": data["origin"],
        "log_vkey": data["log_vkey"],
        "signature_checked_by_server": data["signature_checked_by_server"],
        "notes": {c.size: c.note for c in listed},
    }
    return respond(request, "explorer.j2", data, "explorer.title", checker_script=_script(checker))


@page(router, "/explorer/entries")
def entries(request: Request, page: int = 1) -> Response:
    """Entries in log order, ``PAGE_SIZE`` to a page."""
    storage = services_of(request).storage
    size = storage.log_size()
    pages = max((size + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    chosen = min(max(page, 1), pages)
    start = (chosen - 1) * PAGE_SIZE
    data: dict[str, Any] = {
        "log_size": size,
        "page": chosen,
        "pages": pages,
        "entries": _rows(storage, start, min(start + PAGE_SIZE, size)),
    }
    return respond(request, "entries.j2", data, "entries.title")


@router.get("/explorer/entries/{index}/raw", include_in_schema=False)
def raw_entry(request: Request, index: int) -> Response:
    """The entry's exact bytes in the log (its leaf hash is SHA-256 of 0x00 ‖ these)."""
    found = services_of(request).storage.entry(index) if index >= 0 else None
    if found is None:
        return Response(status_code=404)
    return Response(found.data, media_type="application/octet-stream")


@page(router, "/explorer/entries/{index}")
def entry(request: Request, index: int) -> Response:
    """One entry: its decoded content and its inclusion proof in the latest checkpoint."""
    services = services_of(request)
    found = services.storage.entry(index) if index >= 0 else None
    if found is None:
        return not_found(request, f"entry {index}")
    data = entry_data(services, found)
    return respond(request, "entry.j2", data, "entry.title", proof_script=_script(data["proof"]))


@page(router, "/explorer/search")
def search(request: Request, q: str = "") -> Response:
    """Entries by index, transaction id, leaf hash or anchored document; one match opens it."""
    found = find_entries(services_of(request).storage, q)
    if len(found["matches"]) == 1 and not wants_json(request):
        language = f"?lang={request.query_params['lang']}" if "lang" in request.query_params else ""
        return RedirectResponse(
            f"/explorer/entries/{found['matches'][0]['index']}{language}", status_code=303
        )
    return respond(request, "search.j2", found, "search.title")


@router.get("/explorer/tx/{tx_id}", include_in_schema=False)
def transaction(request: Request, tx_id: str) -> Response:
    """The entry holding a transaction, found by its id."""
    found = services_of(request).storage.entry_by_tx_id(tx_id)
    if found is None:
        return not_found(request, f"transaction {tx_id}")
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/explorer/entries/{found.index}{query}", status_code=303)


def entry_data(services: Services, found: StoredEntry) -> dict[str, Any]:
    """The entry page's data: the entry, and what the browser needs to check its proof."""
    return {
        "index": found.index,
        "tx_id": found.tx_id,
        "tx_type": found.tx_type,
        "signer": found.signer,
        "signer_name": organisation_names(services.storage, {found.signer or ""}).get(
            found.signer or ""
        ),
        "time_ms": found.time_ms,
        "leaf_hash": found.leaf_hash.hex(),
        "entry": json.loads(found.data),
        "proof": _proof(services, found.index),
    }


def _proof(services: Services, index: int) -> dict[str, Any] | None:
    storage = services.storage
    checkpoint = storage.latest_checkpoint()
    if checkpoint is None or index >= checkpoint.size:
        return None
    return {
        **prove_inclusion(storage, index, checkpoint.size).to_json(),
        "raw_url": f"/explorer/entries/{index}/raw",
        "checkpoint_note": checkpoint.note,
        "signature_checked_by_server": _signed(services, checkpoint.note),
        "log_vkey": format_vkey(services.log_verifier),
    }


def _signed(services: Services, note: str) -> bool:
    try:
        open_checkpoint(note, [services.log_verifier], services.origin)
    except NoteError:
        return False
    return True


def _script(value: Any) -> str:
    """``value`` as JSON safe inside a ``<script type="application/json">`` element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _rows(storage: Storage, start: int, end: int) -> list[dict[str, Any]]:
    found = list(storage.entries(start, end))
    names = organisation_names(storage, {e.signer for e in found if e.signer})
    return [
        {
            "index": e.index,
            "time_ms": e.time_ms,
            "tx_type": e.tx_type,
            "signer": e.signer,
            "signer_name": names.get(e.signer or ""),
            "tx_id": e.tx_id,
        }
        for e in found
    ]
