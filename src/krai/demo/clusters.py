"""Great Stone, NOC «Sever» and Yakutia's 2030 targets (source 002); the Angara-Yenisei cluster
over four regions and the 400 ha Minusinsk site (source 003).

Great Stone has «более 120 резидентов» (source 002): a count fact with its qualifier, not
synthetic residents. Its business centre, warehouses, hotels and housing, and Minusinsk's gas
filling station, substation and railway, have no stated capacity or date: they are recorded
so. Yakutia's targets have no baseline (the source gives none). The indicator reports, the
Minusinsk operator and resident and its cadastral number are synthetic and say so. Great
Stone's administration and the Belarus Hi-Tech Park are admitted by their UNPs (synthetic
numbers with valid check digits, ADR 0026).
"""

from collections.abc import Iterator
from typing import Any

from krai.demo.parks import PARK as KRASNOYARSK_PARK
from krai.demo.world import Organisation, Step, World, document_sha256

SYNTHETIC = "синтетические данные демо"
MINPROMTORG = Organisation(
    "minpromtorg",
    "Министерство промышленности и торговли Российской Федерации",
    ("governor", "authority"),
    "Ministry of Industry and Trade of the Russian Federation",
)
YAKUTIA = Organisation(
    "yakutia", "Правительство Республики Саха (Якутия)", ("authority",), "Government of Yakutia"
)
SEVER = Organisation(
    "sever",
    "Центр управления проектами НОЦ «Север»",
    ("resident",),
    "Project management centre of NOC «Sever»",
)
GREAT_STONE = Organisation(
    "great-stone",
    "Администрация Китайско-Белорусского индустриального парка «Великий камень»",
    ("park_operator",),
    "Administration of the China–Belarus Industrial Park «Great Stone»",
    country="BY",
)
HTP = Organisation(
    "htp",
    "Администрация Парка высоких технологий Республики Беларусь",
    ("resident",),
    "Belarus Hi-Tech Park administration",
    country="BY",
)
YAKUTSKSTAT = Organisation("yakutskstat", "Якутскстат", ("attestor",), "Yakutia statistics office")
GREAT_STONE_WORK = 4
GREAT_STONE_ID = "great-stone"


def great_stone(world: World) -> Iterator[Step]:
    """Yakutia's targets, Great Stone's facts and objects, the agreements of the visit (2025)."""
    world.at("2025-09-01T10:00:00+03:00")
    world.admit((MINPROMTORG, YAKUTIA, SEVER, GREAT_STONE, HTP, YAKUTSKSTAT))
    world.submit_all([(MINPROMTORG.key, "parks.register_region", body) for body in REGIONS[:2]])
    world.submit_all(_targets())
    world.do(GREAT_STONE.key, "parks.register_park", _great_stone())
    world.do(GREAT_STONE.key, "parks.state_park_facts", _great_stone_facts())
    world.count("parks")
    yield Step("Yakutia: 70,000 employed and 120 bn RUB in creative industries by 2030", 1)
    world.at("2025-09-15T10:00:00+03:00")
    world.submit_all(
        [(GREAT_STONE.key, "parks.register_infrastructure", b) for b in _great_stone_objects()]
    )
    yield Step("More than 120 residents; business centre, warehouses, hotels and housing", 1)
    world.at("2025-11-11T12:00:00+03:00")
    world.submit_all(_agreements())
    world.at("2025-11-12T10:00:00+03:00")
    world.submit_all(_signatures())
    world.count("agreements", 2)
    yield Step("NOC «Sever» and Great Stone sign their cooperation agreement; it is in force", 1)
    world.at("2025-11-20T10:00:00+09:00")
    world.submit_all(_indicators())
    yield Step("Yakutskstat reports progress towards the 2030 targets", 1)


