"""Organisation identifiers of other jurisdictions (ADR 0026): each scheme's check digits,
its textual form, and the country it belongs to; region codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krai.demo.identifiers import synthetic_lei, synthetic_unp, synthetic_uscc
from krai.modules.identity.identifiers import (
    country_problem,
    is_country_code,
    is_valid_foreign_id,
    is_valid_organisation_id,
    scheme_country,
)
from krai.modules.parks.regions import RUSSIAN_SUBJECT_CODES, is_region_id


@pytest.mark.parametrize(
    "identifier",
    [
        "BY-UNP:200988541",  # a legal entity (python-stdnum's example)
        "BY-UNP:MA1953684",  # an individual: letters in the first two places
        "CN-USCC:91110000600037341L",
        "LEI:213800KUD8LAJWSQ9D15",
        "7734250208",  # an INN is an organisation identifier as it always was
        "123456789047",
    ],
)
def test_valid_organisation_identifiers(identifier: str) -> None:
    assert is_valid_organisation_id(identifier)


@pytest.mark.parametrize(
    "identifier",
    [
        "BY-UNP:200988542",  # check digit off by one
        "CN-USCC:91110000600037341M",
        "LEI:213800KUD8LAJWSQ9D16",
        "LEI:213800KUD8LXJWSQ9D15",  # a changed character the check digits catch
        "BY-UNP:20098854",  # too short
        "BY-UNP:200 988 541",  # not compact
        "BY-UNP:УНП200988541",  # not compact: stdnum would strip the prefix
        "LEI:213800kud8lajwsq9d15",  # lower case is not the compact form
        "LEI:1111111111111111121",  # MOD 97-10 holds, but an LEI has 20 characters
        "CN-USCC:A1110000600037341L",
        "RU-INN:7734250208",  # no such scheme: an INN is written bare
        "UNP:200988541",  # the scheme names its country
        "200988541",
        "7734250209",
        "",
    ],
)
def test_invalid_organisation_identifiers(identifier: str) -> None:
    assert not is_valid_organisation_id(identifier)


@pytest.mark.parametrize("name", ["Великий камень", "Ebang Communication", "", "x" * 300])
def test_synthetic_identifiers_carry_valid_check_digits(name: str) -> None:
    for make in (synthetic_unp, synthetic_uscc, synthetic_lei):
        assert is_valid_foreign_id(make(name)), make(name)


@given(st.text(min_size=1, max_size=40))
def test_every_synthetic_unp_is_valid(name: str) -> None:
    assert is_valid_foreign_id(synthetic_unp(name))


def test_a_scheme_belongs_to_its_country_and_the_lei_to_none() -> None:
    assert scheme_country("BY-UNP:200988541") == "BY"
    assert scheme_country("CN-USCC:91110000600037341L") == "CN"
    assert scheme_country("LEI:213800KUD8LAJWSQ9D15") is None
    assert scheme_country("7734250208") == "RU"


@pytest.mark.parametrize(
    ("identifier", "country", "problem"),
    [
        ("BY-UNP:200988541", "BY", None),
        ("CN-USCC:91110000600037341L", "CN", None),
        ("LEI:213800KUD8LAJWSQ9D15", "CY", None),
        ("LEI:213800KUD8LAJWSQ9D15", "US", None),
        ("BY-UNP:200988541", "CN", "is an identifier of BY, not CN"),
        ("CN-USCC:91110000600037341L", "BY", "is an identifier of CN, not BY"),
        ("LEI:213800KUD8LAJWSQ9D15", "RU", "admitted by its INN and OGRN"),
    ],
)
def test_the_stated_country_must_be_the_schemes(
    identifier: str, country: str, problem: str | None
) -> None:
    found = country_problem(identifier, country)
    assert found == problem if problem is None else problem in str(found)


@pytest.mark.parametrize(("code", "assigned"), [("BY", True), ("CY", True), ("ZZ", False)])
def test_country_codes_are_iso_3166_1(code: str, assigned: bool) -> None:
    assert is_country_code(code) is assigned


@pytest.mark.parametrize("region", ["RU-24", "RU-14", "RU-77", "RU-91", "BY-MI", "BY-HM", "CN-GD"])
def test_regions_in_force(region: str) -> None:
    assert is_region_id(region)


@pytest.mark.parametrize(
    "region",
    [
        "BY-ZZ",  # not an ISO 3166-2 subdivision
        "RU-00",
        "RU-84",  # Taymyr, merged into Krasnoyarsk Krai in 2007
        "RU-99",  # Baikonur: a code, not a subject
        "RU-KYA",  # ISO's form of Krasnoyarsk Krai: a region has one key, RU-24
        "RU-4",
        "ZZ-01",
        "by-mi",
    ],
)
def test_regions_refused(region: str) -> None:
    assert not is_region_id(region)


def test_the_list_holds_the_subjects_in_force() -> None:
    codes = set(RUSSIAN_SUBJECT_CODES)
    assert len(codes) == 89
    assert {"80", "81", "82", "84", "85", "88", "99"}.isdisjoint(codes)
