"""The park registry of the demo: the Krasnoyarsk park of digital technologies (source 000),
Great Stone and NOC «Sever» with Yakutia's 2030 targets (002), and the Angara-Yenisei cluster
with the Minusinsk site (003).

Names, capacities and the investment figure come from the sources; milestone schedules,
quarterly figures, the synthetic residents of Great Stone, cadastral numbers and dates the
sources do not give are invented and say so in their ``source`` fields.

Source 000 names Chinese manufacturers (Metaverse, Ebang Communication, Entu, Ding Feng) and
American and Cypriot investment funds. The manufacturers and the funds are foreign
organisations, admitted by their own registers' identifiers (CN-USCC, LEI; ADR 0026); the
manufacturers state their intention to move into the park. The park's residents that trade
energy in it are Russian companies (an energy market participant is identified by its INN):
the manufacturers' Russian companies, synthetic and named so.
"""

import random
from collections.abc import Iterator
from typing import Any

from krai.demo.world import Organisation, Step, World, document_sha256

PARK = "krasnoyarsk-digital"
PRESS_RELEASE = (
    "Пресс-релиз «В Красноярском крае будет создан центр блокчейн-технологий», 15.03.2018"
)

GIGABYTE = Organisation("gigabyte", "ООО «Гигабайт»", ("park_operator",), "Gigabyte LLC")
MINECON = Organisation(
    "minecon-krsk",
    "Министерство экономического развития и инвестиционной политики Красноярского края",
    ("authority",),
    "Krasnoyarsk Krai Ministry of Economic Development and Investment Policy",
)
GRID = Organisation(
    "rosseti", "ПАО «Россети Сибирь»", ("attestor", "meter_operator"), "Rosseti Siberia"
)
CHAMBER = Organisation(
    "ksp", "Счётная палата Красноярского края", ("auditor",), "Krasnoyarsk Krai Accounts Chamber"
)
BITBAZA = Organisation(
    "bitbaza", "Корпорация BitBaza", ("investor", "resident", "market_participant"), "BitBaza"
)
EBANG = Organisation(
    "ebang",
    "Российское общество Ebang Communication (синтетическое)",
    ("resident", "market_participant"),
    "Ebang Communication's Russian company (synthetic)",
)
ENTU = Organisation(
    "entu",
    "Российское общество Entu (синтетическое)",
    ("resident", "market_participant"),
    "Entu's Russian company (synthetic)",
)
METAVERSE = Organisation(
    "metaverse",
    "Российское общество Metaverse (синтетическое)",
    ("resident", "market_participant"),
    "Metaverse's Russian company (synthetic)",
)
MANUFACTURERS = tuple(
    Organisation(key, name, ("investor",), name, country="CN")
    for key, name in (
        ("metaverse-cn", "Metaverse"),
        ("ebang-cn", "Ebang Communication"),
        ("entu-cn", "Entu (Zhu Jingming)"),
        ("ding-feng-cn", "Ding Feng"),
    )
)
"""The Chinese mining-equipment manufacturers of source 000, by their Chinese identifiers."""
FUNDS = (
    Organisation(
        "us-fund",
        "Американский инвестиционный фонд (синтетический)",
        ("investor",),
        "US investment fund (synthetic)",
        country="US",
    ),
    Organisation(
        "cy-fund",
        "Кипрский инвестиционный фонд (синтетический)",
        ("investor",),
        "Cypriot investment fund (synthetic)",
        country="CY",
    ),
)
"""The American and Cypriot investment funds of source 000 (unnamed there), by their LEIs."""
INTENTION = (
    "Срочный переезд в Красноярский край; производственные линии комплектующих для сложного"
    " вычислительного оборудования (источник 000)"
)
DC_ENISEY = Organisation(
    "dc-enisey", "ЦОД «Енисей» (синтетический)", ("resident", "market_participant")
)
DC_SIBDATA = Organisation(
    "dc-sibdata", "ЦОД «Сибирь-Дата» (синтетический)", ("resident", "market_participant")
)
KRASNOYARSK: tuple[Organisation, ...] = (GIGABYTE, MINECON, GRID, CHAMBER, BITBAZA, EBANG, ENTU)
KRASNOYARSK += (METAVERSE, DC_ENISEY, DC_SIBDATA, *MANUFACTURERS, *FUNDS)


def _synthetic(text: str) -> str:
    return f"{text} (синтетические данные демо)"


