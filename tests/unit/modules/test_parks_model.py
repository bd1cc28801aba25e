"""Dates, quarters, periods and progress: the small arithmetic the park rules stand on."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from krai.modules.parks.model import (
    milestone_quarter,
    periods_overlap,
    progress_basis_points,
    quarter_end,
    quarter_start,
)
from krai.state.calendar import is_calendar_date, local_date


def test_calendar_dates_are_real_days() -> None:
    assert is_calendar_date("2028-02-29")
    assert not is_calendar_date("2026-02-29")
    assert not is_calendar_date("2026-13-01")
    assert not is_calendar_date("2026-1-01")
    assert not is_calendar_date("20260101")


def test_the_ledger_clock_reads_as_a_local_date() -> None:
    # 2026-03-31T20:00:00Z is already 1 April in Krasnoyarsk (UTC+7), still 31 March in Moscow.
    moment_ms = 1774987200000
    assert local_date(moment_ms, 420) == "2026-04-01"
    assert local_date(moment_ms, 180) == "2026-03-31"


@given(st.dates())
def test_a_date_lies_in_its_quarter(day: date) -> None:
    text = day.isoformat()
    quarter = milestone_quarter(text)
    assert quarter_start(quarter) <= text <= quarter_end(quarter)


def test_periods_share_a_day_or_not() -> None:
    january = ("2026-01-01", "2026-02-01")
    assert periods_overlap(january, ("2026-01-31", None))
    assert not periods_overlap(january, ("2026-02-01", "2026-03-01"))
    assert periods_overlap(("2020-01-01", None), ("2030-01-01", None))


def test_progress_counts_from_the_baseline() -> None:
    assert progress_basis_points(40000, 70000, 46000) == 2000
    assert progress_basis_points(40000, 70000, 40000) == 0
    assert progress_basis_points(40000, 70000, 70000) == 10000
    assert progress_basis_points(40000, 70000, 37000) == -1000
    assert progress_basis_points(5, 5, 5) == 10000
