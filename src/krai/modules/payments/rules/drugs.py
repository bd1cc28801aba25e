"""The drug chain: prescription → (deferral) → dispensing of packs by SGTIN → reimbursement.

A clinic prescribes a listed drug, within its per-prescription limit, to a person entitled
under the programme. A pharmacy dispenses against an existing prescription; each pack leaves
circulation once (a second dispensing of it is refused). What a pharmacy reports is recorded
as it reports it — an expired prescription, another person, another drug, more units than
prescribed, a recipient known dead — each such problem is kept with the dispensing; such
dispensings are never reimbursed, and the audit lists them.
"""

import msgspec

from krai.modules.accounts.queries import account_record
from krai.modules.accounts.rules import move
from krai.modules.payments import events
from krai.modules.payments.messages import (
    ClaimReimbursement,
    DeferPrescription,
    Dispense,
    Prescribe,
    Reimburse,
)
from krai.modules.payments.model import (
    DEFERRED_SERVICE_WORKING_DAYS,
    add_working_days,
    claim_key,
    dispense_key,
    pack_key,
    prescription_key,
)
from krai.modules.payments.queries import assignments_of, death_date
from krai.modules.payments.records import (
    Claim,
    Deferral,
    DispensedPack,
    Dispensing,
    PackOut,
    Prescription,
    Problem,
)
from krai.modules.payments.rules.records import (
    absent,
    concerns,
    not_after_today,
    paying_programme,
    programme,
    required,
    stamp,
)
from krai.state.calendar import add_days
from krai.state.engine import Context
from krai.state.records import read_record, write_record
from krai.tx.errors import conflict, invalid_body, rule_violation


def validate_prescription(ctx: Context, message: Prescribe) -> None:
    """A listed drug within its limit, issued by today, for a person the programme covers
    on the day."""
    scheme = programme(ctx, message.programme_id)
    what = f"prescription {message.prescription_id}"
    absent(ctx, prescription_key(message.prescription_id), Prescription, what)
    not_after_today(ctx, "issued_on", message.issued_on, scheme.offset_minutes())
    listed = scheme.listed().get(message.drug_code)
    if listed is None:
        raise rule_violation(
            f"{message.drug_code} is not on programme {message.programme_id}'s list"
        )
    if message.quantity_units > listed.max_units_per_prescription:
        raise rule_violation(
            f"{message.quantity_units} units exceed the {listed.max_units_per_prescription} one "
            f"prescription of {message.drug_code} may give"
        )
    period = message.issued_on[:7]
    covered = [
        a
        for a in assignments_of(ctx.state, message.pseudonym)
        if a.programme_id == message.programme_id and a.active_in(period)
    ]
    if not covered:
        raise rule_violation(f"{message.pseudonym} has no assignment in {message.programme_id}")


def apply_prescription(ctx: Context, message: Prescribe) -> None:
    """Record the prescription, valid for its days from issue."""
    record = Prescription(
        **ctx.provenance(),
        programme_id=message.programme_id,
        pseudonym=message.pseudonym,
        commitment_sha256=message.commitment_sha256,
        drug_code=message.drug_code,
        quantity_units=message.quantity_units,
        issued_on=message.issued_on,
        valid_until=add_days(message.issued_on, message.validity_days),
        dispensed_units=0,
    )
    write_record(ctx.state, prescription_key(message.prescription_id), record)
    concerns(ctx, (message.pseudonym,), "prescription", message.prescription_id)
    ctx.emit(
        events.Prescribed(
            message.prescription_id, message.programme_id, message.drug_code, message.quantity_units
        )
    )


def validate_deferral(ctx: Context, message: DeferPrescription) -> None:
    """A prescription not yet deferred, within its validity, deferred by today."""
    found = _prescription(ctx, message.prescription_id)
    zone = programme(ctx, found.programme_id).offset_minutes()
    not_after_today(ctx, "deferred_on", message.deferred_on, zone)
    if found.deferred is not None:
        raise conflict(f"prescription {message.prescription_id} is already deferred")
    if not found.valid_on(message.deferred_on):
        raise rule_violation(
            f"prescription {message.prescription_id} is not valid on {message.deferred_on}"
        )


