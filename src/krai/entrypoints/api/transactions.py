"""``/v1/transactions``: submit signed transactions, look one up; ``/v1/types``.

A submission is answered only after the durable commit of the batch that holds it (the
submitter groups concurrent requests into one commit). The body is one signed transaction, or
``{"transactions": [...]}``; one transaction is answered 201 with its receipt, or with the
problem of its refusal; a batch is answered 200 with one result per transaction, in order.
``?wait=checkpoint`` adds to each receipt the signed checkpoint that covers it and the
entry's inclusion proof there.
"""

import asyncio
from concurrent.futures import Future
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from krai.app.entries import entry_of_transaction
from krai.app.ports import Storage
from krai.app.proofs import proven_by_latest_checkpoint
from krai.app.sequencer import Outcome, Receipt
from krai.app.submission import CheckpointTimeoutError, sealed
from krai.entrypoints.api.context import ServicesDep, StorageDep, SubmitterDep, document
from krai.entrypoints.api.limits import (
    CHECKPOINT_TIMEOUT_S,
    HEX_SHA256,
    MAX_BATCH_TRANSACTIONS,
    SUBMIT_TIMEOUT_S,
)
from krai.entrypoints.api.problems import (
    PROBLEM_RESPONSES,
    ProblemError,
    malformed,
    not_found,
    problem_response,
    refusal_document,
)
from krai.state.compiled_entry import compiled_submission
from krai.tx.codec import transaction_from_json
from krai.tx.envelope import MAX_TRANSACTION_BYTES, Transaction
from krai.tx.errors import Code, RejectedError
from krai.tx.strict_json import parse_strict_json

router = APIRouter(tags=["transactions"], responses=PROBLEM_RESPONSES)

Decoded = Transaction | RejectedError
WaitOption = Annotated[
    Literal["commit", "checkpoint"] | None,
    Query(description="`checkpoint`: also wait for a signed checkpoint covering each entry."),
]
SUBMISSION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "object", "description": "One signed transaction."},
                        {
                            "type": "object",
                            "properties": {"transactions": {"type": "array", "maxItems": 1000}},
                            "required": ["transactions"],
                        },
                    ]
                }
            }
        },
    }
}


@router.post(
    "/v1/transactions",
    status_code=201,
    openapi_extra=SUBMISSION_BODY,
    summary="Submit one signed transaction or a batch; answered after the durable commit",
)
async def submit_transactions(
    request: Request, submitter: SubmitterDep, storage: StorageDep, wait: WaitOption = None
) -> Response:
    """Sequence the transactions; receipts once durable, refusals as problems."""
    decoded, batch = decode_submission(await request.body())
    valid = [item for item in decoded if isinstance(item, Transaction)]
    outcomes = iter(await _outcomes(submitter.submit(valid)))
    results = [next(outcomes) if isinstance(item, Transaction) else item for item in decoded]
    if wait == "checkpoint":
        rendered = [await _sealed(storage, result) for result in results]
    else:
        rendered = [_rendered(result) for result in results]
    if batch:
        accepted = sum(isinstance(result, Receipt) for result in results)
        return _answer(
            {"accepted": accepted, "refused": len(results) - accepted, "results": rendered}
        )
    [outcome] = results
    if isinstance(outcome, RejectedError):
        return problem_response(outcome.code.value, outcome.message)
    return _answer(rendered[0], 201, {"Location": f"/v1/transactions/{outcome.tx_id}"})


def _answer(
    content: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A submission's answer as JSON: receipts and refusals hold only strings and integers,
    which orjson writes as ``JSONResponse`` would, in a tenth of the time (ADR 0050)."""
    return Response(orjson.dumps(content), status, headers, media_type="application/json")


def decode_submission(data: bytes) -> tuple[list[Decoded], bool]:
    """The body's transactions, each decoded or refused, and whether it was a batch.

    A body in compact JSON is decoded by the compiled decoder, which gives
    ``strict_submission``'s result or steps aside to it for anything it is not sure of
    (ADR 0044).
    """
    compiled = compiled_submission(data)
    if compiled is not None and len(compiled[0]) <= MAX_BATCH_TRANSACTIONS:
        return list[Decoded](compiled[0]), compiled[1]
    return strict_submission(data)


def strict_submission(data: bytes) -> tuple[list[Decoded], bool]:
    """``decode_submission`` by the strict decoder, whose words every refusal keeps.

    A body that is not strict JSON is refused as a whole (a problem), as is a batch that is
    not a non-empty list of at most ``MAX_BATCH_TRANSACTIONS``.
    """
    parsed = parse_strict_json(data)
    if isinstance(parsed, dict) and set(parsed) == {"transactions"}:
        items = parsed["transactions"]
        if not isinstance(items, list) or not items:
            raise malformed("transactions must be a non-empty JSON array")
        if len(items) > MAX_BATCH_TRANSACTIONS:
            raise ProblemError(
                Code.OVERSIZE.value,
                f"{len(items)} transactions, a batch holds at most {MAX_BATCH_TRANSACTIONS}",
            )
        return [_decoded(item) for item in items], True
    if len(data) > MAX_TRANSACTION_BYTES:
        raise ProblemError(
            Code.OVERSIZE.value, f"{len(data)} bytes, the limit is {MAX_TRANSACTION_BYTES}"
        )
    return [transaction_from_json(parsed)], False


def _decoded(item: Any) -> Decoded:
    try:
        transaction = transaction_from_json(item)
    except RejectedError as error:
        return error
    size = len(transaction.canonical())
    if size > MAX_TRANSACTION_BYTES:
        return RejectedError(
            Code.OVERSIZE, f"{size} canonical bytes, the limit is {MAX_TRANSACTION_BYTES}"
        )
    return transaction


async def _outcomes(future: "Future[list[Outcome]]") -> list[Outcome]:
    """The request's outcomes: one future for all its transactions, so one wake-up."""
    try:
        if future.done():  # no batch to wait for (nothing valid), or the channel failed
            return future.result()
        return await asyncio.wait_for(asyncio.wrap_future(future), SUBMIT_TIMEOUT_S)
    except TimeoutError:
        raise ProblemError(
            "unavailable",
            f"not committed within {SUBMIT_TIMEOUT_S:.0f} s; look the transaction up by its id",
        ) from None
    except RejectedError:
        raise
    except Exception as error:
        raise ProblemError("unavailable", f"the ledger could not commit: {error}") from None


def _rendered(outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, RejectedError):
        return refusal_document(outcome)
    return outcome.to_json()


async def _sealed(storage: Storage, outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, RejectedError):
        return refusal_document(outcome)
    try:
        return await run_in_threadpool(sealed, storage, outcome, CHECKPOINT_TIMEOUT_S)
    except CheckpointTimeoutError as error:
        raise ProblemError("unavailable", str(error)) from None


@router.get("/v1/transactions/{tx_id}", summary="The entry holding a transaction, with its proof")
def transaction(
    tx_id: Annotated[str, Path(pattern=HEX_SHA256, description="SHA-256 of the transaction.")],
    storage: StorageDep,
) -> JSONResponse:
    """The decoded entry, its events, and its inclusion proof under the latest checkpoint."""
    found = entry_of_transaction(storage, tx_id)
    if found is None:
        raise not_found(f"no transaction {tx_id} in the log")
    return document({**found, **proven_by_latest_checkpoint(storage, found["index"])})


@router.get("/v1/types", summary="Every transaction type: version, roles, body schema")
def types(services: ServicesDep) -> JSONResponse:
    """As ``krai tx types --json``."""
    return document(services.engine.describe())
