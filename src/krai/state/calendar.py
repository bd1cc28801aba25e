"""Calendar dates as the modules use them: ISO ``YYYY-MM-DD`` strings, which order as text,
and the ledger's clock (an entry's ``time_ms``) read in a fixed UTC offset (Russia keeps no
summer time). Pure arithmetic: no clock is ever read here."""

from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CalendarDayError(ValueError):
    """A text given as a date is not a calendar date written ``YYYY-MM-DD``."""


def calendar_day(text: str, name: str = "date") -> str:
    """``text`` if it is a real date written ``YYYY-MM-DD``, else ``CalendarDayError`` naming
    ``name``: the one rule every edge (CLI, API, dashboard) applies to a date it is given, so
    ``20261206``, ``2026-02-30`` and ``yesterday`` are refused alike (docs/api.md)."""
    if not is_calendar_date(text):
        raise CalendarDayError(f"{name} {text!r} is not a calendar date YYYY-MM-DD")
    return text


def calendar_month(text: str, name: str = "month") -> str:
    """``text`` if it is a month written ``YYYY-MM``, else ``CalendarDayError``."""
    if len(text) != len("YYYY-MM") or not is_calendar_date(f"{text}-01"):
        raise CalendarDayError(f"{name} {text!r} is not a month YYYY-MM")
    return text


def is_calendar_date(text: str) -> bool:
    """Whether ``text`` is a real date ``YYYY-MM-DD`` (not 2026-02-30)."""
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def local_date(time_ms: int, utc_offset_minutes: int = 0) -> str:
    """The calendar date at ``time_ms`` (the ledger's clock) in a fixed UTC offset."""
    return _local(time_ms, utc_offset_minutes).date().isoformat()


def day_start_ms(day: str, utc_offset_minutes: int = 0) -> int:
    """The ledger time (Unix ms) at which a date begins in a fixed UTC offset."""
    midnight = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return (midnight - EPOCH) // timedelta(milliseconds=1) - utc_offset_minutes * 60_000


def local_time_text(time_ms: int, utc_offset_minutes: int) -> str:
    """The ledger time as local ``YYYY-MM-DD HH:MM``, for messages."""
    return _local(time_ms, utc_offset_minutes).strftime("%Y-%m-%d %H:%M")


def days_between(earlier: str, later: str) -> int:
    """Whole days from one date to another."""
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days


def add_days(start: str, days: int) -> str:
    """The date ``days`` calendar days after ``start``."""
    return (date.fromisoformat(start) + timedelta(days=days)).isoformat()


def _local(time_ms: int, utc_offset_minutes: int) -> datetime:
    return EPOCH + timedelta(milliseconds=time_ms, minutes=utc_offset_minutes)
