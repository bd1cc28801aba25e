"""Every record of the parks module is stored as the very bytes the module wrote as a plain
JSON object before it was typed (so replays and state digests are unchanged), reads back as
the same record, and is refused, naming the field, when a field is missing or unknown."""

from typing import Any

import pytest
from tests.unit.modules.record_checks import (
    assert_missing_and_unknown_fields_refused,
    assert_stored_as_its_plain_bytes,
)

from krai.modules.parks.model import Stamped
from krai.modules.parks.records import (
    Agreement,
    Assessment,
    Cluster,
    ClusterMember,
    Commitment,
    FactStatement,
    IndicatorReport,
    InForce,
    Infrastructure,
    Park,
    ParkChange,
    PowerAllocation,
    QuarterActuals,
    Region,
    Release,
    Residency,
    ResidencyChange,
    Site,
    SiteChange,
    Stage,
    StatedFact,
    SupportMeasure,
    Target,
    Termination,
    TimelineStep,
)
from krai.state.records import Record, RecordFormError, decode_record
from krai.state.store import encode_value

TX = "cd" * 32
STAMP = {"by": "2460000000", "index": 41, "time_ms": 1_772_416_800_000, "tx_id": TX}
LATER = {**STAMP, "by": "7707083893", "index": 57}
REGION = {
    "name_ru": "Красноярский край",
    "name_en": "Krasnoyarsk Krai",
    "time_zone": "Asia/Krasnoyarsk",
    "utc_offset_minutes": 420,
    **STAMP,
}
STAGE = {"stage_id": "mining", "name_ru": "Добыча", "name_en": "Mining"}
PARK_MEMBER = {"stage_id": "mining", "park_id": "minusinsk", **LATER}
ORG_MEMBER = {"stage_id": "mining", "inn": "1901000000", **LATER}
CLUSTER = {
    "name_ru": "Ангаро-Енисейский кластер",
    "name_en": "Angara-Yenisei cluster",
    "specialisation": "металлургия",
    "regions": ["RU-24", "RU-38"],
    "value_chain": [STAGE],
    "members": [],
    "source": "Распоряжение № 1",
    "coordinator": "2460000000",
    **STAMP,
}
PARK_CHANGE = {"status": "planned", "basis": "Паспорт парка", **STAMP}
RECOGNISED = {**PARK_CHANGE, "status": "recognised", "recognised_until": "2027-01-12"}
PARK = {
    "name_ru": "Технопарк «Сибирь»",
    "name_en": "Sibir technopark",
    "kind": "technopark",
    "region_id": "RU-24",
    "operator": "2460000000",
    "status": "planned",
    "total_area_m2": 4_000_000,
    "saleable_area_m2": 3_500_000,
    "sites_area_m2": 0,
    "source": "Паспорт парка",
    "history": [PARK_CHANGE],
    **STAMP,
}
STATEMENT = {"value": 42_000, "as_of": "2026-01-10", "source": "Карта парка", **STAMP}
TEXT_STATEMENT = {**STATEMENT, "value": "майнинг и ЦОД", "index": 60}
SITE_CHANGE = {"status": "free", "basis": "Выписка ЕГРН", **STAMP}
LEASED = {**SITE_CHANGE, "status": "leased", "resident_inn": "7707083893"}
SITE = {
    "park_id": "sibir",
    "area_m2": 50_000,
    "land_category": "industry_energy_transport",
    "permitted_use": "производственная деятельность",
    "status": "free",
    "source": "Выписка ЕГРН",
    "history": [SITE_CHANGE],
    **STAMP,
}
STEP = {"from": "2026-01-01", "capacity": 120_000, "source": "Раскрытие по ПП 24", **STAMP}
EVIDENCED = {**STEP, "from": "2026-07-01", "evidence_sha256": "ef" * 32}
INFRASTRUCTURE = {
    "kind": "substation",
    "name": "ПС 220 кВ",
    "unit": "power_kw",
    "timeline": [STEP, EVIDENCED],
    "superseded": [],
    **STAMP,
}
ALLOCATION = {"resident_inn": "7707083893", "power_kw": 30_000, "from": "2026-02-01", **STAMP}
RELEASE = {"basis": "Заявление резидента", **LATER}
ASSESSMENT = {"investment_kopecks": 10**11, "jobs": 12, "met": False, **LATER}
MILESTONE = {"due": "2026-06-30", "investment_kopecks": 2 * 10**11, "jobs": 40}
ACTUALS = {"investment_kopecks": 10**11, "jobs": 12, "source": "Отчёт за квартал", **STAMP}
RESIDENCY_CHANGE = {"status": "intention", "basis": "ЦОД на 30 МВт", **STAMP}
RESIDENCY = {
    "milestones": [],
    "actuals": {},
    "status": "intention",
    "activity": "ЦОД на 30 МВт",
    "history": [RESIDENCY_CHANGE],
    **STAMP,
}
AGREEMENT = {
    "title": "Соглашение о сотрудничестве",
    "document_sha256": "ab" * 32,
    "parties": ["2460000000", "7707083893"],
    "subject": "cooperation",
    "status": "awaiting_signatures",
    "signatures": [STAMP],
    **STAMP,
}
IN_FORCE = {"index": 57, "time_ms": 1_772_416_900_000}
SUPPORT = {
    "kind": "subsidy",
    "recipient_inn": "7707083893",
    "purpose": "power-grid",
    "legal_basis": "Постановление № 5",
    "from": "2026-01-01",
    "overlaps": [],
    **STAMP,
}
REPORT = {"as_of": "2026-06-30", "value": 46_000, "source": "Росстат", **STAMP}
TARGET = {
    "region_id": "RU-14",
    "indicator": "creative_jobs_people",
    "title": "Рабочие места в креативных индустриях",
    "target_value": 70_000,
    "by_date": "2030-12-31",
    "baseline_value": 40_000,
    "baseline_date": "2025-12-31",
    "legal_basis": "Стратегия Якутии",
    "reports": [],
    **STAMP,
}

