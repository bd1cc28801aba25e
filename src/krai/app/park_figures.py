"""How the park registry's stated figures read, in Russian, built once for every reader.

A figure is a value (or none: unknown) in a unit, qualified by its bound: «более 120 МВт»,
«около 19», «нет данных». Money is whole units of its currency with its sign or ISO 4217
code: «193 000 000 USD», «3 500 000 000 ₽». The CLI, the API and the pages show these
strings as they are, so every reader sees the same words.
"""

from typing import Any

from krai.modules.parks.model import CURRENCY_MINOR_UNITS

UNKNOWN = "нет данных"
UNKNOWN_CAPACITY = "мощность неизвестна"
UNKNOWN_DATE = "дата ввода неизвестна"
BOUND_WORDS = {
    "exact": "",
    "about": "около ",
    "over": "более ",
    "at_least": "не менее ",
    "up_to": "до ",
    "under": "менее ",
}
UNIT_WORDS = {
    "m2": "м²",
    "kw": "кВт",
    "m3_per_hour": "м³/ч",
    "mcal_per_hour": "Мкал/ч",
    "m3_per_day": "м³/сут",
    "cars_per_day": "вагонов/сут",
    "vehicles_per_hour": "автомобилей/ч",
    "tonnes_per_year": "т/год",
    "rooms": "номеров",
    "people": "чел.",
    "units": "",
    "count": "",
    "created": "",
}
MONTHS = (
    "январе",
    "феврале",
    "марте",
    "апреле",
    "мае",
    "июне",
    "июле",
    "августе",
    "сентябре",
    "октябре",
    "ноябре",
    "декабре",
)


def grouped(number: int) -> str:
    """An integer with its thousands apart: «120 000» (no-break spaces)."""
    return f"{number:,}".replace(",", "\u00a0")


def money(amount: int, currency: str | None = None) -> str:
    """Minor units of a currency (roubles when None) as whole units and cents, with the sign
    ₽ for roubles and the ISO 4217 code otherwise."""
    code = currency or "RUB"
    exponent = CURRENCY_MINOR_UNITS[code]
    whole, minor = divmod(amount, 10**exponent)
    cents = f",{minor:0{exponent}d}" if minor else ""
    return f"{grouped(whole)}{cents}\u00a0{'₽' if code == 'RUB' else code}"


def amount(value: int, unit: str) -> str:
    """A value in a unit named by a field's suffix: kW in MW when whole, metres in km when whole,
    basis points as a percentage."""
    if unit.endswith("kw") and value >= 1000 and value % 1000 == 0:
        return f"{grouped(value // 1000)}\u00a0МВт"
    if unit.endswith("_m") or unit == "m":
        kilometres = value % 1000 == 0 and value >= 1000
        return f"{grouped(value // 1000)}\u00a0км" if kilometres else f"{grouped(value)}\u00a0м"
    if unit.endswith("basis_points"):
        return f"{value // 100},{value % 100:02d}\u00a0%".replace(",00", "")
    words = next((w for suffix, w in UNIT_WORDS.items() if unit.endswith(suffix)), "")
    return f"{grouped(value)}\u00a0{words}" if words else grouped(value)


def quantity(
    value: int | None,
    bound: str,
    unit: str,
    currency: str | None = None,
    unknown: str = UNKNOWN,
) -> str:
    """A stated quantity with its qualifier: «более 120 МВт», «около 19», or ``unknown``."""
    if value is None:
        return unknown
    shown = money(value, currency) if unit.endswith("kopecks") else amount(value, unit)
    return f"{BOUND_WORDS[bound]}{shown}"


def planned_date(on: str) -> str:
    """A planned date to its precision: «в 2027 году», «в марте 2027 года», «12.03.2027»."""
    if len(on) == 4:
        return f"в {on} году"
    if len(on) == 7:
        return f"в {MONTHS[int(on[5:7]) - 1]} {on[:4]} года"
    return f"{on[8:10]}.{on[5:7]}.{on[:4]}"


def fact(document: dict[str, Any]) -> dict[str, Any]:
    """A fact's JSON with ``shown``: its text, or its quantity in its name's unit."""
    value = document.get("value")
    if isinstance(value, str):
        return {**document, "shown": value}
    bound = document.get("bound", "exact")
    shown = quantity(value, bound, document["name"], document.get("currency"))
    return {**document, "shown": shown}


def infrastructure(document: dict[str, Any]) -> dict[str, Any]:
    """An object's JSON with ``capacity_shown`` (on the card's date, else its latest step, or
    «мощность неизвестна») and ``commissioned_shown`` (its first step's date, if known)."""
    step = document.get("capacity_on")
    timeline = document["timeline"]
    if step is None and timeline:
        step = {"capacity": timeline[-1].get("capacity"), "bound": timeline[-1].get("bound")}
    if step is None:
        capacity = UNKNOWN_CAPACITY
    else:
        bound = step.get("bound") or "exact"
        capacity = quantity(step.get("capacity"), bound, document["unit"], None, UNKNOWN_CAPACITY)
    first = timeline[0]["from"] if timeline else None
    commissioned = UNKNOWN_DATE if first is None else f"{first[8:10]}.{first[5:7]}.{first[:4]}"
    return {**document, "capacity_shown": capacity, "commissioned_shown": commissioned}


def cluster(document: dict[str, Any]) -> dict[str, Any]:
    """A cluster's JSON with each planned event's date as it reads (``on_shown``)."""
    planned = [{**p, "on_shown": planned_date(p["on"])} for p in document.get("planned", [])]
    return {**document, "planned": planned}
