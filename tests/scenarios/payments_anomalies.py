"""Anomalies of every kind the payments audit knows, injected into a generated region.

Each anomaly goes on its own person (or bank line), in a month drawn at random, and is written
down as the ``(kind, subject)`` the audit must report — worked out from what was done, never
from the audit. Deaths, incomes that turn out different and the like are attested only
afterwards (``hindsight``), with dates inside the months already accrued, paid or dispensed:
the ledger accepted everything at the time, and only the audit, with hindsight, can tell.
"""

from typing import Any

from krai.modules.payments.model import period_end, period_start
from krai.state.calendar import add_days
from tests.scenarios.payments_people import (
    ALLOWANCE,
    BANK_REASONS,
    BENEFIT,
    CASH_KINDS,
    DRUG_KINDS,
    DRUG_LIST,
    DRUGS,
    LOW_INCOME,
    MINIMUM,
    MONTHS,
    Person,
    next_month,
    previous_month,
)
from tests.scenarios.payments_region import Region

COPIES = 2
"""How many of each anomaly to inject."""
MONTHS_FOR = {
    "late_accrual": MONTHS[:3],  # recorded two months late, still within the year
    "missing_accrual": MONTHS[:4],  # overdue by the audit's date
    "wrong_funding_source": MONTHS[:4],  # dispensed the month after cover ends
    "prescription_expired": MONTHS[1:],  # prescribed the month before
    "backdated_decision": MONTHS[1:],
}