# Each resident: activity, power allocations (id, kW, from), milestones (due, RUB, jobs).
RESIDENTS: tuple[
    tuple[Organisation, str, tuple[tuple[str, int, str], ...], tuple[Any, ...]], ...
] = (
    (
        BITBAZA,
        "Центр развития блокчейн-проектов и майнинга; генерация дополнительных 30 МВт",
        (("bitbaza-1", 60_000, "2018-04-01"),),
        (("2018-09-30", 500_000_000, 20), ("2018-12-31", 1_500_000_000, 60)),
    ),
    (
        EBANG,
        "Майнинг; сборка и сервис майнингового оборудования",
        (("ebang-1", 15_000, "2018-04-15"),),
        (("2019-03-31", 100_000_000, 30),),
    ),
    (
        ENTU,
        "Майнинг; производство комплектующих для вычислительного оборудования",
        (("entu-1", 20_000, "2018-04-15"),),
        (("2018-12-31", 200_000_000, 40), ("2019-06-30", 400_000_000, 80)),
    ),
    (
        METAVERSE,
        "Майнинг; поставка оборудования",
        (("metaverse-1", 12_000, "2018-05-01"),),
        (("2019-06-30", 150_000_000, 25),),
    ),
    (
        DC_ENISEY,
        "Центр обработки данных",
        (("dc-enisey-1", 8_000, "2018-04-01"),),
        (("2018-12-31", 120_000_000, 15),),
    ),
    (
        DC_SIBDATA,
        "Центр обработки данных",
        (("dc-sibdata-1", 5_000, "2018-05-01"),),
        (("2019-06-30", 80_000_000, 10),),
    ),
)
BITBAZA_FINAL = ("2019-12-31", 3_500_000_000, 120)
"""BitBaza's 3.5 bn RUB (source 000), due by the end of 2019 (the date is synthetic)."""
QUARTERS = ("2018-Q2", "2018-Q3", "2018-Q4", "2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4")
REPORTED_ON = {
    "2018-Q2": "2018-07-10",
    "2018-Q3": "2018-10-08",
    "2018-Q4": "2019-01-15",
    "2019-Q1": "2019-04-10",
    "2019-Q2": "2019-07-10",
    "2019-Q3": "2019-10-09",
    "2019-Q4": "2020-01-15",
}
BITBAZA_ACTUALS = {  # quarter: (RUB invested in it, jobs at its end); Q4 2018 falls short
    "2018-Q2": (300_000_000, 12),
    "2018-Q3": (250_000_000, 24),
    "2018-Q4": (400_000_000, 45),
    "2019-Q1": (600_000_000, 70),
    "2019-Q2": (700_000_000, 90),
    "2019-Q3": (650_000_000, 110),
    "2019-Q4": (700_000_000, 130),
}
KRASNOYARSK_WORK = 4


def krasnoyarsk(world: World) -> Iterator[Step]:
    """The park, its capacity phases, its residents with commitments and power (spring 2018)."""
    world.at("2018-03-15T11:00:00+07:00")
    world.admit(KRASNOYARSK)
    region = {
        "region_id": "RU-24",
        "name_ru": "Красноярский край",
        "name_en": "Krasnoyarsk Krai",
        "time_zone": "Asia/Krasnoyarsk",
        "utc_offset_minutes": 420,
    }
    world.submit_all(
        [
            ("operator", "parks.register_region", region),
            (GIGABYTE.key, "parks.register_park", _park()),
            (GRID.key, "parks.register_infrastructure", _substation()),
            (GIGABYTE.key, "parks.register_infrastructure", _own_generation()),
            (GIGABYTE.key, "parks.state_park_facts", _facts()),
        ]
    )
    world.count("parks")
    yield Step(
        "Krasnoyarsk park of digital technologies: more than 120 MW; BitBaza's own 30 MW, "
        "200 MW by 31.12.2018",
        1,
    )
    world.at("2018-03-20T10:00:00+07:00")
    world.submit_all(
        [
            (organisation.key, "parks.apply_for_residency", _application(organisation, activity))
            for organisation, activity, _, _ in RESIDENTS
        ]
        + [(maker.key, "parks.apply_for_residency", _intention()) for maker in MANUFACTURERS]
    )
    world.at("2018-03-26T10:00:00+07:00")
    world.submit_all([_agreement(resident) for resident in RESIDENTS])
    world.submit_all(_statuses("registered", "2018-03-26"))
    world.count("residents", len(RESIDENTS))
    yield Step(f"{len(RESIDENTS)} residents with agreements; BitBaza commits 3.5 bn RUB", 1)
    world.at("2018-03-28T10:00:00+07:00")
    allocations = [
        (GIGABYTE.key, "parks.allocate_power", _allocation(organisation, *allocation))
        for organisation, _, allocated, _ in RESIDENTS
        for allocation in allocated
    ]
    world.submit_all(allocations)
    world.submit_all(_support())
    yield Step("120 MW allocated: all that «более 120 МВт» guarantees; tax and customs", 1)
    world.at("2018-05-15T10:00:00+07:00")
    world.submit_all(_statuses("in_production", "2018-05-15"))
    yield Step(None, 1)


