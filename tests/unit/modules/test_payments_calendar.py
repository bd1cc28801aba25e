"""Working days by the Russian production calendar (holidays 0.109, ``holidays.RU``), checked
against the decrees: 2025 — Government decree № 1335 of 04.10.2024; 2026 — № 1466 of
24.09.2025; 2027 — the days the package lists (art. 112 of the Labour Code moves a holiday
falling on a weekend to the next working day)."""

from datetime import date

import pytest

from krai.modules.payments.model import add_working_days, is_working_day, months_after

NON_WORKING = [
    *(f"2025-01-0{day}" for day in range(1, 9)),
    "2025-05-01",
    "2025-05-02",  # from Saturday 4 January
    "2025-05-08",  # from Sunday 23 February
    "2025-05-09",
    "2025-06-12",
    "2025-06-13",  # from Saturday 8 March
    "2025-11-03",  # from Saturday 1 November
    "2025-11-04",
    "2025-12-31",  # from Sunday 5 January
    *(f"2026-01-0{day}" for day in range(1, 10)),  # 9 January from Saturday 3 January
    "2026-02-23",
    "2026-03-09",  # 8 March is a Sunday
    "2026-05-01",
    "2026-05-11",  # 9 May is a Saturday
    "2026-06-12",
    "2026-11-04",
    "2026-12-31",  # from Sunday 4 January
    *(f"2027-01-0{day}" for day in range(1, 9)),
    "2027-02-23",
    "2027-03-08",
    "2027-05-03",  # 1 May is a Saturday
    "2027-05-10",  # 9 May is a Sunday
    "2027-06-14",  # 12 June is a Saturday
    "2027-11-04",
]
WORKING = [
    "2025-01-09",
    "2025-02-24",
    "2025-03-10",
    "2025-05-05",
    "2025-11-01",  # a Saturday made a working day by the 2025 decree
    "2025-12-30",
    "2026-01-12",
    "2026-02-24",
    "2026-03-10",
    "2026-05-12",
    "2026-11-05",
    "2027-01-11",
]


@pytest.mark.parametrize("day", NON_WORKING)
def test_a_holiday_or_transferred_day_off_is_not_a_working_day(day: str) -> None:
    assert not is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", WORKING)
def test_an_ordinary_weekday_or_working_saturday_is_a_working_day(day: str) -> None:
    assert is_working_day(date.fromisoformat(day))


def test_an_ordinary_weekend_is_not_a_working_day() -> None:
    assert not is_working_day(date(2026, 4, 4))
    assert not is_working_day(date(2026, 4, 5))


def test_a_prescription_deferred_before_the_new_year_holidays_is_due_after_them() -> None:
    # Tuesday 23 December 2025: 24, 25, 26, 29, 30 December; 31 December and 1–11 January off;
    # then 12, 13, 14, 15, 16 January 2026.
    assert add_working_days("2025-12-23", 10) == "2026-01-16"


def test_a_deferral_counts_the_working_saturday() -> None:
    # Thursday 30 October 2025: 31 Oct, Sat 1 Nov (working), then 3 and 4 Nov off.
    assert add_working_days("2025-10-30", 2) == "2025-11-01"
    assert add_working_days("2025-10-30", 3) == "2025-11-05"


def test_a_deferral_in_an_ordinary_fortnight_takes_two_weeks() -> None:
    assert add_working_days("2026-04-06", 10) == "2026-04-20"


def test_the_month_after_crosses_the_year() -> None:
    assert months_after("2026-12", 1) == "2027-01"
    assert months_after("2026-03", 1) == "2026-04"
