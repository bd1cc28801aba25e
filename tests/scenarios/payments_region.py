"""A generated region for testing the payments audit: a seeded population on the scenario
ledger, run month by month as a careful operator would run it.

Three programmes: a cash child benefit whose rule is indexed from April (version 2), a
veteran allowance declared incompatible with it, and a drug programme with a drug list. A few
hundred pseudonymous people with attested residence, income, disability and category are
assigned, accrued and paid every month from January to May, the payments matched on the
agent's bank statement early the next month; prescriptions are issued, some deferred, served
pack by pack and claimed. Nothing here is an anomaly: the audit of ``Region`` finds nothing.
Its hooks are where payments_anomalies.py injects anomalies and records the ground truth in
``Region.truth``. Randomness comes from one seeded ``random.Random`` only, so a seed always
gives the same region.
"""

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from krai.modules.payments import queries
from krai.modules.payments.model import period_end, period_start
from krai.state.calendar import add_days
from tests.scenarios.harness import Ledger, Organisation, Result, synthetic_inn, synthetic_ogrn
from tests.scenarios.payments_people import (
    AGENT,
    ALLOWANCE,
    AUTHORITY,
    BENEFIT,
    CLINIC,
    DRUG_LIST,
    DRUGS,
    GOVERNOR,
    LAW,
    MONTHS,
    PHARMACY,
    REGISTRY,
    ROLES,
    Person,
    next_month,
    previous_month,
    rule,
)


