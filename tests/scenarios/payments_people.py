"""The people, programmes and calendar of a generated payments region (payments_region.py).

People are stand-ins for the vault's identifiers, derived as the scenarios derive them:
``"ps:" + sha256("ps:" + programme/name)[:32]`` and ``"dd:" + sha256("dd:" + name)[:32]``.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

AUTHORITY = "Министерство социальной политики"
GOVERNOR = "Министерство финансов"
AGENT = "ВЭБ.РФ"
REGISTRY = "Агентство ЗАГС"
CLINIC = "Областная больница"
PHARMACY = "Аптека"
ROLES = {
    AUTHORITY: ("social_authority", "treasury"),
    GOVERNOR: ("governor",),
    AGENT: ("payment_agent",),
    REGISTRY: ("attestor",),
    CLINIC: ("clinic",),
    PHARMACY: ("pharmacy",),
}
BENEFIT, ALLOWANCE, DRUGS = "child-benefit", "veteran-allowance", "haematology"
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
AS_OF = "2026-06-10"
LAW = {"act": "Закон области о мерах социальной поддержки (синтетический)", "article": "ст. 5"}
MINIMUM, LOW_INCOME = 1_500_000, 700_000
DRUG_LIST = {  # code: (GTIN, most units per prescription, kopecks per unit, units per pack)
    "rituximab-500mg": ("04601234567890", 4, 5_000_000, 1),
    "methotrexate-10mg": ("04601234567891", 100, 5_000, 10),
    "imatinib-400mg": ("04601234567892", 30, 300_000, 10),
}
CASH_KINDS = (
    "paid_after_death",
    "ineligible_recipient",
    "over_accrual",
    "duplicate_accrual",
    "late_accrual",
    "missing_accrual",
    "override",
    "unreconciled_payment",
    "incompatible_programmes",
)
DRUG_KINDS = (
    "dispensed_after_death",
    "prescription_expired",
    "wrong_person",
    "drug_not_prescribed",
    "quantity_exceeded",
    "recipient_dead",
    "deferred_not_served",
    "wrong_funding_source",
)
BANK_REASONS = (
    "unknown_reference",
    "amount_differs",
    "duplicate_debit",
    "reversal_without_original",
)


def pseudonym(programme_id: str, name: str) -> str:
    """A stand-in for the vault's programme pseudonym, as the scenarios derive it."""
    return "ps:" + hashlib.sha256(f"ps:{programme_id}/{name}".encode()).hexdigest()[:32]


def dedup_key(name: str) -> str:
    """A stand-in for the vault's cross-programme dedup key."""
    return "dd:" + hashlib.sha256(f"dd:{name}".encode()).hexdigest()[:32]


def rule(version: int, effective_from: str, base: int) -> dict[str, Any]:
    """The child benefit: residents under the subsistence minimum get a base amount, plus a
    supplement with a disability group and another under a low income."""
    income = {"fact": "income_per_capita_kopecks"}
    disabled = {"op": "known", "args": [{"fact": "disability_group"}]}
    supplement = {"op": "if", "args": [disabled, {"param": "disability_kopecks"}, 0]}
    poor = {"op": "lt", "args": [income, {"param": "low_income_kopecks"}]}
    low = {"op": "if", "args": [poor, {"param": "low_income_supplement_kopecks"}, 0]}
    return {
        "programme_id": BENEFIT,
        "version": version,
        "effective_from": effective_from,
        "legal_basis": LAW,
        "parameters": {
            "subsistence_minimum_kopecks": MINIMUM,
            "low_income_kopecks": LOW_INCOME,
            "base_kopecks": base,
            "disability_kopecks": 200_000,
            "low_income_supplement_kopecks": 100_000,
        },
        "eligibility": {
            "op": "and",
            "args": [
                {"has": ["residence", "kaliningrad"]},
                {"op": "lt", "args": [income, {"param": "subsistence_minimum_kopecks"}]},
            ],
        },
        "amount_kopecks": {"op": "add", "args": [{"param": "base_kopecks"}, supplement, low]},
    }


@dataclass
class Person:
    """One generated person: what is attested about them and what they take part in."""

    name: str
    income: int
    disabled: bool
    cash: str | None
    """``benefit``, ``allowance``, ``switch`` (benefit until February, then the allowance)."""
    drugs: bool
    changes: bool = False
    """Their income is re-attested during the year (before the month it applies to)."""
    anomaly: str | None = None
    """The anomaly injected on them, if any, and in which month."""
    anomaly_month: str = ""
    rx: str = ""
    """The prescription an injected drug anomaly is about."""
    dead: bool = False

    @property
    def dd(self) -> str:
        return dedup_key(self.name)

    def ps(self, programme_id: str) -> str:
        return pseudonym(programme_id, self.name)

    @property
    def plain(self) -> bool:
        """Benefit only, eligible every month, nothing changing: a canvas for an anomaly."""
        return (
            self.cash == "benefit"
            and not self.drugs
            and not self.changes
            and self.income < MINIMUM
            and self.anomaly is None
        )

    @property
    def drugs_only(self) -> bool:
        """In the drug programme only, with no anomaly yet."""
        return self.drugs and self.cash is None and self.anomaly is None


def previous_month(month: str) -> str | None:
    index = MONTHS.index(month)
    return MONTHS[index - 1] if index else None


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12}-{number % 12 + 1:02d}"
