"""Organisation identifiers: a Russian INN, or a foreign identifier ``<scheme>:<value>``.

An INN is written as its 10 or 12 digits, exactly as before (``model.is_valid_inn``). A
foreign organisation is identified in its scheme's register, written ``<scheme>:<value>``
with the value in the scheme's compact form (upper-case letters and digits, no spaces):

- ``BY-UNP``: Belarus payer account number (УНП), 9 characters; check digit a weighted sum
  mod 11 (``stdnum.by.unp``).
- ``CN-USCC``: China's unified social credit code (GB 32100-2015), 18 characters; check
  character a weighted sum mod 31 (``stdnum.cn.uscc``).
- ``LEI``: Legal Entity Identifier (ISO 17442), 20 characters, global; check digits ISO 7064
  MOD 97-10 (``stdnum.lei``).

A scheme run by one country belongs to it (``BY-UNP`` to BY); the LEI is global, so a
foreign organisation's country (ISO 3166-1 alpha-2) is stated beside its identifier at
admission. A check digit catches typing errors only (docs/spec/identifiers.md). ADR 0026.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import lei
from stdnum.by import unp
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from krai.modules.identity.model import is_valid_inn

RUSSIA = "RU"


@dataclass(frozen=True)
class Scheme:
    """A foreign register of organisations: its country (None if global) and validator."""

    country: str | None
    validate: Callable[[str], str]
    pattern: str


SCHEMES: dict[str, Scheme] = {
    "BY-UNP": Scheme("BY", unp.validate, r"[0-9A-Z]{2}[0-9]{7}"),
    "CN-USCC": Scheme("CN", uscc.validate, r"[0-9]{8}[0-9A-Z]{10}"),
    "LEI": Scheme(None, lei.validate, r"[0-9A-Z]{18}[0-9]{2}"),
}
INN_PATTERN = r"[0-9]{10}|[0-9]{12}"
FOREIGN_ID_PATTERN = "|".join(f"{name}:{scheme.pattern}" for name, scheme in SCHEMES.items())
ORGANISATION_ID_PATTERN = f"{INN_PATTERN}|{FOREIGN_ID_PATTERN}"
"""Every organisation identifier matches this; the check digits are checked apart."""


def split_foreign_id(text: str) -> tuple[str, str] | None:
    """``(scheme, value)`` of a foreign identifier of a known scheme, else None."""
    scheme, colon, value = text.partition(":")
    if not colon or scheme not in SCHEMES:
        return None
    return scheme, value


def is_valid_foreign_id(text: str) -> bool:
    """Whether ``text`` is ``<scheme>:<value>`` of a known scheme, its value of the scheme's form
    (compact) and with valid check digits."""
    parts = split_foreign_id(text)
    if parts is None:
        return False
    scheme, value = parts
    if not re.fullmatch(SCHEMES[scheme].pattern, value):
        return False
    try:
        return SCHEMES[scheme].validate(value) == value
    except ValidationError:
        return False


def is_valid_organisation_id(text: str) -> bool:
    """Whether ``text`` is a valid INN or a valid foreign identifier."""
    return is_valid_inn(text) or is_valid_foreign_id(text)


def scheme_country(text: str) -> str | None:
    """The country an identifier's scheme belongs to: RU for an INN, None for an LEI."""
    parts = split_foreign_id(text)
    if parts is None:
        return RUSSIA
    return SCHEMES[parts[0]].country


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code (per ``pycountry``, imported
    here: its tables take longer to load than the rest of the module, and a replay of a log
    that admits no foreign organisation never asks)."""
    import pycountry  # noqa: PLC0415 - on demand, as above

    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def country_problem(organisation: str, country: str) -> str | None:
    """Why ``country`` cannot be the country of the foreign ``organisation``, or None."""
    if country == RUSSIA:
        return "a Russian organisation is admitted by its INN and OGRN"
    expected = scheme_country(organisation)
    if expected is not None and expected != country:
        return f"{organisation} is an identifier of {expected}, not {country}"
    return None
