"""Social payments on the ledger (source 001): five months of a Kaliningrad child benefit paid
by VEB.RF, and a preferential-drug programme after VEB's pilot, in the Novgorod region.

Every person is synthetic: a generated name, birth date, address and a SNILS with valid check
digits, enrolled in the home's personal-data vault, which answers with the pseudonym and
dedup key the ledger carries. The demo injects a few anomalies for the audit to find
(``ANOMALIES``); everything else is done as a careful operator would do it.
"""

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from krai.adapters.vault.store import SqlVault, open_vault
from krai.app.client_bank import Document, Party, order_purpose, write_client_bank
from krai.app.statement_files import read_statement
from krai.app.vault import Person, enrol
from krai.demo.world import VEB, Organisation, Step, World, document_sha256
from krai.modules.payments.pseudonyms import snils_check_digits

SOCIAL = Organisation(
    "kgd-social",
    "Министерство социальной политики Калининградской области",
    ("social_authority", "treasury"),
)
FINANCE = Organisation(
    "kgd-finance", "Министерство финансов Калининградской области", ("social_authority",)
)
ZAGS = Organisation("kgd-zags", "Агентство ЗАГС Калининградской области", ("attestor",))
HEALTH = Organisation(
    "ngd-health",
    "Министерство здравоохранения Новгородской области",
    ("social_authority", "treasury"),
)
CLINIC = Organisation("ngd-clinic", "Новгородская областная клиническая больница", ("clinic",))
PHARMACY = Organisation("ngd-pharmacy", "Аптека «Новгородфармация»", ("pharmacy",))
BENEFIT, DRUGS = "kaliningrad-child-benefit", "novgorod-haematology"
VEB_BANK_ACCOUNT = "40702810000000000001"
PAYOUTS_BANK_ACCOUNT = "30232810000000000002"
KALININGRAD_TREASURY = ("treasury:kaliningrad", "Бюджет Калининградской области")
NOVGOROD_TREASURY = ("treasury:novgorod", "Бюджет Новгородской области")
BENEFIT_BUDGET = (f"budget:{BENEFIT}", "Средства ежемесячной выплаты на ребёнка")
BENEFIT_PAYOUTS = (f"veb:payouts:{BENEFIT}", "ВЭБ.РФ: выплаты на ребёнка в пути")
DRUGS_BUDGET = (f"budget:{DRUGS}", "Средства льготного лекарственного обеспечения")
PHARMACY_ACCOUNT = ("pharmacy:operating", "Расчётный счёт аптеки")
"""Each account the payments part opens: its id and the title its owner gives it."""
VEB_BIC, VEB_CORRESPONDENT = "044525060", "30101810500000000060"
"""Synthetic bank details of VEB.RF's statements (the demo's bank files)."""
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
BENEFIT_PEOPLE, JOINERS_PER_MONTH, PATIENTS = 800, 20, 150
LAW = {
    "act": "Закон Калининградской области о мерах социальной поддержки (синтетический)",
    "article": "ст. 5",
}
DRUG_LAW = {"act": "Постановление Правительства РФ № 890 от 30.07.1994", "article": "прил. 1"}
BASE_KOPECKS = {1: 800_000, 2: 850_000}
DISABILITY_KOPECKS, MINIMUM_KOPECKS = 200_000, 1_500_000
DRUG_LIST = {  # code: (GTIN, most units per prescription, kopecks per unit, units per pack)
    "rituximab-500mg": ("04601234567890", 4, 5_000_000, 1),
    "methotrexate-10mg": ("04601234567891", 100, 5_000, 10),
    "imatinib-400mg": ("04601234567892", 30, 300_000, 10),
}
ANOMALIES = (
    "paid_after_death",
    "ineligible_recipient",
    "missing_accrual",
    "unmatched_bank_line",
    "override",
    "invalid_dispensing",
    "deferred_not_served",
)
"""The findings the injected anomalies give (``krai payments audit`` on the demo home)."""
PAYMENTS_WORK = len(MONTHS) + 3
SURNAMES = (
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
)
MALE = (
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
)
FEMALE = (
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Екатерина",
    "Светлана",
    "Юлия",
)
FATHERS = (
    "Александров",
    "Дмитриев",
    "Сергеев",
    "Андреев",
    "Алексеев",
    "Михайлов",
    "Иванов",
    "Петров",
)
STREETS = (
    "Ленинский пр-т",
    "ул. Горького",
    "ул. Гагарина",
    "ул. Черняховского",
    "Московский пр-т",
    "ул. Невского",
)


