"""Programmes, people by pseudonym, attested facts, assignments, accruals, payments, the drug
chain and bank statements: their state keys, identifiers and calendar arithmetic, without
storage. What each key holds is in ``records.py``.

No personal data is ever written: a person is a programme pseudonym (``ps:`` + 32 hex) and a
cross-programme deduplication key (``dd:`` + 32 hex), both keyed HMACs computed off the
ledger (docs/spec/pseudonyms.md); a prescription is a salted commitment of its series, number
and date. Periods are calendar months ``YYYY-MM``.
"""

from datetime import date, timedelta
from functools import cache
from typing import Literal, get_args

import holidays

PREFIX = "payments/"
PSEUDONYM_PATTERN = r"ps:[0-9a-f]{32}"
DEDUP_PATTERN = r"dd:[0-9a-f]{32}"
SUBJECT_PATTERN = r"(ps|dd):[0-9a-f]{32}"
SGTIN_PATTERN = r"[0-9]{14}[A-Za-z0-9]{13}"
"""An SGTIN as MDLP writes it: GTIN (14 digits) and serial number (13 characters)."""
PERIOD_PATTERN = r"[0-9]{4}-(0[1-9]|1[0-2])"
DEFERRED_SERVICE_WORKING_DAYS = 10
"""A deferred prescription must be served within 10 working days (Minzdrav rules)."""
MSK_OFFSET_MINUTES = 180
"""Moscow time, UTC+3: Russia's zones are MSK−1 (Kaliningrad) to MSK+9 (Kamchatka, Chukotka)
under the law on the computation of time (107-FZ of 03.06.2011, art. 5), with no summer time
since 26.10.2014 (248-FZ of 21.07.2014)."""
EASTMOST_OFFSET_MINUTES = MSK_OFFSET_MINUTES + 9 * 60
"""UTC+12: where a day in Russia begins first. A fact no programme dates (a death, a bank
line) is in the future only once its date is after today there."""
ACCRUAL_MONTHS_AHEAD = 1
"""An accrual may be recorded for the current month and the next one (paid ahead, as before
the New Year holidays), never for a later month."""
BACKDATING_TOLERANCE_DAYS = 7
"""A decision recorded more than this many days after its date counts as back-dated."""
FactKind = Literal[
    "death", "residence", "disability_group", "income_per_capita_kopecks", "category"
]
FACT_KINDS: tuple[str, ...] = get_args(FactKind)


def programme_key(programme_id: str) -> str:
    """State key of a programme."""
    return f"{PREFIX}programme/{programme_id}"


def rule_key(programme_id: str, version: int) -> str:
    """State key of a programme's rule version."""
    return f"{PREFIX}rule/{programme_id}/{version:04d}"


def attestation_key(subject: str, kind: str, index: int) -> str:
    """State key of an attested fact about a subject (pseudonym or dedup key)."""
    return f"{PREFIX}fact/{subject}/{kind}/{index:012d}"


def fact_sheet_key(subject: str) -> str:
    """Index: every fact attested about a subject, in brief (``SHEET_FIELDS``), in the order
    attested — what the rules and the audit read instead of each record."""
    return f"{PREFIX}sheet/{subject}"


def death_key(subject: str) -> str:
    """Index: the earliest attested date of death of a subject."""
    return f"{PREFIX}death/{subject}"


def assignment_key(assignment_id: str) -> str:
    """State key of an assignment (a decision to grant a measure)."""
    return f"{PREFIX}assignment/{assignment_id}"


def person_assignment_key(pseudonym: str, assignment_id: str) -> str:
    """Index: an assignment under its person's pseudonym."""
    return f"{PREFIX}person/{pseudonym}/{assignment_id}"


def accrual_key(accrual_id: str) -> str:
    """State key of an accrual."""
    return f"{PREFIX}accrual/{accrual_id}"


def card_key(assignment_id: str, year: str) -> str:
    """State key of an assignment's card for a year: its accruals by period and its
    payments, in brief — what the audit reads instead of every accrual and payment."""
    return f"{PREFIX}card/{assignment_id}/{year}"


def unreconciled_key(payment_id: str) -> str:
    """Index: a payment no bank statement has matched yet."""
    return f"{PREFIX}unreconciled/{payment_id}"


