"""Numbers and dates in Russian and English as Babel writes them, without Babel's locale data.

Loading Babel's data for a locale (two pickles merged) takes longer than a read command's own
work, so the few formats krai shows are written here from CLDR's rules as Babel 2.x applies
them: the decimal pattern ``#,##0.###`` with a chosen number of fraction digits (rounded half
to even, the sign kept on a negative value that rounds to zero), and the long, short,
month-and-year and medium date-time forms. ``tests/unit/entrypoints/test_words_formats.py``
holds every function here to Babel's output for many values, so a change of CLDR data in a
Babel upgrade shows as a failing test.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

DateForm = Literal["long", "short", "month"]


@dataclass(frozen=True)
class _Locale:
    """What CLDR says of one language for the formats krai uses."""

    decimal: str
    group: str
    months: tuple[str, ...]
    """Month names as a date writes them (Russian: genitive, «марта»)."""
    months_short: tuple[str, ...]
    months_alone: tuple[str, ...]
    """Month names standing alone (Russian: nominative, «март»)."""


_RU = _Locale(
    decimal=",",
    group="\u00a0",
    months=(
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
    months_short=(
        "янв.", "февр.", "мар.", "апр.", "мая", "июн.",
        "июл.", "авг.", "сент.", "окт.", "нояб.", "дек.",
    ),
    months_alone=(
        "январь", "февраль", "март", "апрель", "май", "июнь",
        "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
    ),
)  # fmt: skip
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_EN = _Locale(
    decimal=".",
    group=",",
    months=_EN_MONTHS,
    months_short=tuple(month[:3] for month in _EN_MONTHS),
    months_alone=_EN_MONTHS,
)
_LOCALES = {"ru": _RU, "en": _EN}
_NARROW_SPACE = "\u202f"


def decimal_text(value: int | Decimal, language: str, fraction: tuple[int, int] = (0, 3)) -> str:
    """``value`` grouped by thousands with between ``fraction[0]`` and ``fraction[1]``
    decimals, as ``babel.numbers.format_decimal`` writes it (``#,##0.###`` by default;
    ``(2, 2)`` is ``#,##0.00``)."""
    symbols = _LOCALES[language]
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    least, most = fraction
    rounded = abs(number).normalize().quantize(Decimal(10) ** -most)
    whole, _, decimals = f"{rounded:f}".partition(".")
    decimals = (decimals or "0").ljust(least, "0")
    if most == 0 or (least == 0 and int(decimals) == 0):
        decimals = ""
    else:
        decimals = symbols.decimal + _without_trailing_zeros(decimals, least)
    return ("-" if number.is_signed() else "") + _grouped(whole, symbols.group) + decimals


def _without_trailing_zeros(decimals: str, least: int) -> str:
    while len(decimals) > least and decimals.endswith("0"):
        decimals = decimals[:-1]
    return decimals


def _grouped(whole: str, separator: str) -> str:
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join([whole, *groups])


def date_text(day: dt.date, form: DateForm, language: str) -> str:
    """A day in the locale's ``long`` or ``short`` form, or its month and year (``LLLL y``),
    as ``babel.dates.format_date`` writes them."""
    symbols = _LOCALES[language]
    if form == "month":
        return f"{symbols.months_alone[day.month - 1]} {day.year}"
    if language == "ru":
        if form == "short":
            return f"{day.day:02d}.{day.month:02d}.{day.year}"
        return f"{day.day} {symbols.months[day.month - 1]} {day.year}{_NARROW_SPACE}г."
    if form == "short":
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    return f"{symbols.months[day.month - 1]} {day.day}, {day.year}"


def moment_text(moment: dt.datetime, language: str) -> str:
    """A moment in the locale's medium date and time, as ``babel.dates.format_datetime``
    writes it for the moment's own time zone."""
    month = _LOCALES[language].months_short[moment.month - 1]
    if language == "ru":
        day = f"{moment.day} {month} {moment.year}{_NARROW_SPACE}г."
        return f"{day}, {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    hour = moment.hour % 12 or 12
    period = "PM" if moment.hour >= 12 else "AM"
    time = f"{hour}:{moment.minute:02d}:{moment.second:02d}{_NARROW_SPACE}{period}"
    return f"{month} {moment.day}, {moment.year}, {time}"
