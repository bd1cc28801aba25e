"""Power allocation in a park: accepted exactly when every day of it stays within capacity.

The ledger checks capacity at the dates where something changes; the oracle here checks
every single day of the year, independently, and the two must agree on every operation.
"""

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.scenarios.harness import Ledger, Organisation, synthetic_inn, synthetic_ogrn

from krai.modules.parks import queries

YEAR = [(date(2026, 1, 1) + timedelta(days=n)).isoformat() for n in range(365)]
NAMES = {"operator": "УК парка", "grid": "Сетевая компания", "resident": "Резидент"}


def organisation(name: str, *roles: str) -> Organisation:
    return Organisation(name, synthetic_inn(name), synthetic_ogrn(name), roles)


def new_park(steps: list[tuple[str, int]]) -> Ledger:
    ledger = Ledger.found(
        [
            organisation("Правительство", "governor"),
            organisation(NAMES["operator"], "park_operator"),
            organisation(NAMES["grid"], "attestor"),
            organisation(NAMES["resident"], "resident"),
        ],
        start="2025-12-01T10:00:00+07:00",
    )
    region = {
        "region_id": "RU-24",
        "name_ru": "Край",
        "name_en": "Krai",
        "time_zone": "Asia/Krasnoyarsk",
        "utc_offset_minutes": 420,
    }
    park = {
        "park_id": "p",
        "name_ru": "Парк",
        "name_en": "Park",
        "kind": "industrial_park",
        "region_id": "RU-24",
        "total_area_m2": 1000,
        "saleable_area_m2": 1000,
        "source": "s",
    }
    timeline = [{"from_date": d, "capacity": c, "source": "s"} for d, c in steps]
    substation = {
        "park_id": "p",
        "object_id": "ps",
        "kind": "substation",
        "name": "ПС",
        "timeline": timeline,
    }
    resident = ledger.inn(NAMES["resident"])
    milestones = [{"due": "2026-12-31", "investment_kopecks": 1, "jobs": 1}]
    setup: list[tuple[str, str, dict[str, Any]]] = [
        ("Правительство", "parks.register_region", region),
        (NAMES["operator"], "parks.register_park", park),
        (NAMES["grid"], "parks.register_infrastructure", substation),
        (
            NAMES["resident"],
            "parks.apply_for_residency",
            {"park_id": "p", "stage": "application", "activity": "a"},
        ),
        (
            NAMES["operator"],
            "parks.conclude_resident_agreement",
            {
                "park_id": "p",
                "resident_inn": resident,
                "document_sha256": "0" * 64,
                "milestones": milestones,
            },
        ),
    ]
    for signer, type_name, body in setup:
        assert ledger.submit(signer, type_name, body).accepted
    return ledger


def capacity_on(steps: dict[str, int], day: str) -> int:
    applicable = [d for d in steps if d <= day]
    return steps[max(applicable)] if applicable else 0


def fits(steps: dict[str, int], allocations: list[dict[str, Any]]) -> bool:
    """The oracle: day by day, the allocations in effect stay within capacity."""
    for day in YEAR:
        used = sum(
            a["power_kw"]
            for a in allocations
            if a["from"] <= day and (a["until"] is None or day < a["until"])
        )
        if used > capacity_on(steps, day):
            return False
    return True


days = st.integers(min_value=0, max_value=300).map(lambda n: YEAR[n])
allocations = st.tuples(days, st.integers(1, 60), st.integers(1, 100), st.booleans())
cuts = st.tuples(days, st.integers(0, 150))
operations = st.lists(
    st.one_of(allocations.map(lambda a: ("allocate", a)), cuts.map(lambda c: ("capacity", c))),
    max_size=8,
)


@settings(max_examples=30, deadline=None)
@given(
    first=st.integers(0, 150),
    later=st.lists(st.tuples(days, st.integers(0, 200)), max_size=3, unique_by=lambda s: s[0]),
    operations=operations,
)
def test_the_ledger_accepts_exactly_what_fits_every_day(
    first: int, later: list[tuple[str, int]], operations: list[tuple[str, Any]]
) -> None:
    steps = {"2026-01-01": first, **dict(later)}
    ledger = new_park(sorted(steps.items()))
    held: list[dict[str, Any]] = []
    resident = ledger.inn(NAMES["resident"])
    for number, (kind, args) in enumerate(operations):
        if kind == "allocate":
            start, length, power_kw, bounded = args
            until = YEAR[min(YEAR.index(start) + length, 364)] if bounded else None
            if until == start:
                continue
            candidate = {"from": start, "until": until, "power_kw": power_kw}
            body = {
                "park_id": "p",
                "allocation_id": f"a{number}",
                "resident_inn": resident,
                "power_kw": power_kw,
                "from_date": start,
                **({"until": until} if until else {}),
            }
            result = ledger.submit(NAMES["operator"], "parks.allocate_power", body)
            assert result.accepted == fits(steps, [*held, candidate]), result.error
            if result.accepted:
                held.append(candidate)
        else:
            on, capacity = args
            body = {
                "park_id": "p",
                "object_id": "ps",
                "step": {"from_date": on, "capacity": capacity, "source": "s"},
            }
            result = ledger.submit(NAMES["grid"], "parks.set_capacity", body)
            assert result.accepted == fits({**steps, on: capacity}, held), result.error
            if result.accepted:
                steps[on] = capacity
    for row in queries.power_timeline(ledger.state, "p"):
        assert row["allocated_kw"] <= row["capacity_kw"]
        assert row["capacity_kw"] == capacity_on(steps, row["from"])
