"""Programmes, their dated rule versions, attested facts, and recorded erasures."""

from krai.modules.accounts.queries import account_record
from krai.modules.payments import events, messages
from krai.modules.payments.formulas import FormulaError, check_formula
from krai.modules.payments.messages import Attest, RecordErasure, RegisterProgramme, SetRule
from krai.modules.payments.model import (
    EASTMOST_OFFSET_MINUTES,
    PREFIX,
    attestation_key,
    death_key,
    erasure_key,
    fact_sheet_key,
    programme_key,
    rule_key,
)
from krai.modules.payments.queries import rules
from krai.modules.payments.records import (
    Attestation,
    Death,
    Erasure,
    Fact,
    FactSheet,
    LegalBasis,
    ListedDrug,
    Programme,
    RuleVersion,
)
from krai.modules.payments.rules.records import (
    absent,
    concerns,
    member_roles,
    not_after_today,
    operated_programme,
)
from krai.state.engine import Context
from krai.state.records import read_record, record_json, write_record
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
    absent(ctx, programme_key(message.programme_id), Programme, f"programme {message.programme_id}")
    budget = account_record(ctx.state, message.budget_account)
    if budget is None or budget.owner != message.payment_agent:
        raise rule_violation(
            f"account {message.budget_account} is not an open account of the payment agent "
            f"{message.payment_agent}"
        )
    if budget.purpose is None:
        raise rule_violation(f"account {message.budget_account} is not earmarked for a purpose")
    if "payment_agent" not in member_roles(ctx, message.payment_agent):
        raise rule_violation(f"{message.payment_agent} does not hold the payment_agent role")


def apply_programme(ctx: Context, message: RegisterProgramme) -> None:
    """Record the programme; its signer operates it."""
    budget = account_record(ctx.state, message.budget_account)
    assert budget is not None and budget.purpose is not None, "validate_programme checked it"
    drugs = message.drugs
    record = Programme(
        **ctx.provenance(),
        title=message.title,
        kind=message.kind,
        legal_basis=LegalBasis(message.legal_basis.act, message.legal_basis.article),
        budget_account=message.budget_account,
        payment_agent=message.payment_agent,
        incompatible_with=tuple(message.incompatible_with),
        due_days_after_period=message.due_days_after_period,
        operator=ctx.signer,
        purpose=budget.purpose,
        drugs=None if drugs is None else tuple(_listed(drug) for drug in drugs),
        utc_offset_minutes=message.utc_offset_minutes,
    )
    write_record(ctx.state, programme_key(message.programme_id), record)
    ctx.emit(events.ProgrammeRegistered(message.programme_id, ctx.signer))


def _listed(drug: messages.ListedDrug) -> ListedDrug:
    return ListedDrug(
        drug.drug_code, drug.max_units_per_prescription, drug.reimbursement_kopecks_per_unit
    )


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
    """Record the version beside the older ones, which stay for replay and audit. Its
    formulas and parameter names are the signer's JSON, whose member names may be any text:
    written through ``encode_value`` (RFC 8785's UTF-16 order), not the record encoder."""
    record = RuleVersion(
        **ctx.provenance(),
        version=message.version,
        effective_from=message.effective_from,
        legal_basis=LegalBasis(message.legal_basis.act, message.legal_basis.article),
        eligibility=message.eligibility,
        amount_kopecks=message.amount_kopecks,
        parameters=dict(message.parameters or {}),
    )
    ctx.state.put(rule_key(message.programme_id, message.version), record_json(record))
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


def validate_attestation(ctx: Context, message: Attest) -> None:
    """A death is attested once it has happened: on or before today where Russia's day
    begins first (UTC+12), since a subject belongs to no programme's zone."""
    if message.kind == "death":
        not_after_today(ctx, "the date of death", message.valid_from, EASTMOST_OFFSET_MINUTES)


def apply_attestation(ctx: Context, message: Attest) -> None:
    """Record the fact under its subject; a death's value is its date."""
    value = message.valid_from if message.kind == "death" else message.amount
    value = message.text if value is None else value
    assert value is not None, "check_attestation gives every kind but death a value"
    record = Attestation(
        **ctx.provenance(),
        kind=message.kind,
        value=value,
        valid_from=message.valid_from,
        valid_until=message.valid_until,
        document_sha256=message.document_sha256,
    )
    write_record(ctx.state, attestation_key(message.subject, message.kind, ctx.index), record)
    _index_fact(ctx, message.subject, record)
    concerns(ctx, (message.subject,), "fact", message.kind)
    ctx.emit(events.FactAttested(message.subject, message.kind, message.valid_from))


def _index_fact(ctx: Context, subject: str, record: Attestation) -> None:
    """Add the fact to its subject's sheet and, for a death, keep the earliest date."""
    sheet = read_record(ctx.state, fact_sheet_key(subject), FactSheet) or FactSheet(())
    fact = Fact(record.kind, record.value, record.valid_from, record.index, record.valid_until)
    write_record(ctx.state, fact_sheet_key(subject), sheet.with_fact(fact))
    if record.kind == "death":
        known = read_record(ctx.state, death_key(subject), Death)
        if known is None or record.valid_from < known.died:
            write_record(ctx.state, death_key(subject), Death(record.valid_from))


def validate_erasure(ctx: Context, message: RecordErasure) -> None:
    """The programme's operator records the erasure of a person it knows, once done."""
    scheme = operated_programme(ctx, message.programme_id)
    not_after_today(ctx, "erased_on", message.erased_on, scheme.offset_minutes())
    known = next(ctx.state.scan_bytes(f"{PREFIX}person/{message.pseudonym}/"), None)
    if known is None:
        raise rule_violation(f"{message.pseudonym} has no assignment")


def apply_erasure(ctx: Context, message: RecordErasure) -> None:
    """Record that the person's data key and personal data were destroyed off the ledger."""
    record = Erasure(
        **ctx.provenance(), programme_id=message.programme_id, erased_on=message.erased_on
    )
    write_record(ctx.state, erasure_key(message.pseudonym), record)
    concerns(ctx, (message.pseudonym,), "erasure", message.programme_id)
    ctx.emit(events.ErasureRecorded(message.pseudonym, message.programme_id, message.erased_on))
