"""Programmes, their dated rule versions, attested facts, and recorded erasures."""

from typing import Any

from krai.modules.accounts.queries import account
from krai.modules.payments import events
from krai.modules.payments.formulas import FormulaError, check_formula
from krai.modules.payments.messages import Attest, RecordErasure, RegisterProgramme, SetRule
from krai.modules.payments.model import (
    PREFIX,
    SHEET_FIELDS,
    attestation_key,
    death_key,
    erasure_key,
    fact_sheet_key,
    programme_key,
    rule_key,
)
from krai.modules.payments.queries import rules
from krai.modules.payments.rules.records import (
    absent,
    member_roles,
    operated_programme,
)
from krai.state.engine import Context
from krai.state.messages import encode_message
from krai.state.store import scan
from krai.tx.errors import invalid_body, rule_violation


def check_programme(message: RegisterProgramme) -> None:
    """A drug programme lists its drugs, each once; a cash programme lists none."""
    drugs = message.drugs or ()
    if (message.kind == "drugs") != bool(drugs):
        raise invalid_body("body.drugs: a drug programme lists its drugs, a cash one none")
    codes = [drug.drug_code for drug in drugs]
    if len(set(codes)) != len(codes):
        raise invalid_body("body.drugs: a drug is listed twice")


def validate_programme(ctx: Context, message: RegisterProgramme) -> None:
    """A new programme funded from an earmarked account of its named payment agent."""
    absent(ctx, programme_key(message.programme_id), f"programme {message.programme_id}")
    budget = account(ctx.state, message.budget_account)
    if budget is None or budget["owner"] != message.payment_agent:
        raise rule_violation(
            f"account {message.budget_account} is not an open account of the payment agent "
            f"{message.payment_agent}"
        )
    if budget.get("purpose") is None:
        raise rule_violation(f"account {message.budget_account} is not earmarked for a purpose")
    if "payment_agent" not in member_roles(ctx, message.payment_agent):
        raise rule_violation(f"{message.payment_agent} does not hold the payment_agent role")


def apply_programme(ctx: Context, message: RegisterProgramme) -> None:
    """Record the programme; its signer operates it."""
    budget = account(ctx.state, message.budget_account) or {}
    record = {k: v for k, v in encode_message(message).items() if k != "programme_id"}
    record.update(operator=ctx.signer, purpose=budget.get("purpose"), **ctx.provenance())
    ctx.state.put(programme_key(message.programme_id), record)
    ctx.emit(events.ProgrammeRegistered(message.programme_id, ctx.signer))


def validate_rule(ctx: Context, message: SetRule) -> None:
    """The operator sets the next version; its formulas are well formed."""
    operated_programme(ctx, message.programme_id)
    existing = rules(ctx.state, message.programme_id)
    expected = len(existing) + 1
    if message.version != expected:
        raise rule_violation(f"the next rule version of {message.programme_id} is {expected}")
    params = message.parameters or {}
    try:
        check_formula(message.eligibility, params)
        check_formula(message.amount_kopecks, params)
    except FormulaError as error:
        raise invalid_body(f"body: {error}") from None


def apply_rule(ctx: Context, message: SetRule) -> None:
    """Record the version beside the older ones, which stay for replay and audit."""
    record = {
        "version": message.version,
        "effective_from": message.effective_from,
        "legal_basis": encode_message(message.legal_basis),
        "eligibility": message.eligibility,
        "amount_kopecks": message.amount_kopecks,
        "parameters": dict(message.parameters or {}),
        **ctx.provenance(),
    }
    ctx.state.put(rule_key(message.programme_id, message.version), record)
    ctx.emit(events.RuleVersionSet(message.programme_id, message.version, message.effective_from))


def check_attestation(message: Attest) -> None:
    """Death carries no value; income and disability group an amount; the rest a text."""
    wants = {"death": None, "income_per_capita_kopecks": "amount", "disability_group": "amount"}
    kind = wants.get(message.kind, "text")
    given = [name for name in ("amount", "text") if getattr(message, name) is not None]
    if given != ([] if kind is None else [kind]):
        raise invalid_body(f"body: a {message.kind} attestation takes {kind or 'no value'}")
    if message.kind == "disability_group" and message.amount not in (1, 2, 3):
        raise invalid_body("body.amount: a disability group is 1, 2 or 3")
    if message.valid_until is not None and message.valid_until <= message.valid_from:
        raise invalid_body("body.valid_until must follow valid_from")


def apply_attestation(ctx: Context, message: Attest) -> None:
    """Record the fact under its subject; a death's value is its date."""
    value: int | str | None = message.text
    if message.kind == "death":
        value = message.valid_from
    elif message.amount is not None:
        value = message.amount
    record: dict[str, Any] = {
        "kind": message.kind,
        "value": value,
        "valid_from": message.valid_from,
        **ctx.provenance(),
    }
    for name in ("valid_until", "document_sha256"):
        if getattr(message, name) is not None:
            record[name] = getattr(message, name)
    ctx.state.put(attestation_key(message.subject, message.kind, ctx.index), record)
    _index_fact(ctx, message.subject, record)
    ctx.emit(events.FactAttested(message.subject, message.kind, message.valid_from))


def _index_fact(ctx: Context, subject: str, record: dict[str, Any]) -> None:
    """Add the fact to its subject's sheet and, for a death, keep the earliest date."""
    sheet = ctx.read(fact_sheet_key(subject)) or {"facts": []}
    sheet["facts"].append({name: record[name] for name in SHEET_FIELDS if name in record})
    ctx.state.put(fact_sheet_key(subject), sheet)
    if record["kind"] == "death":
        known = ctx.read(death_key(subject))
        if known is None or record["valid_from"] < known["died"]:
            ctx.state.put(death_key(subject), {"died": record["valid_from"]})


def validate_erasure(ctx: Context, message: RecordErasure) -> None:
    """The programme's operator records the erasure of a person it knows."""
    operated_programme(ctx, message.programme_id)
    known = next(scan(ctx.state, f"{PREFIX}person/{message.pseudonym}/"), None)
    if known is None:
        raise rule_violation(f"{message.pseudonym} has no assignment")


def apply_erasure(ctx: Context, message: RecordErasure) -> None:
    """Record that the person's data key and personal data were destroyed off the ledger."""
    record = {
        "programme_id": message.programme_id,
        "erased_on": message.erased_on,
        **ctx.provenance(),
    }
    ctx.state.put(erasure_key(message.pseudonym), record)
    ctx.emit(events.ErasureRecorded(message.pseudonym, message.programme_id, message.erased_on))