@dataclass
class Region:
    """The ledger, the generator's own records of what it did, and the injected truth."""

    rng: random.Random
    ledger: Ledger
    people: list[Person]
    truth: set[tuple[str, str]] = field(default_factory=set)
    assignments: dict[str, dict[str, Any]] = field(default_factory=dict)
    accruals: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    prescriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    dispensings: dict[str, dict[str, Any]] = field(default_factory=dict)
    counter: int = 0

    # --- plumbing ----------------------------------------------------------------------------

    def at(self, day: str) -> None:
        self.ledger.set_time(f"{day}T10:00:00+02:00")

    def do(self, signer: str, type_name: str, body: dict[str, Any]) -> Result:
        result = self.ledger.submit(signer, type_name, body)
        if not result.accepted:
            raise AssertionError(f"{type_name} refused: {result.error}")
        return result

    def new_id(self, prefix: str) -> str:
        """An id as an operator's system would give it: unrelated to the order of events."""
        self.counter += 1
        return f"{prefix}-{self.rng.getrandbits(40):010x}"

    def sha(self, text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def attest(self, person: Person, kind: str, valid_from: str, **value: Any) -> None:
        body = {"subject": person.dd, "kind": kind, "valid_from": valid_from, **value}
        self.do(REGISTRY if kind == "death" else AUTHORITY, "payments.attest", body)

    # --- set-up ------------------------------------------------------------------------------

    def set_up(self) -> None:
        """Accounts, budgets, programmes, rules, facts and the first assignments."""
        self.at("2026-01-10")
        self.do(AUTHORITY, "accounts.open_account", _account("treasury:region", "treasury"))
        for programme_id, purpose in ((BENEFIT, BENEFIT), (ALLOWANCE, ALLOWANCE), (DRUGS, DRUGS)):
            self.do(
                AGENT,
                "accounts.open_account",
                _account(f"budget:{programme_id}", "budget", purpose),
            )
            self.do(
                AGENT,
                "accounts.open_account",
                _account(f"veb:payouts:{programme_id}", "clearing", purpose),
            )
            transfer = {
                "from_account": "treasury:region",
                "to_account": f"budget:{programme_id}",
                "amount_kopecks": 10**13,
                "purpose": purpose,
                "reference": f"appropriation {programme_id}",
            }
            self.do(AUTHORITY, "accounts.transfer", transfer)
        self.do(PHARMACY, "accounts.open_account", _account("pharmacy:operating", "operating"))
        self.register(BENEFIT, "cash", [])
        self.register(ALLOWANCE, "cash", [BENEFIT])
        self.register(DRUGS, "drugs", [])
        self.do(AUTHORITY, "payments.set_rule", rule(1, "2026-01-01", 800_000))
        allowance = {
            "programme_id": ALLOWANCE,
            "version": 1,
            "effective_from": "2026-01-01",
            "legal_basis": LAW,
            "parameters": {"allowance_kopecks": 500_000},
            "eligibility": {"has": ["category", "veteran"]},
            "amount_kopecks": {"param": "allowance_kopecks"},
        }
        self.do(AUTHORITY, "payments.set_rule", allowance)
        for person in self.people:
            self.enrol(person, "2026-01-10", "2026-01-01")

    def register(self, programme_id: str, kind: str, incompatible: list[str]) -> None:
        body: dict[str, Any] = {
            "programme_id": programme_id,
            "title": f"Программа {programme_id}",
            "kind": kind,
            "legal_basis": LAW,
            "budget_account": f"budget:{programme_id}",
            "payment_agent": self.ledger.inn(AGENT),
            "incompatible_with": incompatible,
            "due_days_after_period": 15,
        }
        if kind == "drugs":
            body["drugs"] = [
                {
                    "drug_code": code,
                    "max_units_per_prescription": most,
                    "reimbursement_kopecks_per_unit": price,
                }
                for code, (_, most, price, _) in DRUG_LIST.items()
            ]
        self.do(AUTHORITY, "payments.register_programme", body)

    def enrol(self, person: Person, today: str, start: str, decided: str | None = None) -> None:
        """Attest a person's facts and assign their programmes."""
        self.attest(person, "residence", "2020-01-01", text="kaliningrad")
        self.attest(person, "income_per_capita_kopecks", "2025-12-01", amount=person.income)
        if person.disabled:
            self.attest(person, "disability_group", "2025-06-01", amount=self.rng.randint(1, 3))
        if person.cash in ("allowance", "switch"):
            self.attest(person, "category", "2024-01-01", text="veteran")
        if person.cash in ("benefit", "switch"):
            self.assign(person, BENEFIT, decided or today, start)
        if person.cash == "allowance":
            self.assign(person, ALLOWANCE, decided or today, start)
        if person.drugs:
            self.assign(person, DRUGS, decided or today, start)

    def assign(
        self, person: Person, programme_id: str, decided: str, start: str, end: str | None = None
    ) -> str:
        assignment_id = self.new_id(f"a-{programme_id[:3]}")
        body = {
            "assignment_id": assignment_id,
            "programme_id": programme_id,
            "pseudonym": person.ps(programme_id),
            "dedup_key": person.dd,
            "decision_date": decided,
            "start_date": start,
            "decision_sha256": self.sha(f"decision {assignment_id}"),
        }
        if end is not None:
            body["end_date"] = end
        self.do(AUTHORITY, "payments.assign", body)
        self.assignments[assignment_id] = {"person": person, "programme_id": programme_id}
        return assignment_id

    def assignment_of(self, person: Person, programme_id: str) -> str:
        return next(
            a
            for a, record in self.assignments.items()
            if record["person"] is person and record["programme_id"] == programme_id
        )

    def terminate(self, assignment_id: str, end: str) -> None:
        body = {"assignment_id": assignment_id, "end_date": end, "basis": "решение об окончании"}
        self.do(AUTHORITY, "payments.terminate_assignment", body)
        self.assignments[assignment_id]["ended"] = end

    # --- a month ----------------------------------------------------------------------------

    def month(self, month: str) -> None:
        """Statement of the month before, decisions, drugs, accruals, payments, claims."""
        before = previous_month(month)
        if before is not None:
            self.at(f"{month}-02")
            self.reconcile(before)
        self.at(f"{month}-10")
        self.decide(month)
        self.at(f"{month}-12")
        self.prescribe_all(month)
        self.at(f"{month}-13")
        self.before_dispensing(month)
        self.at(f"{month}-15")
        self.dispense_all(month)
        self.at(f"{month}-25")
        self.accrue_all(month)
        self.at(f"{month}-26")
        self.pay_all(month)
        self.at(f"{month}-27")
        self.claim_all()

    def close(self) -> None:
        """The last statement, then whatever comes to light afterwards."""
        self.at(f"{next_month(MONTHS[-1])}-02")
        self.reconcile(MONTHS[-1])
        self.at(f"{next_month(MONTHS[-1])}-05")
        self.hindsight()

    def decide(self, month: str) -> None:
        """Rule changes, new incomes, switches between programmes, new people."""
        today = f"{month}-10"
        if month == "2026-03":
            self.do(AUTHORITY, "payments.set_rule", rule(2, "2026-04-01", 850_000))
        for person in self.people:
            if person.changes and self.rng.random() < 0.3:
                person.income = self.rng.choice([400_000, 900_000, 1_300_000, 1_800_000])
                amount = {"amount": person.income}
                self.attest(person, "income_per_capita_kopecks", period_start(month), **amount)
        if month == "2026-02":
            for person in self.people:
                if person.cash == "switch":
                    self.terminate(self.assignment_of(person, BENEFIT), period_end(month))
                    self.assign(person, ALLOWANCE, today, period_start(next_month(month)))
        if month != MONTHS[0]:
            for _ in range(2):
                joiner = self.new_person(f"joiner-{month}-{self.counter}", "benefit", plain=True)
                decided = add_days(today, -self.rng.randint(0, 7))
                self.enrol(joiner, today, period_start(month), decided)
        self.inject_decisions(month)

    def accrue_all(self, month: str) -> None:
        """Every active cash assignment, the amount the rule gives (none when it gives none)."""
        for assignment_id, record in list(self.assignments.items()):
            if record["programme_id"] == DRUGS or not self.active(assignment_id, month):
                continue
            if not self.hold_back(assignment_id, month):
                self.accrue(assignment_id, month, self.override_of(assignment_id, month))
        self.after_accruals(month)

    def accrue(self, assignment_id: str, period: str, extra_kopecks: int = 0) -> str | None:
        found = queries.assignment(self.ledger.view, assignment_id)
        assert found is not None
        due = queries.entitlement(self.ledger.view, found, period)
        if not due.get("eligible") or due["amount_kopecks"] <= 0:
            return None
        accrual_id = self.new_id("acc")
        body: dict[str, Any] = {
            "accrual_id": accrual_id,
            "assignment_id": assignment_id,
            "period": period,
            "amount_kopecks": due["amount_kopecks"] + extra_kopecks,
        }
        if extra_kopecks:
            body["override"] = {"legal_basis": LAW, "reason": "решение комиссии"}
        self.do(AUTHORITY, "payments.accrue", body)
        if extra_kopecks:
            self.do(GOVERNOR, "payments.approve_override", {"accrual_id": accrual_id})
        self.accruals[accrual_id] = {
            "assignment_id": assignment_id,
            "person": self.assignments[assignment_id]["person"],
            "period": period,
            "amount_kopecks": body["amount_kopecks"],
            "paid": False,
        }
        return accrual_id

    def active(self, assignment_id: str, month: str) -> bool:
        found = queries.assignment(self.ledger.view, assignment_id)
        assert found is not None
        return found.active_in(month)

    def pay_all(self, month: str) -> None:
        """Every unpaid accrual, in full, paid on the 26th."""
        for accrual_id, accrual in self.accruals.items():
            if accrual["paid"]:
                continue
            payment_id = self.new_id("pay")
            programme_id = self.assignments[accrual["assignment_id"]]["programme_id"]
            body = {
                "payment_id": payment_id,
                "accrual_id": accrual_id,
                "amount_kopecks": accrual["amount_kopecks"],
                "paid_on": f"{month}-26",
                "payout_account": f"veb:payouts:{programme_id}",
            }
            self.do(AGENT, "payments.pay", body)
            accrual["paid"] = True
            self.payments[payment_id] = {**body, "person": accrual["person"], "month": month}

    def reconcile(self, month: str) -> None:
        """The agent's statement: one debit line per payment of the month."""
        statement_id = f"veb-{month}"
        lines = [
            {
                "line_id": str(number),
                "booked_on": payment["paid_on"],
                "direction": "debit",
                "amount_kopecks": payment["amount_kopecks"],
                "reference": payment_id,
            }
            for number, (payment_id, payment) in enumerate(self.statement_of(month), start=1)
        ]
        lines += self.odd_lines(statement_id, month, lines)
        self.do(
            AGENT, "payments.reconcile_statement", {"statement_id": statement_id, "lines": lines}
        )

    def statement_of(self, month: str) -> list[tuple[str, dict[str, Any]]]:
        return [(p, payment) for p, payment in self.payments.items() if payment["month"] == month]

    # --- drugs -------------------------------------------------------------------------------

    def prescribe_all(self, month: str) -> None:
        """About half the covered people get a prescription; some cannot be served at once."""
        for person in self.people:
            if not person.drugs or person.dead or person.anomaly_month == month:
                continue
            if not self.active(self.assignment_of(person, DRUGS), month):
                continue
            if self.rng.random() < 0.5:
                code = self.rng.choice(sorted(DRUG_LIST))
                units = self.rng.randint(1, DRUG_LIST[code][1])
                prescription_id = self.prescribe(person, code, units, f"{month}-12")
                if self.rng.random() < 0.15:
                    self.defer(prescription_id, f"{month}-12")
                self.prescriptions[prescription_id]["serve"] = f"{month}-15"
        self.extra_prescriptions(month)

    def prescribe(self, person: Person, code: str, units: int, day: str, days: int = 30) -> str:
        prescription_id = self.new_id("rx")
        body = {
            "prescription_id": prescription_id,
            "programme_id": DRUGS,
            "pseudonym": person.ps(DRUGS),
            "commitment_sha256": self.sha(f"salt|{prescription_id}|{day}"),
            "drug_code": code,
            "quantity_units": units,
            "issued_on": day,
            "validity_days": days,
        }
        self.do(CLINIC, "payments.prescribe", body)
        self.prescriptions[prescription_id] = {"person": person, "code": code, "units": units}
        return prescription_id

    def defer(self, prescription_id: str, day: str) -> None:
        body = {"prescription_id": prescription_id, "deferred_on": day}
        self.do(PHARMACY, "payments.defer_prescription", body)

    def dispense_all(self, month: str) -> None:
        for prescription_id, prescription in list(self.prescriptions.items()):
            if prescription.get("serve") == f"{month}-15":
                self.dispense(prescription_id, prescription["person"], f"{month}-15")
        self.extra_dispensings(month)

    def dispense(
        self,
        prescription_id: str,
        to: Person,
        day: str,
        code: str | None = None,
        units: int | None = None,
    ) -> str:
        """Packs of the prescribed drug (or ``code``), ``units`` in all (default: prescribed)."""
        prescription = self.prescriptions[prescription_id]
        code = code or prescription["code"]
        left = prescription["units"] if units is None else units
        gtin, _, _, per_pack = DRUG_LIST[code]
        packs = []
        while left > 0:
            self.counter += 1
            size = min(left, per_pack)
            packs.append({"sgtin": f"{gtin}S{self.counter:012d}", "drug_code": code, "units": size})
            left -= size
        dispense_id = self.new_id("d")
        body = {
            "dispense_id": dispense_id,
            "prescription_id": prescription_id,
            "pseudonym": to.ps(DRUGS),
            "dispensed_on": day,
            "packs": packs,
        }
        self.do(PHARMACY, "payments.dispense", body)
        self.dispensings[dispense_id] = {"to": to, "on": day, "claimed": False}
        return dispense_id

    def claim_all(self) -> None:
        """The pharmacy claims every problem-free dispensing not yet claimed; VEB pays."""
        claimable = []
        for dispense_id, dispensing in self.dispensings.items():
            found = queries.dispensing(self.ledger.view, dispense_id)
            if not dispensing["claimed"] and found is not None and not found.problems:
                claimable.append(dispense_id)
                dispensing["claimed"] = True
        if claimable:
            claim_id = self.new_id("claim")
            body = {
                "claim_id": claim_id,
                "programme_id": DRUGS,
                "dispense_ids": claimable,
                "account_id": "pharmacy:operating",
            }
            self.do(PHARMACY, "payments.claim_reimbursement", body)
            self.do(AGENT, "payments.reimburse", {"claim_id": claim_id})

    # --- people ------------------------------------------------------------------------------

    def new_person(self, name: str, cash: str | None, *, plain: bool = False) -> Person:
        """A person; a plain one is eligible for the benefit all year, half of them low-income."""
        if plain:
            income = self.rng.choice([300_000, 500_000, 900_000, 1_200_000])
            person = Person(name, income, self.rng.random() < 0.2, cash, drugs=False)
        else:
            income = self.rng.choice([300_000, 600_000, 1_000_000, 1_400_000, 2_000_000])
            drugs = self.rng.random() < (0.5 if cash is None else 0.1)
            changes = cash == "benefit" and self.rng.random() < 0.2
            person = Person(name, income, self.rng.random() < 0.2, cash, drugs, changes)
        self.people.append(person)
        return person

    # --- where anomalies go in (the clean region injects none) -------------------------------

    def plan_anomalies(self) -> None:
        """Choose who and when, before anything happens."""

    def inject_decisions(self, month: str) -> None:
        """New decisions of the month beyond the routine ones."""

    def hold_back(self, assignment_id: str, month: str) -> bool:
        """Whether the routine accrual of the month is not made."""
        return False

    def override_of(self, assignment_id: str, month: str) -> int:
        """Kopecks an accrual departs from the rule by (0: none)."""
        return 0

    def after_accruals(self, month: str) -> None:
        """Accruals made after the routine ones."""

    def odd_lines(
        self, statement_id: str, month: str, lines: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Lines of the statement that match no payment."""
        return []

    def extra_prescriptions(self, month: str) -> None:
        """Prescriptions beyond the routine ones."""

    def before_dispensing(self, month: str) -> None:
        """What happens between prescribing and dispensing."""

    def extra_dispensings(self, month: str) -> None:
        """Dispensings beyond the routine ones."""

    def hindsight(self) -> None:
        """Facts attested after the months they are about."""


def populate(
    region_class: type[Region], seed: int, size: int, people: Sequence[Person] = ()
) -> Region:
    """A region of ``people`` and ``size`` generated people (plus joiners) from ``seed``, run
    from January to May."""
    organisations = [
        Organisation(name, synthetic_inn(name), synthetic_ogrn(name), roles)
        for name, roles in ROLES.items()
    ]
    ledger = Ledger.found(organisations, start="2026-01-09T10:00:00+02:00")
    region = region_class(random.Random(seed), ledger, list(people))
    for number in range(size):
        kind = region.rng.choices(
            ["benefit", "plain", "allowance", "switch", None], [3, 4, 1, 0.2, 2]
        )[0]
        if kind == "plain":
            region.new_person(f"p{number:04d}", "benefit", plain=True)
        else:
            region.new_person(f"p{number:04d}", kind)
    region.plan_anomalies()
    region.set_up()
    for month in MONTHS:
        region.month(month)
    region.close()
    return region


def _account(account_id: str, kind: str, purpose: str | None = None) -> dict[str, Any]:
    body = {"account_id": account_id, "kind": kind, "title": account_id}
    return body if purpose is None else {**body, "purpose": purpose}