REGIONS = (
    {
        "region_id": "RU-14",
        "name_ru": "Республика Саха (Якутия)",
        "name_en": "Sakha Republic (Yakutia)",
        "time_zone": "Asia/Yakutsk",
        "utc_offset_minutes": 540,
    },
    {
        "region_id": "BY-MI",
        "name_ru": "Минская область",
        "name_en": "Minsk Region",
        "time_zone": "Europe/Minsk",
        "utc_offset_minutes": 180,
    },
    {
        "region_id": "RU-38",
        "name_ru": "Иркутская область",
        "name_en": "Irkutsk Oblast",
        "time_zone": "Asia/Irkutsk",
        "utc_offset_minutes": 480,
    },
    {
        "region_id": "RU-19",
        "name_ru": "Республика Хакасия",
        "name_en": "Republic of Khakassia",
        "time_zone": "Asia/Krasnoyarsk",
        "utc_offset_minutes": 420,
    },
    {
        "region_id": "RU-17",
        "name_ru": "Республика Тыва",
        "name_en": "Tuva Republic",
        "time_zone": "Asia/Krasnoyarsk",
        "utc_offset_minutes": 420,
    },
)
TARGETS = (  # id, indicator, title, target, reported 2025-06-30 (synthetic); no baseline
    (
        "yakutia-creative-jobs-2030",
        "creative_employment_people",
        "Занятые в креативных индустриях",
        70_000,
        45_500,
    ),
    (
        "yakutia-creative-value-2030",
        "creative_value_added_kopecks",
        "Добавленная стоимость креативных индустрий",
        120_000_000_000_00,
        68_500_000_000_00,
    ),
)
YAKUTIA_SOURCE = (
    "ИА YakutiaMedia: к 2030 году — 70 тыс. занятых и 120 млрд руб. добавленной стоимости"
)


def _targets() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            YAKUTIA.key,
            "parks.set_regional_target",
            {
                "target_id": target_id,
                "region_id": "RU-14",
                "indicator": indicator,
                "title": title,
                "target_value": target,
                "by_date": "2030-12-31",
                "legal_basis": f"{YAKUTIA_SOURCE} (базовое значение источником не указано)",
            },
        )
        for target_id, indicator, title, target, _ in TARGETS
    ]


def _indicators() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            YAKUTSKSTAT.key,
            "parks.report_indicator",
            {
                "target_id": target_id,
                "as_of": "2025-06-30",
                "value": value,
                "source": f"Оценка за I полугодие 2025 года ({SYNTHETIC})",
            },
        )
        for target_id, _, _, _, value in TARGETS
    ]


def _great_stone() -> dict[str, Any]:
    return {
        "park_id": GREAT_STONE_ID,
        "name_ru": "Китайско-Белорусский индустриальный парк «Великий камень»",
        "name_en": "China–Belarus Industrial Park «Great Stone»",
        "kind": "sez",
        "region_id": "BY-MI",
        "total_area_m2": 85_000_000,
        "saleable_area_m2": 8_500_000,
        "source": "industrialpark.by: более 8 000 га, первая очередь 850 га",
    }


def _great_stone_facts() -> dict[str, Any]:
    return {
        "park_id": GREAT_STONE_ID,
        "as_of": "2025-09-01",
        "source": (
            "ИА YakutiaMedia: более 120 резидентов; бизнес-центр, склады, гостиницы, жилой "
            "микрорайон"
        ),
        "facts": [
            {"name": "residents_count", "amount": 120, "bound": "over"},
            {
                "name": "specialisation",
                "text": (
                    "Биотехнологии, новые компоненты и материалы, медицина, электроника, "
                    "машиностроение, логистика"
                ),
            },
            {
                "name": "tax_regime",
                "text": (
                    "Специальный правовой режим парка по межправительственному соглашению "
                    "Беларуси и Китая"
                ),
            },
        ],
    }


GREAT_STONE_OBJECTS = (
    ("business-centre", "business_centre", "Бизнес-центр"),
    ("warehouses", "warehouse", "Логистические склады"),
    ("hotels", "hotel", "Гостиницы"),
    ("housing", "housing", "Жилой микрорайон для сотрудников компаний"),
)


def _great_stone_objects() -> list[dict[str, Any]]:
    """The objects the source names, with no capacity or date (it gives none)."""
    return [
        {
            "park_id": GREAT_STONE_ID,
            "object_id": object_id,
            "kind": kind,
            "name": name,
            "timeline": [],
            "source": "ИА YakutiaMedia: «Обустроены бизнес-центр, логистические склады, "
            "гостиницы… построен современный жилой микрорайон»",
        }
        for object_id, kind, name in GREAT_STONE_OBJECTS
    ]


