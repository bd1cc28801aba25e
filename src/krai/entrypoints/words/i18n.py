"""krai's two languages, their words, and Babel's formats (for pages, reports and the CLI).

Russian is the default (the dashboard lets a request choose: ``krai.entrypoints.web.language``).
Words come from ``catalogue.toml`` (one key, its Russian and its English); numbers, money and
dates are formatted as Babel formats them in the chosen locale, by ``formats`` (which needs no
locale data loaded). Amounts are integers in named units on the
ledger (kopecks, kW, kWh, m², Mcal); they are converted only here, for display — the app's
documents stay integers with their units. A park's stated figures read with their qualifier
(``figure``: «более 120 МВт», «около 19», «нет данных»).
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import rtoml

from krai.entrypoints.words.formats import date_text, decimal_text, moment_text
from krai.modules.parks.model import CURRENCY_MINOR_UNITS

LANGUAGES = ("ru", "en")
FIGURE_UNITS = (
    "m2",
    "m3_per_hour",
    "m3_per_day",
    "cars_per_day",
    "vehicles_per_hour",
    "tonnes_per_year",
    "rooms",
    "people",
)
"""Units a stated figure's name may end in that read as the number and ``unit.<suffix>``."""
DEFAULT_LANGUAGE = "ru"
CATALOGUE = Path(__file__).with_name("catalogue.toml")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message key with its text in each language."""
    text = CATALOGUE.read_text(encoding="utf-8")  # a file beside this one: no importlib.resources
    return {key: dict(value) for key, value in rtoml.loads(text).items()}


def rouble_value(kopecks: int) -> Decimal:
    """Kopecks as roubles with exactly two decimals, for a spreadsheet's money cell."""
    return (Decimal(kopecks) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Words:
    """Messages and formats of one language, as the templates call them."""

    language: str

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` in this language, with ``{name}`` placeholders filled; a full
        stop after a value that already ends in one («26 мая 2026 г.») is not doubled."""
        entry = catalogue().get(key)
        text = key if entry is None else entry[self.language]
        if not values:
            return text
        for name, value in values.items():
            if isinstance(value, str) and value.endswith("."):
                text = text.replace(f"{{{name}}}.", f"{{{name}}}")
        return text.format(**values)

    def label(self, prefix: str, code: str) -> str:
        """A code's label (``status.free``), or the code itself when none is known."""
        entry = catalogue().get(f"{prefix}.{code}")
        return code if entry is None else entry[self.language]

    def number(self, value: int | Decimal) -> str:
        """An integer or decimal with the locale's grouping."""
        return decimal_text(value, self.language)

    def roubles(self, kopecks: int) -> str:
        """Kopecks as roubles with two decimals and the currency sign."""
        amount = decimal_text(Decimal(kopecks) / 100, self.language, (2, 2))
        return f"{amount}\u00a0₽"

    def roubles_short(self, kopecks: int) -> str:
        """Kopecks as roubles, large sums in millions or billions: «3,5 млрд ₽»."""
        for scale, unit in ((10**11, "unit.bn_rub"), (10**8, "unit.mn_rub")):
            if abs(kopecks) >= scale:
                amount = decimal_text(Decimal(kopecks) / scale, self.language, (0, 2))
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
            megawatts = decimal_text(Decimal(kw) / 1000, self.language, (0, 3))
            return f"{megawatts}\u00a0{self('unit.mw')}"
        return self.quantity(kw, "kw")

    def area(self, m2: int) -> str:
        """An area in m², or in hectares from a hectare on: «25 га»."""
        if m2 >= 10_000:
            hectares = decimal_text(Decimal(m2) / 10_000, self.language, (0, 2))
            return f"{hectares}\u00a0{self('unit.ha')}"
        return self.quantity(m2, "m2")

    def sentence(self, text: str) -> str:
        """``text`` ending in one full stop (a Russian long date already ends in «г.»)."""
        return text if text.endswith(".") else f"{text}."

    def whole_roubles(self, kopecks: int) -> str:
        """Kopecks as whole roubles (for chart axes), without the sign."""
        return decimal_text(kopecks // 100, self.language)

    def price(self, kopecks_per_mwh: int) -> str:
        """A price per MWh in roubles."""
        return f"{self.roubles(kopecks_per_mwh)}/{self('unit.mwh')}"

    def quantity(self, amount: int, unit: str) -> str:
        """An amount with its unit's short name (``unit.kw``, ``unit.m2``, …)."""
        return f"{self.number(amount)}\u00a0{self(f'unit.{unit}')}"

    def percent(self, basis_points: int) -> str:
        """Basis points as a percentage with one decimal."""
        value = Decimal(basis_points) / 100
        return f"{decimal_text(value, self.language, (1, 1))}\u00a0%"

    def date(self, iso_day: str) -> str:
        """An ISO day (``2018-03-15``) in the locale's long form."""
        try:
            day = dt.date.fromisoformat(iso_day)
        except ValueError:
            return iso_day
        return date_text(day, "long", self.language)

    def short_date(self, iso_day: str) -> str:
        """An ISO day in the locale's short numeric form (chart labels)."""
        return date_text(dt.date.fromisoformat(iso_day), "short", self.language)

    def month(self, iso_month: str) -> str:
        """A month ``YYYY-MM`` as people name it: «июнь 2018 г.», «June 2018»."""
        try:
            first = dt.date.fromisoformat(f"{iso_month}-01")
        except ValueError:
            return iso_month
        return date_text(first, "month", self.language)

    def amount(self, kopecks: int) -> str:
        """Kopecks as roubles with two decimals, without the sign (in a column titled ₽)."""
        return decimal_text(Decimal(kopecks) / 100, self.language, (2, 2))

    def gcal(self, mcal: int) -> str:
        """Heat kept in Mcal as Гкал, exactly (up to three decimals; 1 Гкал = 1000 Мкал):
        «4 913 Гкал», not «4 913,000», which reads as millions."""
        value = decimal_text(Decimal(mcal) / 1000, self.language, (0, 3))
        return f"{value}\u00a0{self('unit.gcal')}"

    def kwh(self, kwh: int) -> str:
        """Energy in whole кВт·ч, as a meter reading states it."""
        return f"{self.number(kwh)}\u00a0{self('unit.kwh')}"

    def mwh(self, kwh: int) -> str:
        """Energy kept in kWh as МВт·ч, exactly (as many decimals as it needs, up to three)."""
        return f"{self.number(Decimal(kwh) / 1000)}\u00a0{self('unit.mwh')}"

    def time(self, time_ms: int) -> str:
        """A ledger time (Unix milliseconds) in UTC."""
        moment = dt.datetime.fromtimestamp(time_ms / 1000, tz=dt.UTC)
        return f"{moment_text(moment, self.language)} UTC"

    def money(self, minor_units: int, currency: str | None = None) -> str:
        """An amount in a currency's minor units (roubles when None): roubles as
        ``roubles_short`` («3,5 млрд ₽»), other currencies with their ISO 4217 code."""
        if currency in (None, "RUB"):
            return self.roubles_short(minor_units)
        units = Decimal(minor_units).scaleb(-CURRENCY_MINOR_UNITS[str(currency)])
        return f"{decimal_text(units, self.language, (0, 2))}\u00a0{currency}"

    def figure(self, value: int | None, bound: str, unit: str, currency: str | None = None) -> str:
        """A stated quantity in the unit its name ends in, with its qualifier: «более
        120 МВт», «около 19»; «нет данных» when unknown (never 0)."""
        if value is None:
            return self("figure.unknown")
        shown = (
            self.money(value, currency) if unit.endswith("kopecks") else self.measure(value, unit)
        )
        qualifier = self.label("bound", bound) if bound != "exact" else ""
        return f"{qualifier} {shown}" if qualifier else shown

    def measure(self, value: int, unit: str) -> str:
        """An integer in the unit a field's name ends in: kW as power, metres in km from a
        kilometre on, basis points as a percentage, heat Mcal/h as Гкал/ч; counts bare."""
        if unit.endswith("kw"):
            return self.power(value)
        if unit.endswith("_m") or unit == "m":
            return self.distance(value)
        if unit.endswith("basis_points"):
            percent = decimal_text(Decimal(value) / 100, self.language, (0, 2))
            return f"{percent}\u00a0%"
        if unit.endswith("mcal_per_hour"):
            gcal = decimal_text(Decimal(value) / 1000, self.language, (0, 3))
            return f"{gcal}\u00a0{self('unit.gcal_per_hour')}"
        suffix = next((s for s in FIGURE_UNITS if unit.endswith(s)), None)
        return self.number(value) if suffix is None else self.quantity(value, suffix)

    def distance(self, metres: int) -> str:
        """A distance in metres, or in kilometres from a kilometre on: «12,5 км»."""
        if metres >= 1000:
            km = decimal_text(Decimal(metres) / 1000, self.language, (0, 1))
            return f"{km}\u00a0{self('unit.km')}"
        return self.quantity(metres, "m")

    def fact(self, fact: Mapping[str, Any]) -> str:
        """A park fact's value: its text, or its quantity in its name's unit."""
        value = fact.get("value")
        if isinstance(value, str):
            return value
        return self.figure(value, fact.get("bound", "exact"), fact["name"], fact.get("currency"))

    def capacity(self, infrastructure: Mapping[str, Any]) -> str:
        """An object's capacity on the card's date, else its latest step's, else «мощность
        неизвестна»."""
        timeline = infrastructure["timeline"]
        step = infrastructure.get("capacity_on") or (timeline[-1] if timeline else None)
        if step is None or step.get("capacity") is None:
            return self("park.capacity_unknown")
        bound = step.get("bound") or "exact"
        return self.figure(step["capacity"], bound, infrastructure["unit"])

    def commissioned(self, infrastructure: Mapping[str, Any]) -> str:
        """An object's first step's date, or «дата ввода неизвестна»."""
        timeline = infrastructure["timeline"]
        first = timeline[0].get("from") if timeline else None
        return self("park.date_unknown") if first is None else self.date(first)

    def planned(self, on: str) -> str:
        """A planned date to its precision: «в 2027 году», «в марте 2027 года», a day."""
        if len(on) == 4:
            return self("planned.in_year", year=on)
        if len(on) == 7:
            return self(f"planned.in_month.{on[5:7]}", year=on[:4])
        return self.date(on)
