"""SNILS check digits and keyed pseudonyms (docs/spec/pseudonyms.md)."""

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krai.modules.payments.pseudonyms import (
    SNILS_CHECKED_ABOVE,
    InvalidSnilsError,
    dedup_key,
    is_valid_snils,
    normalise_snils,
    pseudonym,
    snils_check_digits,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))
SNILS = "11223344595"


@pytest.mark.parametrize(
    "snils",
    ["11223344595", "01024236877", "14848125585", "05686067192", "82098123300"],
)
def test_the_guides_valid_numbers_pass(snils: str) -> None:
    assert is_valid_snils(snils)


def check_sum(body: str) -> int:
    """S = Σ dᵢ·(10−i): the first digit ×9 … the ninth ×1."""
    return sum(int(digit) * (9 - position) for position, digit in enumerate(body))


@pytest.mark.parametrize(
    ("body", "total", "check"),
    [
        ("000000100", 3, 3),
        ("900000000", 81, 81),
        ("920000002", 99, 99),  # S < 100: the check is S
        ("920000003", 100, 0),  # S = 100: 00
        ("920000004", 101, 0),  # S = 101: 00
        ("920000005", 102, 1),  # S > 101: S mod 101
        ("999000000", 216, 14),
        ("820981233", 201, 0),  # S mod 101 = 100: 00
    ],
)
def test_check_numbers(body: str, total: int, check: int) -> None:
    assert check_sum(body) == total
    assert snils_check_digits(body) == check


@pytest.mark.parametrize(
    "text",
    [
        "11223344596",  # wrong check digits
        "11223344559",  # swapped check digits
        "21223344595",  # one body digit changed
        "1122334459",  # ten digits
        "112233445950",  # twelve digits
        "1122334459a",
        "",
        "112-233-44595",
        "112 233 445 95",
        "\uff11\uff11\uff12\uff12\uff13\uff13\uff14\uff14\uff15\uff19\uff15",  # full-width
    ],
)
def test_invalid_numbers_fail(text: str) -> None:
    assert not is_valid_snils(text)


def test_the_written_form_is_normalised() -> None:
    assert normalise_snils("112-233-445 95") == SNILS
    assert normalise_snils(" 112-233-445-95\n") == SNILS
    assert is_valid_snils("112-233-445 95")
    with pytest.raises(InvalidSnilsError):
        normalise_snils("112.233.445 95")


@pytest.mark.parametrize("snils", ["00100199800", "00100199899", "00000000117", "00000000000"])
def test_numbers_up_to_001_001_998_carry_no_check(snils: str) -> None:
    assert is_valid_snils(snils)


def test_the_first_checked_number_is_checked() -> None:
    body = "001001999"
    assert int(body) == SNILS_CHECKED_ABOVE + 1
    good = snils_check_digits(body)
    assert is_valid_snils(f"{body}{good:02d}")
    assert not is_valid_snils(f"{body}{(good + 1) % 100:02d}")


def test_a_pseudonym_is_the_documented_hmac() -> None:
    message = b"krai/pseudonym/v1\nkld.child-benefit\n11223344595"
    expected = "ps:" + hmac.new(KEY_A, message, hashlib.sha256).hexdigest()[:32]
    assert pseudonym(KEY_A, "kld.child-benefit", SNILS) == expected
    assert len(expected) == 35


def test_a_dedup_key_is_the_documented_hmac() -> None:
    message = b"krai/dedup/v1\n11223344595"
    expected = "dd:" + hmac.new(KEY_A, message, hashlib.sha256).hexdigest()[:32]
    assert dedup_key(KEY_A, SNILS) == expected


def test_a_pseudonym_is_stable_and_ignores_the_written_form() -> None:
    first = pseudonym(KEY_A, "kld.child-benefit", SNILS)
    assert pseudonym(KEY_A, "kld.child-benefit", "112-233-445 95") == first
    assert pseudonym(KEY_A, "kld.child-benefit", SNILS) == first