SEVER_AGREEMENT = "sever-great-stone"
SEVER_TEXT = "Соглашение о сотрудничестве ЦУП НОЦ «Север» и администрации парка «Великий камень»"
HTP_AGREEMENT = "yakutia-htp"
HTP_TEXT = "Соглашение о сотрудничестве Якутии и Парка высоких технологий Республики Беларусь"


def _agreements() -> list[tuple[str, str, dict[str, Any]]]:
    sever = {
        "agreement_id": SEVER_AGREEMENT,
        "title": "Соглашение о сотрудничестве",
        "document_sha256": document_sha256(SEVER_TEXT),
        "parties": [SEVER.inn, GREAT_STONE.inn],
        "subject": (
            "Поддержка высокотехнологичного предпринимательства и инноваций: биотехнологии, новые "
            "компоненты и материалы, медицина"
        ),
        "park_id": GREAT_STONE_ID,
        "signatories": [
            {
                "inn": SEVER.inn,
                "position": "Директор Центра управления проектами НОЦ «Север»",
                "name": "Евгений Колганов",
            },
            {
                "inn": GREAT_STONE.inn,
                "position": (
                    "Глава Администрации Китайско-Белорусского индустриального парка "
                    "«Великий камень»"
                ),
                "name": "Александр Ярошенко",
            },
        ],
    }
    htp = {
        "agreement_id": HTP_AGREEMENT,
        "title": "Соглашение о сотрудничестве в сфере высоких технологий",
        "document_sha256": document_sha256(HTP_TEXT),
        "parties": [YAKUTIA.inn, HTP.inn],
        "subject": "Высокие технологии и креативные индустрии",
    }
    return [
        (SEVER.key, "parks.propose_agreement", sever),
        (YAKUTIA.key, "parks.propose_agreement", htp),
    ]


def _signatures() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            GREAT_STONE.key,
            "parks.sign_agreement",
            {"agreement_id": SEVER_AGREEMENT, "document_sha256": document_sha256(SEVER_TEXT)},
        ),
        (
            HTP.key,
            "parks.sign_agreement",
            {"agreement_id": HTP_AGREEMENT, "document_sha256": document_sha256(HTP_TEXT)},
        ),
    ]


# --- the Angara-Yenisei cluster (source 003) -------------------------------------------------

MINUSINSK_OPERATOR = Organisation(
    "minusinsk", "Управляющая компания парка «Минусинск» (синтетическая)", ("park_operator",)
)
KHAKASSIA = Organisation(
    "khakassia", "Правительство Республики Хакасия", ("authority",), "Government of Khakassia"
)
RARE_METALS = Organisation(
    "rare-metals", "ООО «Ангаро-Енисейские редкие металлы» (синтетическое)", ("resident",)
)
CLUSTER = "angara-yenisei"
TASS = (
    "ТАСС, 23 декабря: «Создание кластера редкоземов в Сибири соответствует стратегии развития "
    "Хакасии»"
)
STAGES = (
    ("mining", "Добыча", "Mining"),
    ("processing", "Переработка", "Processing"),
    ("materials", "Передовые материалы", "Advanced materials"),
    ("microelectronics", "Микроэлектроника", "Microelectronics"),
    ("energy", "Энергетические решения", "Energy solutions"),
    ("ai", "Искусственный интеллект", "Artificial intelligence"),
)
ANGARA_WORK = 3