def _park() -> dict[str, Any]:
    return {
        "park_id": PARK,
        "name_ru": "Индустриальный парк цифровых технологий Красноярского края",
        "name_en": "Krasnoyarsk Industrial Park of Digital Technologies",
        "kind": "industrial_park",
        "region_id": "RU-24",
        "total_area_m2": 250_000,
        "saleable_area_m2": 200_000,
        "source": f"{PRESS_RELEASE}; площадь синтетическая",
    }


def _substation() -> dict[str, Any]:
    return {
        "park_id": PARK,
        "object_id": "main-substation",
        "kind": "substation",
        "name": "Главная понизительная подстанция парка",
        "timeline": [
            {
                "from_date": "2018-03-15",
                "capacity": 120_000,
                "bound": "over",
                "source": f"Энергомощности более 120 МВт — {PRESS_RELEASE}",
            },
        ],
    }


def _own_generation() -> dict[str, Any]:
    """BitBaza's own generation: its 30 MW and 200 MW by the end of 2018 are the resident's,
    not the park's grid (not declared for it)."""
    return {
        "park_id": PARK,
        "object_id": "bitbaza-generation",
        "kind": "own_generation",
        "name": "Генерация корпорации BitBaza",
        "owner_inn": BITBAZA.inn,
        "source": PRESS_RELEASE,
        "timeline": [
            {
                "from_date": "2018-06-01",
                "capacity": 30_000,
                "source": "BitBaza: генерация дополнительных 30 МВт (дата синтетическая)",
            },
            {
                "from_date": "2018-12-31",
                "capacity": 200_000,
                "source": "BitBaza: до конца 2018 года — 200 МВт",
            },
        ],
    }


def _facts() -> dict[str, Any]:
    return {
        "park_id": PARK,
        "as_of": "2018-03-15",
        "source": PRESS_RELEASE,
        "facts": [
            {
                "name": "specialisation",
                "text": "Центр развития блокчейн-проектов и майнинга, цифровая экономика",
            },
            {
                "name": "tax_regime",
                "text": (
                    "Рассматриваются ОЭЗ, налоговые преференции, льготы по ввозу вычислительного "
                    "оборудования"
                ),
            },
        ],
    }


def _intention() -> dict[str, Any]:
    return {"park_id": PARK, "stage": "intention", "activity": INTENTION}


def _application(organisation: Organisation, activity: str) -> dict[str, Any]:
    body: dict[str, Any] = {"park_id": PARK, "stage": "application", "activity": activity}
    if organisation is BITBAZA:
        body["planned_investment_kopecks"] = BITBAZA_FINAL[1] * 100
    return body


def _agreement(
    resident: tuple[Organisation, str, Any, tuple[Any, ...]],
) -> tuple[str, str, dict[str, Any]]:
    organisation, _, _, milestones = resident
    if organisation is BITBAZA:
        milestones = (*milestones, BITBAZA_FINAL)
    body = {
        "park_id": PARK,
        "resident_inn": organisation.inn,
        "document_sha256": document_sha256(
            f"Соглашение с резидентом {organisation.name} (синтетическое)"
        ),
        "milestones": [
            {"due": due, "investment_kopecks": rub * 100, "jobs": jobs}
            for due, rub, jobs in milestones
        ],
    }
    return GIGABYTE.key, "parks.conclude_resident_agreement", body


def _statuses(status: str, day: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            GIGABYTE.key,
            "parks.change_resident_status",
            {
                "park_id": PARK,
                "resident_inn": organisation.inn,
                "status": status,
                "basis": _synthetic(f"Реестр резидентов, запись от {day}"),
            },
        )
        for organisation, _, _, _ in RESIDENTS
    ]


def _allocation(
    organisation: Organisation, allocation_id: str, power_kw: int, from_date: str
) -> dict[str, Any]:
    return {
        "park_id": PARK,
        "allocation_id": allocation_id,
        "resident_inn": organisation.inn,
        "power_kw": power_kw,
        "from_date": from_date,
    }