def unmatched_key(statement_id: str, line_id: str) -> str:
    """Index: a bank statement line that matched no payment."""
    return f"{PREFIX}unmatched/{statement_id}/{line_id}"


LATEST_KEY = f"{PREFIX}latest"
"""Where and when the latest payments transaction is in the log: the audit's default day."""


def payment_key(payment_id: str) -> str:
    """State key of a payment."""
    return f"{PREFIX}payment/{payment_id}"


def prescription_key(prescription_id: str) -> str:
    """State key of a prescription."""
    return f"{PREFIX}prescription/{prescription_id}"


def dispense_key(dispense_id: str) -> str:
    """State key of a dispensing."""
    return f"{PREFIX}dispense/{dispense_id}"


def pack_key(sgtin: str) -> str:
    """State key of a pack taken out of circulation."""
    return f"{PREFIX}pack/{sgtin}"


def claim_key(claim_id: str) -> str:
    """State key of a pharmacy's reimbursement claim."""
    return f"{PREFIX}claim/{claim_id}"


def statement_key(statement_id: str) -> str:
    """State key of an imported bank statement."""
    return f"{PREFIX}statement/{statement_id}"


def incomplete_statement_key(statement_id: str) -> str:
    """Index: a statement recorded in parts whose last part has not come yet."""
    return f"{PREFIX}incomplete/{statement_id}"


def subject_entry_key(subject: str, index: int) -> str:
    """Index: a log entry that concerns a subject (pseudonym or dedup key), by its index —
    what the access report (152-FZ art. 14) reads."""
    return f"{PREFIX}subject/{subject}/{index:012d}"


def subject_entries_prefix(subject: str) -> str:
    """Where every ``subject_entry_key`` of a subject starts."""
    return f"{PREFIX}subject/{subject}/"


def erasure_key(pseudonym: str) -> str:
    """State key of the record that a person's personal data was erased."""
    return f"{PREFIX}erasure/{pseudonym}"


def period_start(period: str) -> str:
    """The first day of a month ``YYYY-MM``."""
    return f"{period}-01"


def period_end(period: str) -> str:
    """The last day of a month ``YYYY-MM``."""
    year, month = int(period[:4]), int(period[5:7])
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).isoformat()


def periods_between(first: str, last: str) -> list[str]:
    """Every month from the one containing ``first`` to the one containing ``last``."""
    year, month = int(first[:4]), int(first[5:7])
    final = (int(last[:4]), int(last[5:7]))
    found = []
    while (year, month) <= final:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def is_whole_hours(minutes: int) -> bool:
    """Whether an offset in minutes is a whole number of hours, as every Russian zone is."""
    return minutes % 60 == 0


def zone_name(utc_offset_minutes: int) -> str:
    """A fixed UTC offset as ``UTC+HH:MM``."""
    sign = "-" if utc_offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(utc_offset_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def months_after(period: str, months: int) -> str:
    """The month ``months`` months after ``YYYY-MM``."""
    count = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{count // 12:04d}-{count % 12 + 1:02d}"


def add_working_days(start: str, days: int) -> str:
    """The date ``days`` working days after ``start`` in the Russian production calendar."""
    current = date.fromisoformat(start)
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current.isoformat()


def is_working_day(day: date) -> bool:
    """Monday to Friday unless a public holiday or a day off transferred by the government's
    decree, or a Saturday the decree made a working day — as the pinned ``holidays`` package
    (0.109, ``holidays.RU``) lists them (docs/modules/payments.md, "Working days")."""
    days_off, working_weekends = _production_calendar(day.year)
    if day.weekday() >= 5:
        return day in working_weekends
    return day not in days_off


@cache
def _production_calendar(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """A year's non-working days and working weekend days in Russia."""
    calendar = holidays.country_holidays("RU", years=year)
    working = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return frozenset(calendar), working


def covers(start_date: str, end_date: str | None, period: str) -> bool:
    """Whether a span from ``start_date`` to ``end_date`` (open when None) covers any day
    of a month: what ``Assignment.active_in`` asks."""
    return start_date <= period_end(period) and (
        end_date is None or end_date >= period_start(period)
    )