STORED: list[tuple[type[Record], dict[str, Any]]] = [
    (Stamped, STAMP),
    (Region, REGION),
    (Stage, STAGE),
    (ClusterMember, PARK_MEMBER),
    (ClusterMember, ORG_MEMBER),
    (Cluster, CLUSTER),
    (Cluster, {**CLUSTER, "members": [PARK_MEMBER, ORG_MEMBER]}),
    (ParkChange, PARK_CHANGE),
    (ParkChange, RECOGNISED),
    (Park, PARK),
    (
        Park,
        {
            **PARK,
            "status": "recognised",
            "recognised_until": "2027-01-12",
            "sites_area_m2": 50_000,
            "history": [PARK_CHANGE, RECOGNISED],
        },
    ),
    (FactStatement, STATEMENT),
    (FactStatement, TEXT_STATEMENT),
    (StatedFact, {"statements": [STATEMENT, TEXT_STATEMENT]}),
    (SiteChange, SITE_CHANGE),
    (SiteChange, LEASED),
    (Site, SITE),
    (
        Site,
        {
            **SITE,
            "price_kopecks": 9_007_199_254_740_991,
            "rent_kopecks_per_year": 1_200_000,
            "status": "leased",
            "resident_inn": "7707083893",
            "history": [SITE_CHANGE, LEASED],
        },
    ),
    (TimelineStep, STEP),
    (TimelineStep, EVIDENCED),
    (Infrastructure, INFRASTRUCTURE),
    (Infrastructure, {**INFRASTRUCTURE, "superseded": [{**STEP, "capacity": 90_000}]}),
    (Release, RELEASE),
    (PowerAllocation, ALLOCATION),
    (PowerAllocation, {**ALLOCATION, "until": "2026-09-01", "released": RELEASE}),
    (Assessment, ASSESSMENT),
    (Commitment, MILESTONE),
    (Commitment, {**MILESTONE, "assessment": ASSESSMENT}),
    (QuarterActuals, ACTUALS),
    (QuarterActuals, {**ACTUALS, "jobs": 15, "supersedes": {**ACTUALS, "supersedes": ACTUALS}}),
    (ResidencyChange, RESIDENCY_CHANGE),
    (Residency, RESIDENCY),
    (
        Residency,
        {
            **RESIDENCY,
            "status": "breach",
            "planned_investment_kopecks": 3_500_000_000_00,
            "planned_jobs": 200,
            "document_sha256": "ab" * 32,
            "agreement_id": "sibir-dc",
            "milestones": [{**MILESTONE, "assessment": ASSESSMENT}, MILESTONE],
            "actuals": {"2026-Q2": ACTUALS, "2026-Q1": {**ACTUALS, "jobs": 3}},
        },
    ),
    (InForce, IN_FORCE),
    (Termination, RELEASE),
    (Agreement, AGREEMENT),
    (
        Agreement,
        {
            **AGREEMENT,
            "status": "terminated",
            "park_id": "great-stone",
            "cluster_id": "angara-yenisei",
            "signatures": [STAMP, LATER],
            "in_force_from": IN_FORCE,
            "terminated": RELEASE,
        },
    ),
    (SupportMeasure, SUPPORT),
    (
        SupportMeasure,
        {
            **SUPPORT,
            "until": "2027-01-01",
            "amount_kopecks": 5_000_000_00,
            "park_id": "sibir",
            "overlaps": ["grid-2025"],
        },
    ),
    (IndicatorReport, REPORT),
    (Target, TARGET),
    (Target, {**TARGET, "reports": [REPORT, {**REPORT, "as_of": "2026-09-30", "index": 70}]}),
]
REQUIRED = {
    Stamped: "tx_id",
    Region: "utc_offset_minutes",
    Stage: "stage_id",
    ClusterMember: "stage_id",
    Cluster: "members",
    ParkChange: "basis",
    Park: "sites_area_m2",
    FactStatement: "value",
    StatedFact: "statements",
    SiteChange: "status",
    Site: "history",
    TimelineStep: "from",
    Infrastructure: "superseded",
    Release: "basis",
    PowerAllocation: "from",
    Assessment: "met",
    Commitment: "due",
    QuarterActuals: "investment_kopecks",
    ResidencyChange: "status",
    Residency: "actuals",
    InForce: "time_ms",
    Termination: "basis",
    Agreement: "signatures",
    SupportMeasure: "overlaps",
    IndicatorReport: "as_of",
    Target: "reports",
}


