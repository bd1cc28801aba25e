"""A filled park report template as its signer previews it before signing (ADR 0034, 0035,
0040): for resident actuals, each filled sheet's resident, quarter, investment, jobs and
source against the resident's commitments (committed, reported before, with this report);
for park facts, each fact stated with its date and source; and the transactions that record
it. A resident signs only its own sheet: for a chosen key, the transactions its organisation
signs carry the bytes to sign, the others are named as left for their residents.
``POST /v1/parks/reports`` and the dashboard's ``/parks/{park_id}/upload`` answer this
document."""

from collections.abc import Mapping
from typing import Any

from krai.app.park_registry import organisation_names
from krai.app.park_reports import ParkReport, ReportFileError, ReportTransaction, read_report
from krai.app.ports import Storage
from krai.app.uploads import Signing, UploadError, UploadKind, to_sign
from krai.modules.identity import queries as identity
from krai.modules.identity.model import Role
from krai.modules.parks import queries
from krai.modules.parks.model import milestone_quarter
from krai.tx.errors import Code, RejectedError


def park_report_preview(
    storage: Storage,
    origin: str,
    files: Mapping[str, bytes],
    form: Mapping[str, str],
    signing: Signing | None = None,
) -> dict[str, Any]:
    """``files["file"]`` (a filled template) read for park ``form["park_id"]`` (any park
    when not given); raises ``UploadError`` listing every ``sheet!cell: reason``, or naming
    why the chosen key signs none of it."""
    try:
        report = read_report(files["file"])
    except ReportFileError as error:
        raise UploadError(error.errors) from None
    park_id = form.get("park_id") or report.park_id
    if report.park_id != park_id:
        raise UploadError([f"krai!B5: the file reports park {report.park_id}, not {park_id}"])
    about = upload_target(storage, {"park_id": park_id})
    if about is None:
        raise UploadError([f"park {park_id} is not registered"], Code.NOT_FOUND.value)
    names = organisation_names(storage, {t.signer for t in report.transactions if t.signer})
    _refuse_foreign_signer(storage, report, about["operator"]["inn"], signing)
    shown: dict[str, Any] = (
        {"residents": [_resident(storage, report, t, names) for t in report.transactions]}
        if report.kind == "actuals"
        else {"facts": report.transactions[0].body}
    )
    parts = [_part(origin, t, names, signing) for t in report.transactions]
    return {
        "network": origin,
        **about,
        "kind": report.kind,
        "quarter": report.quarter,
        "signing": None if signing is None else signing._asdict(),
        **shown,
        "parts": parts,
        "left_for_others": [_named(t, names) for t in report.transactions if not _signs(t, signing)]
        if signing is not None
        else [],
    }


def upload_target(storage: Storage, where: Mapping[str, str]) -> dict[str, Any] | None:
    """The park of the page's path (``park_id``): its id, name, operator and ``members`` (the
    operator and every resident: whose keys the form offers first); None when it is not
    registered."""
    park_id = where.get("park_id", "")
    park = queries.park(storage, park_id)
    if park is None:
        return None
    operator = str(park["operator"])
    return {
        "park_id": park_id,
        "park_name": str(park["name_ru"]),
        "operator": {
            "inn": operator,
            "name": organisation_names(storage, {operator}).get(operator),
        },
        "members": [operator, *(r.inn for r in queries.residents(storage, park_id))],
    }


def _refuse_foreign_signer(
    storage: Storage, report: ParkReport, operator: str, signing: Signing | None
) -> None:
    """A resident signs its own actuals, the park's operator or an attestor the facts: a key
    that signs none of the file's transactions is refused before anything is shown to sign."""
    if signing is None:
        return
    if report.kind == "facts":
        member = identity.member(storage, signing.signer)
        attestor = member is not None and Role.ATTESTOR in member.roles
        if signing.signer != operator and not attestor:
            raise UploadError(
                [
                    f"{signing.signer} states no facts of park {report.park_id}: its operator "
                    f"{operator} or an attestor signs them"
                ],
                Code.RULE_VIOLATION.value,
            )
    elif not any(t.signer == signing.signer for t in report.transactions):
        raise UploadError(
            [f"the file has no filled sheet of {signing.signer}: a resident signs its own"],
            Code.RULE_VIOLATION.value,
        )


def _signs(transaction: ReportTransaction, signing: Signing | None) -> bool:
    return signing is not None and transaction.signer in (None, signing.signer)


def _named(transaction: ReportTransaction, names: Mapping[str, str]) -> dict[str, Any]:
    inn = transaction.signer
    return {"sheet": transaction.sheet, "inn": inn, "name": names.get(inn) if inn else None}


def _resident(
    storage: Storage, report: ParkReport, transaction: ReportTransaction, names: Mapping[str, str]
) -> dict[str, Any]:
    """A resident's sheet: what it reports, the report of its quarter it replaces, and per
    milestone what was committed, reported before and reported with this report."""
    inn, body = str(transaction.signer), transaction.body
    found = queries.resident(storage, report.park_id, inn)
    held = found.actuals if found is not None else {}
    before = {q: (a.investment_kopecks, a.jobs) for q, a in held.items()}
    after = before | {body["quarter"]: (body["investment_kopecks"], body["jobs"])}
    replaced = held.get(body["quarter"])
    return {
        **_named(transaction, names),
        **{key: body[key] for key in ("quarter", "investment_kopecks", "jobs", "source")},
        "replaces": None
        if replaced is None
        else {
            "investment_kopecks": replaced.investment_kopecks,
            "jobs": replaced.jobs,
            "source": replaced.source,
        },
        "commitments": [
            {
                "due": m.due,
                "committed_investment_kopecks": m.investment_kopecks,
                "committed_jobs": m.jobs,
                "reported": _totals(before, milestone_quarter(m.due)),
                "with_report": _totals(after, milestone_quarter(m.due)),
            }
            for m in (found.milestones if found is not None else [])
        ],
    }


def _totals(actuals: dict[str, tuple[int, int]], through: str) -> dict[str, int]:
    """Investment to date and jobs at the last reported quarter, up to ``through``."""
    reported = sorted(q for q in actuals if q <= through)
    return {
        "investment_kopecks": sum(actuals[q][0] for q in reported),
        "jobs": actuals[reported[-1]][1] if reported else 0,
    }


def _part(
    origin: str,
    transaction: ReportTransaction,
    names: Mapping[str, str],
    signing: Signing | None,
) -> dict[str, Any]:
    """The transaction; for a key whose organisation signs it, what to sign."""
    shown = {**transaction.to_json(), "signer_name": _named(transaction, names)["name"]}
    if signing is not None and _signs(transaction, signing):
        try:
            shown["to_sign"] = to_sign(origin, signing, transaction)
        except RejectedError as error:
            raise UploadError([f"{transaction.sheet}: {error.message}"]) from None
    return shown


PARK_REPORT = UploadKind(
    (Role.RESIDENT, Role.PARK_OPERATOR, Role.ATTESTOR),
    park_report_preview,
    ("file",),
    upload_target,
)
