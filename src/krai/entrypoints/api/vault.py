"""``/v1/vault``: the operator's personal-data vault — enrol a person, answer an access request.

Only the operator may call these (a bearer token, see ``auth``), and personal data travels
only in request bodies, never in URLs. Erasure is not offered over HTTP: it stays with
``krai vault erase`` on the operator's machine.
"""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from krai.app.vault import Person, VaultError, access_report, enrolment
from krai.bootstrap import Services
from krai.entrypoints.api.auth import require_operator
from krai.entrypoints.api.context import services
from krai.entrypoints.api.problems import PROBLEM_RESPONSES, ProblemError, malformed, not_found
from krai.tx.strict_json import parse_strict_json

router = APIRouter(
    prefix="/v1/vault",
    tags=["vault"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(require_operator)],
)

PERSON_FIELDS = ("snils", "full_name", "birth_date", "address")
REQUIRED_PERSON_FIELDS = PERSON_FIELDS[:3]
TEXT = {"type": "string"}
ENROL_SCHEMA = {
    "type": "object",
    "required": ["programme_id", "person"],
    "properties": {
        "programme_id": TEXT,
        "person": {
            "type": "object",
            "required": list(REQUIRED_PERSON_FIELDS),
            "properties": dict.fromkeys(PERSON_FIELDS, TEXT),
        },
    },
}
ACCESS_SCHEMA = {"type": "object", "required": ["snils"], "properties": {"snils": TEXT}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post(
    "/enrol",
    summary="Enrol a person in a programme; their pseudonym and dedup key",
    openapi_extra=_body(ENROL_SCHEMA),
)
async def enrol_person(request: Request) -> JSONResponse:
    """The programme, the pseudonym and the dedup key; enrolling again answers the same."""
    document = await _object(request, {"programme_id", "person"})
    programme_id, person = document["programme_id"], _person(document["person"])
    if not isinstance(programme_id, str):
        raise malformed("programme_id must be a string")
    enrolled = await run_in_threadpool(_enrol, services(request), person, programme_id)
    return JSONResponse(enrolled)


@router.post(
    "/access",
    summary="A subject access report (152-FZ art. 14)",
    openapi_extra=_body(ACCESS_SCHEMA),
)
async def access(request: Request) -> JSONResponse:
    """The personal data held, the pseudonyms, and every ledger entry that mentions them."""
    snils = (await _object(request, {"snils"}))["snils"]
    if not isinstance(snils, str):
        raise malformed("snils must be a string")
    report = await run_in_threadpool(_access, services(request), snils)
    return JSONResponse(report)


def _enrol(found: Services, person: Person, programme_id: str) -> dict[str, str]:
    try:
        return enrolment(found.vault(create=True), person, programme_id)
    except VaultError as error:
        raise ProblemError("vault_refused", str(error)) from None


def _access(found: Services, snils: str) -> dict[str, Any]:
    try:
        report = access_report(found.storage, found.vault(), snils)
    except VaultError as error:
        raise ProblemError("vault_refused", str(error)) from None
    if report is None:
        raise not_found("no person with this SNILS is enrolled in the vault")
    return report


async def _object(request: Request, fields: set[str]) -> dict[str, Any]:
    document = parse_strict_json(await request.body())
    if not isinstance(document, dict) or set(document) != fields:
        raise malformed(f"the body is a JSON object with exactly {', '.join(sorted(fields))}")
    return document


def _person(document: Any) -> Person:
    if not isinstance(document, dict) or set(document) - set(PERSON_FIELDS):
        raise malformed(f"a person is a JSON object with the fields {', '.join(PERSON_FIELDS)}")
    if not all(isinstance(value, str) for value in document.values()):
        raise malformed("every field of a person is a string")
    missing = [name for name in REQUIRED_PERSON_FIELDS if name not in document]
    if missing:
        raise malformed(f"the person lacks {', '.join(missing)}")
    return Person(**document)