def apply_deferral(ctx: Context, message: DeferPrescription) -> None:
    """Record the deferral and the date it must be served by."""
    found = _prescription(ctx, message.prescription_id)
    serve_by = add_working_days(message.deferred_on, DEFERRED_SERVICE_WORKING_DAYS)
    deferral = Deferral(**ctx.provenance(), on=message.deferred_on, serve_by=serve_by)
    deferred = msgspec.structs.replace(found, deferred=deferral)
    write_record(ctx.state, prescription_key(message.prescription_id), deferred)
    concerns(ctx, (found.pseudonym,), "deferral", message.prescription_id)
    ctx.emit(events.PrescriptionDeferred(message.prescription_id, serve_by))


def check_dispensing(message: Dispense) -> None:
    """Each pack once."""
    sgtins = [p.sgtin for p in message.packs]
    if len(set(sgtins)) != len(sgtins):
        raise invalid_body("body.packs: a pack is named twice")


def validate_dispensing(ctx: Context, message: Dispense) -> None:
    """Against an existing prescription, dispensed by today, with packs still in
    circulation."""
    found = _prescription(ctx, message.prescription_id)
    zone = programme(ctx, found.programme_id).offset_minutes()
    not_after_today(ctx, "dispensed_on", message.dispensed_on, zone)
    absent(ctx, dispense_key(message.dispense_id), Dispensing, f"dispensing {message.dispense_id}")
    for item in message.packs:
        gone = read_record(ctx.state, pack_key(item.sgtin), PackOut)
        if gone is not None:
            raise conflict(
                f"pack {item.sgtin} left circulation at entry {gone.index} "
                f"(dispensing {gone.dispense_id})"
            )


def apply_dispensing(ctx: Context, message: Dispense) -> None:
    """Take the packs out of circulation and record the dispensing with its problems."""
    found = _prescription(ctx, message.prescription_id)
    units = sum(p.units for p in message.packs)
    problems = dispensing_problems(ctx, found, message, units)
    dispensed = found.dispensed(message.dispense_id, units)
    write_record(ctx.state, prescription_key(message.prescription_id), dispensed)
    out = PackOut(**ctx.provenance(), dispense_id=message.dispense_id)
    for item in message.packs:
        write_record(ctx.state, pack_key(item.sgtin), out)
    record = Dispensing(
        **ctx.provenance(),
        prescription_id=message.prescription_id,
        programme_id=found.programme_id,
        pseudonym=message.pseudonym,
        dispensed_on=message.dispensed_on,
        packs=tuple(DispensedPack(p.sgtin, p.drug_code, p.units) for p in message.packs),
        units=units,
        problems=tuple(problems),
    )
    write_record(ctx.state, dispense_key(message.dispense_id), record)
    subjects = (message.pseudonym, found.pseudonym)
    concerns(ctx, subjects, "dispensing", message.dispense_id)
    ctx.emit(
        events.Dispensed(
            message.dispense_id, message.prescription_id, len(message.packs), units, tuple(problems)
        )
    )


def dispensing_problems(
    ctx: Context, prescription: Prescription, message: Dispense, units: int
) -> list[Problem]:
    """What makes a dispensing invalid, as known when it is recorded."""
    problems: list[Problem] = []
    if not prescription.valid_on(message.dispensed_on):
        problems.append("prescription_expired")
    if message.pseudonym != prescription.pseudonym:
        problems.append("wrong_person")
    if any(p.drug_code != prescription.drug_code for p in message.packs):
        problems.append("drug_not_prescribed")
    if prescription.dispensed_units + units > prescription.quantity_units:
        problems.append("quantity_exceeded")
    assignments = assignments_of(ctx.state, message.pseudonym)
    subjects = [message.pseudonym, *(a.dedup_key for a in assignments)]
    died = death_date(ctx.state, subjects)
    if died is not None and died <= message.dispensed_on:
        problems.append("recipient_dead")
    return problems


