"""Synthetic INN and OGRN with valid check digits, derived from a name.

The demo's organisations are real names from the source texts, but their identifiers are
synthetic: derived deterministically from the name, never looked up.
"""

import hashlib

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


def _digits(name: str, salt: str, count: int) -> str:
    digest = hashlib.sha256(f"{salt}:{name}".encode()).hexdigest()
    digits = "".join(str(int(c, 16) % 10) for c in digest)
    return ("1" + digits)[:count] if digits[0] == "0" else digits[:count]