@dataclass
class Citizen:
    """A synthetic person as the demo knows them: the ledger's identifiers and their facts."""

    pseudonym: str
    dedup_key: str
    income_kopecks: int
    disabled: bool
    assignment_id: str = ""
    died: str | None = None


@dataclass
class Payments:
    """The state of the programme runs: people, accruals awaiting payment, payments by month."""

    world: World
    vault: SqlVault
    rng: random.Random
    people: list[Citizen]
    patients: list[Citizen]
    serial: int = 0
    unpaid: list[tuple[str, int]] = field(default_factory=list)
    paid: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    anomaly: dict[str, Citizen] = field(default_factory=dict)

    def new_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial:06d}"


def programmes(world: World) -> Iterator[Step]:
    """Set-up, five months of both programmes, the last statement and what comes to light late."""
    world.at("2026-01-09T10:00:00+02:00")
    world.admit((SOCIAL, FINANCE, ZAGS, HEALTH, CLINIC, PHARMACY))
    vault = open_vault(
        world.services.settings.vault_database_url,
        world.services.settings.vault_key_file,
        world.clock,
        create=True,
        key_source=_vault_keys(),
    )
    try:
        run = Payments(world, vault, world.rng("payments"), [], [])
        _set_up(run)
        yield Step("Kaliningrad child benefit (dated rules) and Novgorod haematology drugs", 1)
        run.people = _enrol(run, BENEFIT, BENEFIT_PEOPLE, "kgd")
        run.patients = _enrol(run, DRUGS, PATIENTS, "ngd")
        world.at("2026-01-10T10:00:00+02:00")
        _assign(run, run.people, BENEFIT, "2026-01-10", "2026-01-01")
        _assign(run, run.patients, DRUGS, "2026-01-10", "2026-01-01")
        _choose_anomalies(run)
        yield Step(
            f"{len(run.people) + len(run.patients):,} synthetic people enrolled in the vault", 1
        )
        for month in MONTHS:
            _month(run, month)
            yield Step(None, 1)
        world.at("2026-06-02T10:00:00+02:00")
        _reconcile(run, MONTHS[-1])
        world.at("2026-06-05T10:00:00+02:00")
        world.do(ZAGS.key, "payments.attest", _death(run.anomaly["late_death"]))
        newcomers = _enrol(run, DRUGS, 5, "ngd")
        _assign(run, newcomers, DRUGS, "2026-06-05", "2026-06-01")
        yield Step(
            "A death in March attested only in June: the audit finds what was paid after it", 1
        )
    finally:
        vault.close()


def _vault_keys() -> Callable[[], bytes]:
    """The demo vault's keys: derived from a counter, so pseudonyms are the same every run."""
    counter = iter(range(1 << 62))
    return lambda: hashlib.sha256(f"krai-demo-vault-key:{next(counter)}".encode()).digest()


def _set_up(run: Payments) -> None:
    world = run.world
    calls: list[tuple[str, str, dict[str, Any]]] = [
        (SOCIAL.key, "accounts.open_account", _account(*KALININGRAD_TREASURY, "treasury")),
        (VEB.key, "accounts.open_account", _account(*BENEFIT_BUDGET, "budget", BENEFIT)),
        (VEB.key, "accounts.open_account", _account(*BENEFIT_PAYOUTS, "clearing", BENEFIT)),
        (HEALTH.key, "accounts.open_account", _account(*NOVGOROD_TREASURY, "treasury")),
        (VEB.key, "accounts.open_account", _account(*DRUGS_BUDGET, "budget", DRUGS)),
        (PHARMACY.key, "accounts.open_account", _account(*PHARMACY_ACCOUNT, "operating")),
        (
            SOCIAL.key,
            "accounts.transfer",
            _appropriation(KALININGRAD_TREASURY[0], BENEFIT, 150_000_000_00),
        ),
        (
            HEALTH.key,
            "accounts.transfer",
            _appropriation(NOVGOROD_TREASURY[0], DRUGS, 500_000_000_00),
        ),
        (SOCIAL.key, "payments.register_programme", _programme(world, BENEFIT, "cash")),
        (HEALTH.key, "payments.register_programme", _programme(world, DRUGS, "drugs")),
        (SOCIAL.key, "payments.set_rule", _rule(1, "2026-01-01")),
    ]
    world.submit_all(calls)
    world.count("programmes", 2)