def _name(value: Any) -> str:
    return getattr(value, "__name__", "")


def test_every_parks_record_is_covered() -> None:
    assert {cls for cls, _ in STORED} == set(REQUIRED)


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=_name)
def test_a_record_is_stored_as_the_bytes_of_its_plain_object(
    cls: type[Record], stored: dict[str, Any]
) -> None:
    assert_stored_as_its_plain_bytes(cls, stored)


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=_name)
def test_a_missing_or_unknown_field_is_refused(cls: type[Record], stored: dict[str, Any]) -> None:
    assert_missing_and_unknown_fields_refused(cls, stored, REQUIRED[cls], "parks/some/key")


def test_a_value_outside_its_kind_is_refused_by_name() -> None:
    with pytest.raises(RecordFormError, match=r"`\$.status`"):
        decode_record(encode_value({**PARK, "status": "abandoned"}), Park)
    with pytest.raises(RecordFormError, match=r"`\$.kind`"):
        decode_record(encode_value({**INFRASTRUCTURE, "kind": "pipeline"}), Infrastructure)
    with pytest.raises(RecordFormError, match=r"`\$.power_kw`"):
        too_large = encode_value(ALLOCATION).replace(b":30000,", b":9007199254740992,")
        decode_record(too_large, PowerAllocation)


def _record(cls: type[Record], stored: dict[str, Any]) -> Any:
    return decode_record(encode_value(stored), cls)


def test_a_step_of_the_same_date_replaces_the_current_one_and_is_kept_as_superseded() -> None:
    infrastructure: Infrastructure = _record(Infrastructure, INFRASTRUCTURE)
    lower = _record(TimelineStep, {**STEP, "capacity": 90_000, "index": 80})
    changed = infrastructure.with_step(lower)
    assert [s.capacity for s in changed.timeline] == [90_000, 120_000]
    assert changed.superseded == (infrastructure.timeline[0],)
    assert infrastructure.superseded == ()


def test_an_agreement_enters_into_force_with_its_last_signature() -> None:
    agreement: Agreement = _record(Agreement, AGREEMENT)
    signed = agreement.signed(_record(Stamped, LATER))
    assert (signed.status, signed.in_force_from) == (
        "in_force",
        InForce(index=57, time_ms=STAMP["time_ms"]),
    )
    assert (agreement.status, len(agreement.signatures)) == ("awaiting_signatures", 1)


def test_an_application_keeps_planned_figures_it_does_not_restate() -> None:
    residency: Residency = _record(Residency, {**RESIDENCY, "planned_jobs": 200})
    applied = residency.with_plans("ЦОД на 40 МВт", 10**11, None)
    assert (applied.planned_investment_kopecks, applied.planned_jobs) == (10**11, 200)
    assert applied.activity == "ЦОД на 40 МВт"
    assert residency.planned_investment_kopecks is None


def test_an_allocation_holds_from_its_start_until_its_end_exclusive() -> None:
    allocation: PowerAllocation = _record(PowerAllocation, ALLOCATION)
    ended = allocation.released_from("2026-09-01", _record(Release, RELEASE))
    assert allocation.is_active("2030-01-01")
    assert (ended.is_active("2026-08-31"), ended.is_active("2026-09-01")) == (True, False)
    assert not ended.is_active("2026-01-31")
