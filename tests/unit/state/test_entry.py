import pytest
from hypothesis import given
from hypothesis import strategies as st

from krai.crypto.canonical import canonical_bytes
from krai.crypto.keys import Ed25519PrivateKey, key_id
from krai.state.entry import Entry, decode_entry
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError

KEY = Ed25519PrivateKey(bytes(32))


def transaction(title: str) -> Transaction:
    unsigned = Transaction(
        "o", "notary.anchor", 1, "7734250208", key_id(KEY.public_key), "n", {"title": title}
    )
    return sign(unsigned, KEY)


@given(st.integers(0, 2**40), st.integers(0, 2**45), st.text(max_size=30))
def test_assembled_entry_bytes_are_the_canonical_form(index: int, time_ms: int, title: str) -> None:
    entry = Entry(index, time_ms, tx=transaction(title))
    assert entry.encode() == canonical_bytes(entry.to_json())
    assert decode_entry(entry.encode()) == entry


def test_non_canonical_entry_bytes_are_refused() -> None:
    data = Entry(3, 5, tx=transaction("x")).encode()
    with pytest.raises(RejectedError, match="canonical"):
        decode_entry(data.replace(b'{"index":3,', b'{ "index":3,'))


def test_genesis_only_at_index_zero() -> None:
    assert decode_entry(Entry(0, 1, genesis={"origin": "o"}).encode()).genesis == {"origin": "o"}
    with pytest.raises(RejectedError):
        decode_entry(canonical_bytes({"v": 1, "index": 4, "time_ms": 1, "genesis": {}}))
