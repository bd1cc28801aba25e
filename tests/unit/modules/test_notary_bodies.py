"""The notary anchor's faster body decoder gives ``decode_message``'s message or refusal."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from krai.modules.notary.bodies import decode_anchor
from krai.modules.notary.messages import Anchor
from krai.state.messages import decode_message
from krai.tx.errors import RejectedError

HEX = "0123456789abcdef"
texts = st.one_of(
    st.text(max_size=3),
    st.text(alphabet=HEX, min_size=63, max_size=65),
    st.text(alphabet=HEX + "AF", min_size=64, max_size=64),
    st.builds(lambda n: "x" * n, st.sampled_from([0, 1, 199, 200, 201, 499, 500, 501])),
    st.sampled_from(["report", "agreement", "other", "Report", "decision ", "a" * 64]),
)
values = st.one_of(texts, st.none(), st.booleans(), st.integers(-2, 2), st.lists(texts, max_size=1))
bodies = st.dictionaries(
    st.sampled_from(["sha256", "title", "kind", "reference", "extra", "TYPE"]), values, max_size=5
)


def outcome(decode: Any, body: Any) -> Any:
    try:
        return ("decoded", decode(body))
    except RejectedError as error:
        return ("refused", error.code, str(error))


@settings(max_examples=600)
@given(
    st.one_of(
        bodies,
        st.fixed_dictionaries(
            {"sha256": st.text(alphabet=HEX, min_size=64, max_size=64), "title": texts},
            optional={"kind": texts, "reference": st.one_of(texts, st.none())},
        ),
        st.lists(texts, max_size=2),
        st.none(),
    )
)
def test_the_fast_decoder_agrees_with_decode_message(body: Any) -> None:
    assert outcome(decode_anchor, body) == outcome(lambda b: decode_message(Anchor, b), body)


def test_the_usual_body_is_decoded_and_a_bad_one_refused_in_the_general_words() -> None:
    body = {"sha256": "ab" * 32, "title": "Договор", "kind": "agreement", "reference": "Д-1"}
    assert decode_anchor(body) == Anchor("ab" * 32, "Договор", "agreement", "Д-1")
    refused = outcome(decode_anchor, {**body, "reference": ""})
    assert refused[0] == "refused" and "body.reference has length 0" in refused[2]