def validate_claim(ctx: Context, message: ClaimReimbursement) -> None:
    """The pharmacy claims its own unclaimed, problem-free dispensings into its own account."""
    programme(ctx, message.programme_id)
    absent(ctx, claim_key(message.claim_id), Claim, f"claim {message.claim_id}")
    own = account_record(ctx.state, message.account_id)
    if own is None or own.owner != ctx.signer:
        raise rule_violation(f"account {message.account_id} is not an open account of {ctx.signer}")
    if len(set(message.dispense_ids)) != len(message.dispense_ids):
        raise invalid_body("body.dispense_ids: a dispensing is named twice")
    for dispense_id in message.dispense_ids:
        _require_claimable(ctx, message, dispense_id)


def apply_claim(ctx: Context, message: ClaimReimbursement) -> None:
    """Record the claim at the programme's prices, and mark the dispensings claimed."""
    scheme = programme(ctx, message.programme_id)
    prices = {code: d.reimbursement_kopecks_per_unit for code, d in scheme.listed().items()}
    amount = 0
    for dispense_id in message.dispense_ids:
        found = _dispensing(ctx, dispense_id)
        amount += sum(prices[p.drug_code] * p.units for p in found.packs)
        claimed = msgspec.structs.replace(found, claim_id=message.claim_id)
        write_record(ctx.state, dispense_key(dispense_id), claimed)
        concerns(ctx, (found.pseudonym,), "claim", message.claim_id, dispense_id)
    record = Claim(
        **ctx.provenance(),
        programme_id=message.programme_id,
        dispense_ids=tuple(message.dispense_ids),
        account_id=message.account_id,
        amount_kopecks=amount,
        status="claimed",
    )
    write_record(ctx.state, claim_key(message.claim_id), record)
    ctx.emit(events.ReimbursementClaimed(message.claim_id, len(message.dispense_ids), amount))


def validate_reimbursement(ctx: Context, message: Reimburse) -> None:
    """The programme's payment agent pays an unpaid claim."""
    found = _claim(ctx, message.claim_id)
    paying_programme(ctx, found.programme_id)
    if found.status != "claimed":
        raise conflict(f"claim {message.claim_id} is {found.status}")


def apply_reimbursement(ctx: Context, message: Reimburse) -> None:
    """Pay the pharmacy from the programme's earmarked budget."""
    found = _claim(ctx, message.claim_id)
    scheme = programme(ctx, found.programme_id)
    move(
        ctx,
        scheme.budget_account,
        found.account_id,
        found.amount_kopecks,
        purpose=scheme.purpose,
        reference=message.claim_id,
    )
    paid = msgspec.structs.replace(found, status="reimbursed", reimbursed=stamp(ctx))
    write_record(ctx.state, claim_key(message.claim_id), paid)
    ctx.emit(events.Reimbursed(message.claim_id, found.amount_kopecks))


def _require_claimable(ctx: Context, message: ClaimReimbursement, dispense_id: str) -> None:
    found = _dispensing(ctx, dispense_id)
    if found.by != ctx.signer or found.programme_id != message.programme_id:
        raise rule_violation(
            f"dispensing {dispense_id} is not {ctx.signer}'s in {message.programme_id}"
        )
    if found.claim_id is not None:
        raise conflict(f"dispensing {dispense_id} is already claimed in {found.claim_id}")
    if found.problems:
        raise rule_violation(
            f"dispensing {dispense_id} is not reimbursable: {', '.join(found.problems)}"
        )


def _prescription(ctx: Context, prescription_id: str) -> Prescription:
    what = f"prescription {prescription_id}"
    return required(ctx, prescription_key(prescription_id), Prescription, what)


def _dispensing(ctx: Context, dispense_id: str) -> Dispensing:
    return required(ctx, dispense_key(dispense_id), Dispensing, f"dispensing {dispense_id}")


def _claim(ctx: Context, claim_id: str) -> Claim:
    return required(ctx, claim_key(claim_id), Claim, f"claim {claim_id}")
