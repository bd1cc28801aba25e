"""Synthetic INN, OGRN and foreign identifiers with valid check digits, derived from a name.

The demo's organisations are real names from the source texts, but their identifiers are
synthetic: derived deterministically from the name, never looked up. A foreign identifier is
``<scheme>:<value>`` (``krai.modules.identity.identifiers``); its check digits are computed
with python-stdnum, as the ledger checks them.
"""

import hashlib

from stdnum.by import unp
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.iso7064 import mod_97_10

from krai.modules.identity.model import INN10_WEIGHTS


def synthetic_inn(name: str) -> str:
    """A 10-digit legal-entity INN with a valid check digit."""
    body = _digits(name, "inn", 9)
    check = sum(w * int(d) for w, d in zip(INN10_WEIGHTS, body, strict=True)) % 11 % 10
    return body + str(check)


def synthetic_ogrn(name: str) -> str:
    """A 13-digit OGRN starting with 1, with a valid check digit."""
    body = "1" + _digits(name, "ogrn", 11)
    return body + str(int(body) % 11 % 10)


def synthetic_unp(name: str) -> str:
    """``BY-UNP:`` and a 9-digit Belarus UNP of a legal entity (Minsk, first digit 1)."""
    for attempt in range(100):
        body = "1" + _digits(f"{name}#{attempt}", "unp", 7)
        try:
            return f"BY-UNP:{body}{unp.calc_check_digit(body + '0')}"
        except InvalidChecksum:  # a remainder of 10 has no check digit: take the next body
            continue
    raise AssertionError("no UNP body with a check digit in 100 attempts")


def synthetic_uscc(name: str) -> str:
    """``CN-USCC:`` and an 18-character unified social credit code of a company (``91``)
    registered in Shenzhen (``440300``)."""
    body = "91440300" + _digits(name, "uscc", 9)
    return f"CN-USCC:{body}{uscc.calc_check_digit(body)}"


def synthetic_lei(name: str) -> str:
    """``LEI:`` and a 20-character LEI (ISO 17442) under a synthetic issuer prefix."""
    body = "9999" + "00" + _digits(name, "lei", 12)
    return f"LEI:{body}{mod_97_10.calc_check_digits(body)}"


def _digits(name: str, salt: str, count: int) -> str:
    digest = hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()
    digits = "".join(str(int(c, 16) % 10) for c in digest)
    return ("1" + digits)[:count] if digits[0] == "0" else digits[:count]