def test_pseudonyms_differ_per_programme_and_per_key() -> None:
    by_programme = {pseudonym(KEY_A, programme, SNILS) for programme in ("a", "b", "c")}
    assert len(by_programme) == 3
    assert pseudonym(KEY_B, "a", SNILS) != pseudonym(KEY_A, "a", SNILS)
    assert dedup_key(KEY_A, SNILS) not in by_programme


def test_a_pseudonym_is_not_a_hash_anyone_can_compute() -> None:
    """Without the key the pseudonym matches no unkeyed hash of the SNILS."""
    found = pseudonym(KEY_A, "a", SNILS)[3:]
    for text in (SNILS, "a\n" + SNILS, "krai/pseudonym/v1\na\n" + SNILS):
        for digest in (hashlib.sha256, hashlib.sha3_256, hashlib.blake2b):
            assert digest(text.encode()).hexdigest()[:32] != found


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InvalidSnilsError):
        pseudonym(KEY_A, "a", "11223344596")
    with pytest.raises(ValueError, match="32 bytes"):
        pseudonym(b"short", "a", SNILS)
    with pytest.raises(ValueError, match="programme id"):
        pseudonym(KEY_A, "a\nb", SNILS)
    with pytest.raises(ValueError, match="32 bytes"):
        dedup_key(b"", SNILS)


checked_bodies = st.integers(SNILS_CHECKED_ABOVE + 1, 999_999_999).map(lambda n: f"{n:09d}")


def with_check(body: str) -> str:
    return f"{body}{snils_check_digits(body):02d}"


@given(checked_bodies)
def test_numbers_given_their_computed_check_digits_validate(body: str) -> None:
    snils = with_check(body)
    assert is_valid_snils(snils)
    assert is_valid_snils(f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}")


ZERO_CLASS_NEIGHBOURS = {frozenset({100, 101}), frozenset({201, 202}), frozenset({302, 303})}
"""Sums one apart that both give 00: the rule's only blind spot for a single changed digit."""


def is_blind_spot(body: str, changed_body: str) -> bool:
    return frozenset({check_sum(body), check_sum(changed_body)}) in ZERO_CLASS_NEIGHBOURS


@given(checked_bodies, st.integers(0, 10), st.integers(1, 9))
def test_any_single_digit_change_is_caught(body: str, position: int, shift: int) -> None:
    """Above the threshold, changing one digit (body or check) leaves it invalid — except
    the ninth digit moving S between 100 and 101 (or 201/202, 302/303): all give 00."""
    digits = list(with_check(body))
    digits[position] = str((int(digits[position]) + shift) % 10)
    changed = "".join(digits)
    if int(changed[:9]) <= SNILS_CHECKED_ABOVE:
        return  # the change moved the body below the threshold: no check applies there
    assert is_valid_snils(changed) == is_blind_spot(body, changed[:9])


def test_every_single_digit_change_of_a_sample_is_caught_outside_the_blind_spot() -> None:
    """Exhaustive over all 99 single-digit changes of bodies of every check sum class."""
    bodies = ["112233445", "010242368", "148481255", "056860671", "820981233", "920000003"]
    for body in bodies:
        valid = with_check(body)
        for position in range(11):
            for shift in range(1, 10):
                digits = list(valid)
                digits[position] = str((int(digits[position]) + shift) % 10)
                changed = "".join(digits)
                expected = int(changed[:9]) <= SNILS_CHECKED_ABOVE or is_blind_spot(
                    body, changed[:9]
                )
                assert is_valid_snils(changed) == expected, changed


def test_the_blind_spot_exists_in_the_official_rule() -> None:
    """S = 100 and S = 101 both give 00, so 920-000-003 00 and 920-000-004 00 both pass."""
    assert is_valid_snils("92000000300")
    assert is_valid_snils("92000000400")


@given(checked_bodies, st.binary(min_size=32, max_size=64), st.binary(min_size=32, max_size=64))
def test_pseudonyms_of_different_keys_differ(body: str, key: bytes, other: bytes) -> None:
    if key == other:
        return
    snils = with_check(body)
    assert pseudonym(key, "p", snils) != pseudonym(other, "p", snils)
