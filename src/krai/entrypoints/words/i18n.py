"""krai's two languages, their words, and Babel's formats (for pages, reports and the CLI).

Russian is the default (the dashboard lets a request choose: ``krai.entrypoints.web.language``).
Words come from ``catalogue.toml`` (one key, its Russian and its English); numbers, money and
dates are formatted by Babel in the chosen locale. Amounts are integers in named units on the
ledger (kopecks, kW, kWh, m², Mcal); they are converted only here, for display.
"""

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message key with its text in each language."""
    text = resources.files(__package__).joinpath("catalogue.toml").read_text(encoding="utf-8")
    return {key: dict(value) for key, value in tomllib.loads(text).items()}


@dataclass(frozen=True)
class Words:
    """Messages and formats of one language, as the templates call them."""

    language: str

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` in this language, with ``{name}`` placeholders filled."""
        entry = catalogue().get(key)
        text = key if entry is None else entry[self.language]
        return text.format(**values) if values else text

    def label(self, prefix: str, code: str) -> str:
        """A code's label (``status.free``), or the code itself when none is known."""
        entry = catalogue().get(f"{prefix}.{code}")
        return code if entry is None else entry[self.language]

    def number(self, value: int | Decimal) -> str:
        """An integer or decimal with the locale's grouping."""
        return format_decimal(value, locale=self.language)

    def roubles(self, kopecks: int) -> str:
        """Kopecks as roubles with two decimals and the currency sign."""
        amount = format_decimal(Decimal(kopecks) / 100, format="#,##0.00", locale=self.language)
        return f"{amount}\u00a0₽"

    def roubles_short(self, kopecks: int) -> str:
        """Kopecks as roubles, large sums in millions or billions: «3,5 млрд ₽»."""
        for scale, unit in ((10**11, "unit.bn_rub"), (10**8, "unit.mn_rub")):
            if abs(kopecks) >= scale:
                amount = format_decimal(Decimal(kopecks) / scale, "#,##0.##", locale=self.language)
                return f"{amount}\u00a0{self(unit)}"
        if kopecks % 100 == 0:
            return f"{self.number(kopecks // 100)}\u00a0₽"
        return self.roubles(kopecks)

    def people(self, count: int) -> str:
        """A number of people: «70 000 чел.»."""
        return self.quantity(count, "people")

    def power(self, kw: int) -> str:
        """Power in kW, or in MW from a megawatt on: «120 МВт», «500 кВт»."""
        if abs(kw) >= 1000:
            megawatts = format_decimal(Decimal(kw) / 1000, "#,##0.###", locale=self.language)
            return f"{megawatts}\u00a0{self('unit.mw')}"
        return self.quantity(kw, "kw")

    def area(self, m2: int) -> str:
        """An area in m², or in hectares from a hectare on: «25 га»."""
        if m2 >= 10_000:
            hectares = format_decimal(Decimal(m2) / 10_000, "#,##0.##", locale=self.language)
            return f"{hectares}\u00a0{self('unit.ha')}"
        return self.quantity(m2, "m2")

    def sentence(self, text: str) -> str:
        """``text`` ending in one full stop (a Russian long date already ends in «г.»)."""
        return text if text.endswith(".") else f"{text}."

    def whole_roubles(self, kopecks: int) -> str:
        """Kopecks as whole roubles (for chart axes), without the sign."""
        return format_decimal(kopecks // 100, locale=self.language)

    def price(self, kopecks_per_mwh: int) -> str:
        """A price per MWh in roubles."""
        return f"{self.roubles(kopecks_per_mwh)}/{self('unit.mwh')}"

    def quantity(self, amount: int, unit: str) -> str:
        """An amount with its unit's short name (``unit.kw``, ``unit.m2``, …)."""
        return f"{self.number(amount)}\u00a0{self(f'unit.{unit}')}"

    def percent(self, basis_points: int) -> str:
        """Basis points as a percentage with one decimal."""
        value = Decimal(basis_points) / 100
        return f"{format_decimal(value, format='#,##0.0', locale=self.language)}\u00a0%"

    def date(self, iso_day: str) -> str:
        """An ISO day (``2018-03-15``) in the locale's long form."""
        try:
            day = dt.date.fromisoformat(iso_day)
        except ValueError:
            return iso_day
        return format_date(day, "long", locale=self.language)

    def short_date(self, iso_day: str) -> str:
        """An ISO day in the locale's short numeric form (chart labels)."""
        return format_date(dt.date.fromisoformat(iso_day), "short", locale=self.language)

    def month(self, iso_month: str) -> str:
        """A month ``YYYY-MM`` as people name it: «июнь 2018 г.», «June 2018»."""
        try:
            first = dt.date.fromisoformat(f"{iso_month}-01")
        except ValueError:
            return iso_month
        return format_date(first, "LLLL y", locale=self.language)

    def amount(self, kopecks: int) -> str:
        """Kopecks as roubles with two decimals, without the sign (in a column titled ₽)."""
        return format_decimal(Decimal(kopecks) / 100, format="#,##0.00", locale=self.language)

    def gcal(self, mcal: int) -> str:
        """Heat kept in Mcal as Гкал with three decimals (1 Гкал = 1000 Мкал)."""
        value = format_decimal(Decimal(mcal) / 1000, format="#,##0.000", locale=self.language)
        return f"{value}\u00a0{self('unit.gcal')}"

    def mwh(self, kwh: int) -> str:
        """Energy kept in kWh as МВт·ч, exactly (as many decimals as it needs, up to three)."""
        return f"{self.number(Decimal(kwh) / 1000)}\u00a0{self('unit.mwh')}"

    def time(self, time_ms: int) -> str:
        """A ledger time (Unix milliseconds) in UTC."""
        moment = dt.datetime.fromtimestamp(time_ms / 1000, tz=dt.UTC)
        return f"{format_datetime(moment, 'medium', tzinfo=dt.UTC, locale=self.language)} UTC"