def angara_yenisei(world: World) -> Iterator[Step]:
    """The cluster over four regions, its value chain, Minusinsk's site and infrastructure."""
    world.at("2025-12-23T12:00:00+07:00")
    world.admit((MINUSINSK_OPERATOR, KHAKASSIA, RARE_METALS))
    world.submit_all([(MINPROMTORG.key, "parks.register_region", body) for body in REGIONS[2:]])
    world.do(MINPROMTORG.key, "parks.register_cluster", _cluster())
    yield Step("Angara-Yenisei cluster: Krasnoyarsk Krai, Irkutsk Oblast, Khakassia, Tuva", 1)
    world.at("2025-12-26T10:00:00+07:00")
    world.submit_all(
        [
            (MINUSINSK_OPERATOR.key, "parks.register_park", _minusinsk()),
            (MINUSINSK_OPERATOR.key, "parks.register_site", _site()),
            *[
                (MINUSINSK_OPERATOR.key, "parks.register_infrastructure", body)
                for body in _infrastructure()
            ],
            (
                RARE_METALS.key,
                "parks.apply_for_residency",
                {
                    "park_id": "minusinsk",
                    "stage": "application",
                    "activity": f"Переработка редкоземельных металлов ({SYNTHETIC})",
                    "planned_investment_kopecks": 12_000_000_000_00,
                },
            ),
        ]
    )
    world.count("parks")
    yield Step(
        "Minusinsk: a 400 ha site; its gas filling station, substation and railway of unknown "
        "capacity",
        1,
    )
    world.at("2025-12-29T10:00:00+07:00")
    agreement = {
        "park_id": "minusinsk",
        "resident_inn": RARE_METALS.inn,
        "document_sha256": document_sha256(
            "Соглашение с резидентом парка «Минусинск» (синтетическое)"
        ),
        "milestones": [{"due": "2027-12-31", "investment_kopecks": 3_000_000_000_00, "jobs": 150}],
    }
    members = [
        {"cluster_id": CLUSTER, "stage_id": "processing", "park_id": "minusinsk"},
        {"cluster_id": CLUSTER, "stage_id": "mining", "inn": RARE_METALS.inn},
        {"cluster_id": CLUSTER, "stage_id": "energy", "inn": KHAKASSIA.inn},
        {"cluster_id": CLUSTER, "stage_id": "ai", "park_id": KRASNOYARSK_PARK},
    ]
    world.submit_all(
        [(MINUSINSK_OPERATOR.key, "parks.conclude_resident_agreement", agreement)]
        + [(MINPROMTORG.key, "parks.add_cluster_member", body) for body in members]
    )
    world.count("residents")
    yield Step("Its first facilities are due in 2027", 1)


def _cluster() -> dict[str, Any]:
    return {
        "cluster_id": CLUSTER,
        "name_ru": (
            "Ангаро-Енисейский кластер глубокой переработки цветных и редкоземельных металлов"
        ),
        "name_en": (
            "Angara-Yenisei cluster for deep processing of non-ferrous and rare-earth metals"
        ),
        "specialisation": (
            "Добыча и переработка редких и редкоземельных металлов, передовые материалы, "
            "микроэлектроника, энергетика, ИИ"
        ),
        "regions": ["RU-24", "RU-38", "RU-19", "RU-17"],
        "value_chain": [{"stage_id": s, "name_ru": ru, "name_en": en} for s, ru, en in STAGES],
        "source": TASS,
        "status": "planned",
        "planned": [
            {
                "what": "Первые объекты группы глубокой переработки критических металлов",
                "on": "2027",
            }
        ],
    }


def _minusinsk() -> dict[str, Any]:
    return {
        "park_id": "minusinsk",
        "name_ru": "Индустриальный парк «Минусинск»",
        "name_en": "Minusinsk Industrial Park",
        "kind": "industrial_park",
        "region_id": "RU-24",
        "total_area_m2": 4_000_000,
        "saleable_area_m2": 3_600_000,
        "source": f"Площадка 400 га — {TASS} (детали синтетические)",
    }


def _site() -> dict[str, Any]:
    return {
        "park_id": "minusinsk",
        "cadastral_number": "24:49:0000000:5",
        "area_m2": 4_000_000,
        "land_category": "industry_energy_transport",
        "permitted_use": "Производственная деятельность (6.0)",
        "source": f"Выписка ЕГРН ({SYNTHETIC})",
    }


def _infrastructure() -> list[dict[str, Any]]:
    """The existing objects the source names, with no capacity or date (it gives none)."""
    objects = (
        ("gas-filling-station", "gas_filling_station", "Газонаполнительная станция"),
        ("main-substation", "substation", "Главная понизительная подстанция"),
        ("railway", "rail_siding", "Железнодорожная инфраструктура"),
    )
    return [
        {
            "park_id": "minusinsk",
            "object_id": object_id,
            "kind": kind,
            "name": name,
            "timeline": [],
            "source": f"Уже имеющиеся объекты площадки — {TASS}",
        }
        for object_id, kind, name in objects
    ]