def _support() -> list[tuple[str, str, dict[str, Any]]]:
    measures = [
        (
            "krsk-2018-tax-1",
            "tax",
            BITBAZA,
            "mining-centre",
            "Региональная налоговая преференция",
            None,
        ),
        (
            "krsk-2018-customs-1",
            "customs",
            EBANG,
            "equipment-import",
            "Преференции по таможенным платежам при ввозе вычислительного оборудования",
            None,
        ),
        (
            "krsk-2018-infra-1",
            "infrastructure",
            GIGABYTE,
            "park-infrastructure",
            "Участие в региональных целевых проектах развития инфраструктур",
            350_000_000,
        ),
    ]
    calls = []
    for measure_id, kind, recipient, purpose, basis, rub in measures:
        body: dict[str, Any] = {
            "measure_id": measure_id,
            "kind": kind,
            "recipient_inn": recipient.inn,
            "purpose": purpose,
            "legal_basis": _synthetic(basis),
            "from_date": "2018-04-01",
            "until": "2021-01-01",
            "park_id": PARK,
        }
        if rub is not None:
            body["amount_kopecks"] = rub * 100
        calls.append((MINECON.key, "parks.grant_support", body))
    return calls


REPORTS_WORK = len(QUARTERS) + 1


def krasnoyarsk_reports(world: World) -> Iterator[Step]:
    """Quarterly actuals 2018–2019: BitBaza falls short at the end of 2018, Ebang never reports."""
    rng = world.rng("parks")
    cumulative: dict[str, int] = {}
    for quarter in QUARTERS:
        world.at(f"{REPORTED_ON[quarter]}T10:00:00+07:00")
        calls = []
        for organisation, _, _, milestones in RESIDENTS:
            if organisation is EBANG:
                continue
            invested, jobs = _quarter(organisation, milestones, quarter, rng, cumulative)
            body = {
                "park_id": PARK,
                "quarter": quarter,
                "investment_kopecks": invested * 100,
                "jobs": jobs,
                "source": _synthetic(f"Квартальный отчёт резидента за {quarter}"),
            }
            calls.append((organisation.key, "parks.report_actuals", body))
        world.submit_all(calls)
        world.count("quarterly reports", len(calls))
        if quarter == "2018-Q4":
            yield Step("BitBaza reports 950 M RUB against 1.5 bn RUB due by 31.12.2018: breach", 1)
            world.at("2019-02-01T10:00:00+07:00")
            basis = _synthetic("Дополнительное соглашение: график инвестиций восстановлен")
            world.do(
                GIGABYTE.key,
                "parks.change_resident_status",
                {
                    "park_id": PARK,
                    "resident_inn": BITBAZA.inn,
                    "status": "in_production",
                    "basis": basis,
                },
            )
        elif quarter == "2019-Q1":
            world.at("2019-05-06T10:00:00+07:00")
            world.do(
                CHAMBER.key,
                "parks.review_commitments",
                {"park_id": PARK, "resident_inn": EBANG.inn},
            )
            yield Step("Ebang never reported: the accounts chamber's review finds the breach", 1)
        else:
            yield Step(None, 1)
    yield Step("BitBaza reaches 3.6 bn RUB invested and 130 jobs by the end of 2019", 0)


def _quarter(
    organisation: Organisation,
    milestones: tuple[Any, ...],
    quarter: str,
    rng: random.Random,
    cumulative: dict[str, int],
) -> tuple[int, int]:
    """RUB invested in the quarter and jobs at its end: BitBaza's as given, others on track."""
    if organisation is BITBAZA:
        return BITBAZA_ACTUALS[quarter]
    index = QUARTERS.index(quarter)
    due_index = next(
        (i for i, q in enumerate(QUARTERS) if _quarter_of(milestones[-1][0]) == q),
        len(QUARTERS) - 1,
    )
    target_rub, target_jobs = milestones[-1][1], milestones[-1][2]
    share = min(1.0, (index + 1) / (due_index + 1))
    wanted = int(target_rub * share * (1.05 + rng.random() * 0.1)) // 1_000_000 * 1_000_000
    invested = max(0, wanted - cumulative.get(organisation.key, 0))
    cumulative[organisation.key] = cumulative.get(organisation.key, 0) + invested
    return invested, int(target_jobs * share) + rng.randint(1, 5)


def _quarter_of(day: str) -> str:
    return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"
