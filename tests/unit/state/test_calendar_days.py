"""The one rule for a date a reader gives: a real calendar date written YYYY-MM-DD."""

import pytest

from krai.state.calendar import CalendarDayError, calendar_day, calendar_month


@pytest.mark.parametrize("text", ["2026-03-20", "2024-02-29", "0001-01-01"])
def test_a_calendar_date_is_taken_as_written(text: str) -> None:
    assert calendar_day(text) == text


@pytest.mark.parametrize(
    "text", ["20261206", "2026-02-30", "2025-02-29", "yesterday", "", "2026-3-20", "2026-03-20 "]
)
def test_anything_else_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(CalendarDayError, match=r"as_of .* is not a calendar date YYYY-MM-DD"):
        calendar_day(text, "as_of")


def test_a_month_is_year_and_month() -> None:
    assert calendar_month("2018-06") == "2018-06"
    for wrong in ("2018-13", "2018-6", "201806", "June"):
        with pytest.raises(CalendarDayError, match="not a month YYYY-MM"):
            calendar_month(wrong)
