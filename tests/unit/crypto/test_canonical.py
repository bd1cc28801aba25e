import pytest
from hypothesis import given
from hypothesis import strategies as st

from krai.crypto.canonical import MAX_SAFE_INTEGER, CanonicalFormError, canonical_bytes

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)


def test_keys_are_sorted_and_whitespace_removed() -> None:
    assert (
        canonical_bytes({"b": 1, "a": [True, None, "ж"]}) == '{"a":[true,null,"ж"],"b":1}'.encode()
    )


@pytest.mark.parametrize("value", [1.5, {"x": 0.0}, [1, float("nan")], {"deep": [{"f": 2.0}]}])
def test_floats_are_refused_anywhere(value: object) -> None:
    with pytest.raises(CanonicalFormError, match="float"):
        canonical_bytes(value)


def test_integers_beyond_two_to_the_53_are_refused() -> None:
    with pytest.raises(CanonicalFormError, match="2\\^53"):
        canonical_bytes({"amount_kopecks": 2**53})


@given(json_values)
def test_canonical_form_is_a_fixed_point(value: object) -> None:
    import json

    once = canonical_bytes(value)
    assert canonical_bytes(json.loads(once)) == once


@given(json_values)
def test_fast_path_equals_the_rfc8785_library(value: object) -> None:
    import rfc8785

    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(CanonicalFormError):
            canonical_bytes(value)
        return
    assert canonical_bytes(value) == expected


def test_control_characters_and_non_ascii_strings_match_rfc8785() -> None:
    import rfc8785

    value = {"t": '\u0000\u001f\b\f\n\r\t"\\\u007f ж 𝄞 \u2028', "ключ": 1, "a": -0}
    assert canonical_bytes(value) == rfc8785.dumps(value)
