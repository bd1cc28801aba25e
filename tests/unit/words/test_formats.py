"""krai's own number and date formats against Babel's, for many values in both languages: the
read commands and pages show what Babel would, without loading its locale data."""

import datetime as dt
from decimal import Decimal

import pytest
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.entrypoints.words.formats import date_text, decimal_text, moment_text

LANGUAGES = st.sampled_from(["ru", "en"])
PATTERNS = {
    (0, 3): "#,##0.###",
    (2, 2): "#,##0.00",
    (0, 2): "#,##0.##",
    (1, 1): "#,##0.0",
    (0, 1): "#,##0.#",
}
"""Each fraction krai asks for, and the pattern Babel was given for it."""
WIDE = st.integers(-(10**20), 10**20)
numbers = st.one_of(
    WIDE,
    st.integers(-10_000, 10_000),
    st.builds(lambda units, scale: Decimal(units) / 10**scale, WIDE, st.integers(0, 6)),
    st.builds(lambda units, scale: Decimal(units).scaleb(-scale), WIDE, st.integers(0, 8)),
)


@settings(max_examples=1500, deadline=None)
@given(numbers, LANGUAGES, st.sampled_from(sorted(PATTERNS)))
def test_a_number_is_written_as_babel_writes_it(
    value: int | Decimal, language: str, fraction: tuple[int, int]
) -> None:
    expected = format_decimal(value, format=PATTERNS[fraction], locale=language)
    assert decimal_text(value, language, fraction) == expected


@settings(max_examples=300, deadline=None)
@given(numbers, LANGUAGES)
def test_the_default_is_the_locales_own_decimal_pattern(
    value: int | Decimal, language: str
) -> None:
    assert decimal_text(value, language) == format_decimal(value, locale=language)


@pytest.mark.parametrize(
    ("value", "fraction", "russian"),
    [
        (Decimal("-0.0004"), (0, 3), "-0"),
        (Decimal("2.5"), (0, 0), "2"),
        (Decimal("0.125"), (0, 2), "0,12"),
        (1234567, (2, 2), "1\u00a0234\u00a0567,00"),
    ],
)
def test_rounding_half_to_even_and_the_sign_of_a_negative_zero(
    value: Decimal, fraction: tuple[int, int], russian: str
) -> None:
    assert decimal_text(value, "ru", fraction) == russian


@settings(max_examples=600, deadline=None)
@given(st.dates(), LANGUAGES, st.sampled_from(["long", "short", "month"]))
def test_a_date_is_written_as_babel_writes_it(day: dt.date, language: str, form: str) -> None:
    pattern = "LLLL y" if form == "month" else form
    assert date_text(day, form, language) == format_date(day, pattern, locale=language)  # type: ignore[arg-type]


@settings(max_examples=600, deadline=None)
@given(st.datetimes(timezones=st.just(dt.UTC)), LANGUAGES)
def test_a_moment_is_written_as_babel_writes_it(moment: dt.datetime, language: str) -> None:
    expected = format_datetime(moment, "medium", tzinfo=dt.UTC, locale=language)
    assert moment_text(moment, language) == expected


def test_the_russian_long_date_and_month_read_as_people_write_them() -> None:
    day = dt.date(2018, 3, 5)
    assert date_text(day, "long", "ru") == "5 марта 2018\u202fг."
    assert date_text(day, "month", "ru") == "март 2018"
    assert date_text(day, "short", "en") == "3/5/18"