def _account(account_id: str, title: str, kind: str, purpose: str | None = None) -> dict[str, Any]:
    body = {"account_id": account_id, "kind": kind, "title": title}
    return body if purpose is None else {**body, "purpose": purpose}


def _appropriation(treasury: str, programme_id: str, kopecks: int) -> dict[str, Any]:
    return {
        "from_account": treasury,
        "to_account": f"budget:{programme_id}",
        "amount_kopecks": kopecks,
        "purpose": programme_id,
        "reference": "Бюджетные ассигнования на 2026 год (синтетические)",
    }


UTC_OFFSET_MINUTES = {"cash": 120, "drugs": 180}
"""Kaliningrad time (MSK−1) for the benefit, Moscow time for Novgorod's drugs (107-FZ): each
programme's dates are read in its region's."""


def _programme(world: World, programme_id: str, kind: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "programme_id": programme_id,
        "title": "Ежемесячная выплата на ребёнка (синтетическая программа)"
        if kind == "cash"
        else "Льготное обеспечение лекарствами больных гематологическими заболеваниями",
        "kind": kind,
        "legal_basis": LAW if kind == "cash" else DRUG_LAW,
        "budget_account": f"budget:{programme_id}",
        "payment_agent": world.inn(VEB.key),
        "incompatible_with": [],
        "due_days_after_period": 15 if kind == "cash" else 0,
        "utc_offset_minutes": UTC_OFFSET_MINUTES[kind],
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
    return body


def _rule(version: int, effective_from: str) -> dict[str, Any]:
    disabled = {"op": "known", "args": [{"fact": "disability_group"}]}
    return {
        "programme_id": BENEFIT,
        "version": version,
        "effective_from": effective_from,
        "legal_basis": {
            "act": "Постановление Правительства Калининградской области (синтетическое)",
            "article": f"п. {version}",
        },
        "parameters": {
            "subsistence_minimum_kopecks": MINIMUM_KOPECKS,
            "base_kopecks": BASE_KOPECKS[version],
            "disability_supplement_kopecks": DISABILITY_KOPECKS,
        },
        "eligibility": {
            "op": "and",
            "args": [
                {"has": ["residence", "kaliningrad"]},
                {
                    "op": "lt",
                    "args": [
                        {"fact": "income_per_capita_kopecks"},
                        {"param": "subsistence_minimum_kopecks"},
                    ],
                },
            ],
        },
        "amount_kopecks": {
            "op": "add",
            "args": [
                {"param": "base_kopecks"},
                {"op": "if", "args": [disabled, {"param": "disability_supplement_kopecks"}, 0]},
            ],
        },
    }


def _enrol(run: Payments, programme_id: str, count: int, region: str) -> list[Citizen]:
    """Synthetic people enrolled in the vault, their facts attested on the ledger."""
    citizens: list[Citizen] = []
    calls: list[tuple[str, str, dict[str, Any]]] = []
    attestor = SOCIAL.key if programme_id == BENEFIT else HEALTH.key
    for _ in range(count):
        person = _synthetic_person(run, region)
        pseudonym = enrol(run.vault, person, programme_id)
        found = run.vault.find(person.snils)
        assert found is not None
        citizen = Citizen(
            pseudonym,
            found.dedup_key,
            run.rng.randrange(300_000, 1_450_000, 1_000),
            run.rng.random() < 0.15,
        )
        citizens.append(citizen)
        if programme_id == BENEFIT:
            calls += [
                (
                    attestor,
                    "payments.attest",
                    {
                        "subject": citizen.dedup_key,
                        "kind": "residence",
                        "valid_from": "2020-01-01",
                        "text": "kaliningrad",
                    },
                ),
                (
                    attestor,
                    "payments.attest",
                    {
                        "subject": citizen.dedup_key,
                        "kind": "income_per_capita_kopecks",
                        "valid_from": "2025-12-01",
                        "amount": citizen.income_kopecks,
                    },
                ),
            ]
            if citizen.disabled:
                calls.append(
                    (
                        attestor,
                        "payments.attest",
                        {
                            "subject": citizen.dedup_key,
                            "kind": "disability_group",
                            "valid_from": "2025-06-01",
                            "amount": run.rng.randint(1, 3),
                        },
                    )
                )
    run.world.submit_all(calls)
    run.world.count("people in the vault", count)
    return citizens


def _synthetic_person(run: Payments, region: str) -> Person:
    rng = run.rng
    run.serial += 1
    body = f"{700_000_000 + run.serial * 37:09d}"
    snils = body + f"{snils_check_digits(body):02d}"
    surname, female = rng.choice(SURNAMES), rng.random() < 0.6
    first = rng.choice(FEMALE if female else MALE)
    father = rng.choice(FATHERS) + ("на" if female else "ич")
    name = f"{surname}{'а' if female else ''} {first} {father}"
    born = f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    city = "г. Калининград" if region == "kgd" else "г. Великий Новгород"
    address = f"{city}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)} (синтетический адрес)"
    return Person(snils, name, born, address)


def _assign(
    run: Payments, citizens: list[Citizen], programme_id: str, decided: str, start: str
) -> None:
    authority = SOCIAL.key if programme_id == BENEFIT else HEALTH.key
    calls = []
    for citizen in citizens:
        citizen.assignment_id = run.new_id("a-kgd" if programme_id == BENEFIT else "a-ngd")
        body = {
            "assignment_id": citizen.assignment_id,
            "programme_id": programme_id,
            "pseudonym": citizen.pseudonym,
            "dedup_key": citizen.dedup_key,
            "decision_date": decided,
            "start_date": start,
            "decision_sha256": document_sha256(
                f"Решение о назначении {citizen.assignment_id} (синтетическое)"
            ),
        }
        calls.append((authority, "payments.assign", body))
    run.world.submit_all(calls)
    run.world.count("assignments", len(calls))


def _choose_anomalies(run: Payments) -> None:
    """Who the anomalies happen to, chosen once by the seeded generator."""
    plain = [c for c in run.people if not c.disabled]
    chosen = run.rng.sample(plain, 4)
    run.anomaly |= dict(
        zip(("late_death", "early_death", "missing", "override"), chosen, strict=True)
    )
    run.anomaly["late_death"].died = "2026-03-18"
    run.anomaly["early_death"].died = "2026-01-31"
    wrong, other, deferred = run.rng.sample(run.patients, 3)
    run.anomaly |= {"wrong_person": wrong, "someone_else": other, "deferred": deferred}


def _death(citizen: Citizen) -> dict[str, Any]:
    assert citizen.died is not None
    return {
        "subject": citizen.dedup_key,
        "kind": "death",
        "valid_from": citizen.died,
        "document_sha256": document_sha256(
            f"Запись акта о смерти {citizen.dedup_key} (синтетическая)"
        ),
    }


def _month(run: Payments, month: str) -> None:
    """Statement of the month before, joiners, rules, drugs, accruals, payments, claims."""
    world, index = run.world, MONTHS.index(month)
    if index:
        world.at(f"{month}-02T10:00:00+02:00")
        _reconcile(run, MONTHS[index - 1])
    world.at(f"{month}-10T10:00:00+02:00")
    if index:
        joiners = _enrol(run, BENEFIT, JOINERS_PER_MONTH, "kgd")
        _assign(run, joiners, BENEFIT, f"{month}-10", f"{month}-01")
        run.people += joiners
    if month == "2026-03":
        world.do(SOCIAL.key, "payments.set_rule", _rule(2, "2026-04-01"))
    if month == "2026-02":
        world.do(ZAGS.key, "payments.attest", _death(run.anomaly["early_death"]))
    world.at(f"{month}-12T10:00:00+02:00")
    dispensings = _prescribe(run, month)
    world.at(f"{month}-15T10:00:00+02:00")
    served = _dispense(run, month, dispensings)
    world.at(f"{month}-25T10:00:00+02:00")
    _accrue(run, month)
    world.at(f"{month}-26T10:00:00+02:00")
    _pay(run, month)
    world.at(f"{month}-27T10:00:00+02:00")
    _claim(run, month, served)


def _accrue(run: Payments, month: str) -> None:
    version = 2 if month >= "2026-04" else 1
    calls = []
    for citizen in run.people:
        if citizen is run.anomaly["early_death"] and month > "2026-01":
            continue  # the rule gives nothing after an attested death
        if citizen is run.anomaly["missing"] and month == "2026-03":
            continue  # never accrued: the audit's missing accrual
        amount = BASE_KOPECKS[version] + (DISABILITY_KOPECKS if citizen.disabled else 0)
        accrual_id = run.new_id(f"acc-kgd-{month}")
        body: dict[str, Any] = {
            "accrual_id": accrual_id,
            "assignment_id": citizen.assignment_id,
            "period": month,
            "amount_kopecks": amount,
        }
        if citizen is run.anomaly["override"] and month == "2026-04":
            body["amount_kopecks"] += 150_000
            body["override"] = {
                "legal_basis": {
                    "act": "Решение комиссии по исключительным случаям (синтетическое)",
                    "article": "п. 7",
                },
                "reason": "Компенсация недоплаты за январь",
            }
            calls.append((SOCIAL.key, "payments.accrue", body))
            calls.append((FINANCE.key, "payments.approve_override", {"accrual_id": accrual_id}))
        else:
            calls.append((SOCIAL.key, "payments.accrue", body))
        run.unpaid.append((accrual_id, body["amount_kopecks"]))
    run.world.submit_all(calls)
    run.world.count("accruals", sum(1 for c in calls if c[1] == "payments.accrue"))


def _pay(run: Payments, month: str) -> None:
    day, calls, lines = f"{month}-26", [], []
    for accrual_id, amount in run.unpaid:
        payment_id = run.new_id(f"pay-kgd-{month}")
        calls.append(
            (
                VEB.key,
                "payments.pay",
                {
                    "payment_id": payment_id,
                    "accrual_id": accrual_id,
                    "amount_kopecks": amount,
                    "paid_on": day,
                    "payout_account": f"veb:payouts:{BENEFIT}",
                },
            )
        )
        lines.append((payment_id, day, amount))
    run.world.submit_all(calls)
    run.world.count("payments", len(calls))
    run.unpaid.clear()
    run.paid[month] = lines


def _reconcile(run: Payments, month: str) -> None:
    """VEB.RF's bank statement of the month's payments; February's debits one twice."""
    lines = [
        {
            "line_id": str(number),
            "booked_on": day,
            "direction": "debit",
            "amount_kopecks": amount,
            "reference": payment_id,
        }
        for number, (payment_id, day, amount) in enumerate(run.paid[month], start=1)
    ]
    if month == "2026-02":
        lines.append({**lines[run.rng.randrange(len(lines))], "line_id": str(len(lines) + 1)})
    path = _bank_file(run, month, lines)
    run.world.record_statement(VEB.key, f"veb-{month}", read_statement(path.read_bytes(), "1c"))
    run.world.count("bank statement lines", len(lines))


def _bank_file(run: Payments, month: str, lines: list[dict[str, Any]]) -> Path:
    """The statement as VEB.RF's bank would send it, a «Клиент банка» file in the home's
    ``bank/``: one document a line, debiting VEB.RF's account into the payout account, each
    purpose naming its payment after ``krai:`` (docs/modules/payments.md, "Formats")."""
    inn = run.world.inn(VEB.key)
    veb = Party(VEB_BANK_ACCOUNT, inn, VEB.name, VEB_BIC, "ВЭБ.РФ", VEB_CORRESPONDENT)
    payouts = Party(PAYOUTS_BANK_ACCOUNT, inn, f"{VEB.name} (выплаты)", VEB_BIC, "ВЭБ.РФ")
    documents = [
        Document(
            line["line_id"],
            line["booked_on"],
            line["amount_kopecks"],
            veb,
            payouts,
            order_purpose(line["reference"]),
            debited_on=line["booked_on"],
        )
        for line in lines
    ]
    path = run.world.services.settings.home / "bank" / f"veb-{month}.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(write_client_bank(VEB_BANK_ACCOUNT, lines[0]["booked_on"], documents))
    return path


def _prescribe(run: Payments, month: str) -> list[tuple[str, Citizen, Citizen, str, int]]:
    """About half the patients get a prescription; some are deferred, one never served."""
    day, calls, planned = f"{month}-12", [], []
    for patient in run.patients:
        deferred_forever = patient is run.anomaly["deferred"] and month == MONTHS[-1]
        wrong = patient is run.anomaly["wrong_person"] and month == "2026-03"
        if run.rng.random() >= 0.5 and not (deferred_forever or wrong):
            continue
        code = run.rng.choice(sorted(DRUG_LIST))
        units = run.rng.randint(1, DRUG_LIST[code][1])
        rx = run.new_id(f"rx-ngd-{month}")
        calls.append(
            (
                CLINIC.key,
                "payments.prescribe",
                {
                    "prescription_id": rx,
                    "programme_id": DRUGS,
                    "pseudonym": patient.pseudonym,
                    "commitment_sha256": document_sha256(f"соль|{rx}|{day}"),
                    "drug_code": code,
                    "quantity_units": units,
                    "issued_on": day,
                    "validity_days": 30,
                },
            )
        )
        if deferred_forever or run.rng.random() < 0.1:
            calls.append(
                (
                    PHARMACY.key,
                    "payments.defer_prescription",
                    {"prescription_id": rx, "deferred_on": day},
                )
            )
        if deferred_forever:
            continue
        taker = patient
        if wrong:
            taker = run.anomaly["someone_else"]
        planned.append((rx, patient, taker, code, units))
    run.world.submit_all(calls)
    run.world.count("prescriptions", sum(1 for c in calls if c[1] == "payments.prescribe"))
    return planned


def _dispense(
    run: Payments, month: str, planned: list[tuple[str, Citizen, Citizen, str, int]]
) -> list[str]:
    """Pack by pack, each SGTIN once; returns the dispensings without a problem."""
    calls, clean = [], []
    for rx, patient, taker, code, prescribed in planned:
        gtin, _, _, per_pack = DRUG_LIST[code]
        packs, units = [], prescribed
        while units > 0:
            run.serial += 1
            size = min(units, per_pack)
            packs.append({"sgtin": f"{gtin}S{run.serial:012d}", "drug_code": code, "units": size})
            units -= size
        dispense_id = run.new_id(f"d-ngd-{month}")
        calls.append(
            (
                PHARMACY.key,
                "payments.dispense",
                {
                    "dispense_id": dispense_id,
                    "prescription_id": rx,
                    "pseudonym": taker.pseudonym,
                    "dispensed_on": f"{month}-15",
                    "packs": packs,
                },
            )
        )
        run.world.count("packs dispensed", len(packs))
        if taker is patient:
            clean.append(dispense_id)
    run.world.submit_all(calls)
    run.world.count("dispensings", len(calls))
    return clean


def _claim(run: Payments, month: str, dispensings: list[str]) -> None:
    if not dispensings:
        return
    claim_id = f"claim-ngd-{month}"
    body = {
        "claim_id": claim_id,
        "programme_id": DRUGS,
        "dispense_ids": dispensings,
        "account_id": "pharmacy:operating",
    }
    run.world.submit_all(
        [
            (PHARMACY.key, "payments.claim_reimbursement", body),
            (VEB.key, "payments.reimburse", {"claim_id": claim_id}),
        ]
    )