class AnomalousRegion(Region):
    """The region with anomalies; ``truth`` holds every finding they must give."""

    bank_plan: list[tuple[str, str]]
    backdated: list[str]

    def plan_anomalies(self) -> None:
        """Distinct people for each anomaly, a month for each, a month for each bad line."""
        plain = [p for p in self.people if p.plain]
        drugs = [p for p in self.people if p.drugs_only]
        for kind in CASH_KINDS + DRUG_KINDS[1:]:  # deaths of patients: chosen in hindsight
            pool = drugs if kind in DRUG_KINDS else plain
            for _ in range(COPIES):
                wanted = [p for p in pool if p.anomaly is None]
                if kind == "over_accrual":  # the low-income supplement is what turns out undue
                    wanted = [p for p in wanted if p.income < LOW_INCOME]
                person = self.rng.choice(wanted)
                person.anomaly = kind
                person.anomaly_month = self.rng.choice(MONTHS_FOR.get(kind, MONTHS))
        reasons = [reason for reason in BANK_REASONS for _ in range(COPIES)]
        self.bank_plan = [(reason, self.rng.choice(MONTHS)) for reason in reasons]
        self.backdated = [self.rng.choice(MONTHS_FOR["backdated_decision"]) for _ in range(COPIES)]

    def injected(self, kind: str, month: str | None = None) -> list[Person]:
        return [
            p
            for p in self.people
            if p.anomaly == kind and (month is None or p.anomaly_month == month)
        ]

    def found(self, kind: str, subject: str) -> None:
        self.truth.add((kind, subject))

    # --- decisions and accruals --------------------------------------------------------------

    def inject_decisions(self, month: str) -> None:
        today, start = f"{month}-10", period_start(month)
        for person in self.injected("duplicate_accrual", month):  # a second file, one month
            self.assign(person, BENEFIT, today, start, period_end(month))
        for person in self.injected("incompatible_programmes", month):
            self.attest(person, "category", "2024-01-01", text="veteran")
            second = self.assign(person, ALLOWANCE, today, start)
            pair = sorted([self.assignment_of(person, BENEFIT), second])
            self.found("incompatible_programmes", "+".join(pair))
        for _ in range(self.backdated.count(month)):
            joiner = self.new_person(f"late-file-{month}-{self.counter}", "benefit", plain=True)
            joiner.anomaly = "backdated_decision"
            self.enrol(joiner, today, start, add_days(today, -self.rng.randint(8, 40)))
            self.found("backdated_decision", self.assignment_of(joiner, BENEFIT))
        for person in self.injected("wrong_funding_source", month):
            self.terminate(self.assignment_of(person, DRUGS), period_end(month))

    def hold_back(self, assignment_id: str, month: str) -> bool:
        person = self.assignments[assignment_id]["person"]
        held = person.anomaly in ("late_accrual", "missing_accrual") and (
            person.anomaly_month == month
        )
        if held and person.anomaly == "missing_accrual":
            self.found("missing_accrual", f"{assignment_id}/{month}")
        return held

    def override_of(self, assignment_id: str, month: str) -> int:
        person = self.assignments[assignment_id]["person"]
        return 50_000 if person.anomaly == "override" and person.anomaly_month == month else 0

    def after_accruals(self, month: str) -> None:
        for accrual_id, accrual in self.accruals.items():
            person, period = accrual["person"], accrual["period"]
            if period == month and person.anomaly_month == month:
                if person.anomaly == "override":
                    self.found("override", accrual_id)
                if person.anomaly == "duplicate_accrual" and self.is_second_file(accrual):
                    self.found("duplicate_accrual", accrual_id)
        for person in self.people:
            if (
                person.anomaly == "late_accrual"
                and next_month(next_month(person.anomaly_month)) == month
            ):
                late = self.accrue(self.assignment_of(person, BENEFIT), person.anomaly_month)
                assert late is not None
                self.found("late_accrual", late)

    def is_second_file(self, accrual: dict[str, Any]) -> bool:
        """Whether the accrual is under a person's later benefit assignment."""
        return bool(accrual["assignment_id"] != self.assignment_of(accrual["person"], BENEFIT))

    # --- the bank ----------------------------------------------------------------------------

    def statement_of(self, month: str) -> list[tuple[str, dict[str, Any]]]:
        listed = []
        for payment_id, payment in super().statement_of(month):
            person = payment["person"]
            if person.anomaly == "unreconciled_payment" and person.anomaly_month == month:
                self.found("unreconciled_payment", payment_id)
            else:
                listed.append((payment_id, payment))
        return listed

    def odd_lines(
        self, statement_id: str, month: str, lines: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        odd: list[dict[str, Any]] = []
        for reason, chosen in self.bank_plan:
            if chosen != month:
                continue
            line = dict(self.rng.choice(lines))
            line["line_id"] = str(len(lines) + len(odd) + 1)
            if reason == "amount_differs":
                line["amount_kopecks"] += self.rng.choice([-1, 1]) * self.rng.randint(1, 9_999)
            elif reason != "duplicate_debit":
                line["reference"] = self.new_id("pay-unknown")
                line["direction"] = "credit" if reason == "reversal_without_original" else "debit"
            odd.append(line)
            self.found("unmatched_bank_line", f"{statement_id}/{line['line_id']}")
        return odd

    # --- drugs -------------------------------------------------------------------------------

    def extra_prescriptions(self, month: str) -> None:
        day = f"{month}-12"
        for person in self.injected("prescription_expired"):
            if previous_month(person.anomaly_month) == month:
                self.anomalous_rx(person, day)
        for kind in DRUG_KINDS:
            for person in self.injected(kind, month):
                if kind == "deferred_not_served":
                    self.defer(self.anomalous_rx(person, day), day)
                    self.found(kind, person.rx)
                elif kind == "wrong_funding_source":
                    self.anomalous_rx(person, day, days=90)
                elif kind not in ("prescription_expired", "dispensed_after_death"):
                    self.anomalous_rx(person, day)

    def anomalous_rx(self, person: Person, day: str, days: int = 30) -> str:
        code = self.rng.choice(sorted(DRUG_LIST))
        units = self.rng.randint(1, DRUG_LIST[code][1])
        person.rx = self.prescribe(person, code, units, day, days)
        return person.rx

    def before_dispensing(self, month: str) -> None:
        for person in self.injected("recipient_dead", month):  # known dead when dispensed
            self.attest(person, "death", f"{month}-13")
            person.dead = True

    def extra_dispensings(self, month: str) -> None:
        day = f"{month}-15"
        for kind in ("prescription_expired", "quantity_exceeded", "recipient_dead"):
            for person in self.injected(kind, month):
                units = self.prescriptions[person.rx]["units"] + int(kind == "quantity_exceeded")
                self.invalid(self.dispense(person.rx, person, day, units=units))
        for person in self.injected("drug_not_prescribed", month):
            other = sorted(set(DRUG_LIST) - {self.prescriptions[person.rx]["code"]})
            self.invalid(
                self.dispense(person.rx, person, day, code=self.rng.choice(other), units=1)
            )
        for person in self.injected("wrong_person", month):
            someone = self.rng.choice([p for p in self.people if p.drugs_only])
            self.invalid(self.dispense(person.rx, someone, day))
        for person in self.injected("wrong_funding_source"):
            if next_month(person.anomaly_month) == month:  # cover ended last month
                self.found("wrong_funding_source", self.dispense(person.rx, person, day))

    def invalid(self, dispense_id: str) -> None:
        self.found("invalid_dispensing", dispense_id)
        if self.dispensings[dispense_id]["to"].dead:  # both are true of it
            self.found("dispensed_after_death", dispense_id)

    # --- what comes to light afterwards ------------------------------------------------------

    def hindsight(self) -> None:
        """Deaths, incomes and deaths of drug patients, attested late with earlier dates."""
        for person in self.injected("paid_after_death"):
            died = f"{person.anomaly_month}-20"  # after the month began, before its payment
            self.attest(person, "death", died)
            for payment_id, payment in self.payments.items():
                if payment["person"] is person and payment["paid_on"] >= died:
                    self.found("paid_after_death", payment_id)
            for accrual_id, accrual in self.accruals.items():
                if accrual["person"] is person and period_start(accrual["period"]) >= died:
                    self.found("ineligible_recipient", accrual_id)
        for kind, income in (("ineligible_recipient", MINIMUM), ("over_accrual", LOW_INCOME)):
            for person in self.injected(kind):
                self.income_of_one_month(person, income + self.rng.randint(0, 400_000), kind)
        for _ in range(COPIES):
            treated = [p for p in self.people if p.drugs_only and self.dispensed_to(p)]
            person = self.rng.choice(treated)
            person.anomaly = "dispensed_after_death"
            died = self.rng.choice(sorted(self.dispensed_to(person).values()))
            self.attest(person, "death", died)
            for dispense_id, day in self.dispensed_to(person).items():
                if day >= died:
                    self.found("dispensed_after_death", dispense_id)

    def income_of_one_month(self, person: Person, income: int, kind: str) -> None:
        month = person.anomaly_month
        window = {"valid_until": period_start(next_month(month)), "amount": income}
        self.attest(person, "income_per_capita_kopecks", period_start(month), **window)
        [accrual_id] = [
            a
            for a, accrual in self.accruals.items()
            if accrual["person"] is person and accrual["period"] == month
        ]
        self.found(kind, accrual_id)

    def dispensed_to(self, person: Person) -> dict[str, str]:
        return {d: rec["on"] for d, rec in self.dispensings.items() if rec["to"] is person}
