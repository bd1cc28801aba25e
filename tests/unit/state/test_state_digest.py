"""``state_digest``: SHA-256 chained over every (key, value) in key order, each as the key's
length (4 bytes, big-endian), the key in UTF-8, the value's length and the value."""

import hashlib

from krai.state.store import state_digest


def chained(items: list[tuple[str, bytes]]) -> str:
    """The digest as its definition reads, written out here independently."""
    accumulator = b""
    for key, raw in items:
        encoded = key.encode("utf-8")
        record = len(encoded).to_bytes(4, "big") + encoded + len(raw).to_bytes(4, "big") + raw
        accumulator = hashlib.sha256(accumulator + record).digest()
    return accumulator.hex() if accumulator else hashlib.sha256(b"").hexdigest()


def test_the_digest_is_the_chain_of_each_record_with_its_lengths() -> None:
    items = [
        ("identity/org/7707083893", b'{"inn":"7707083893"}'),
        ("ledger/nonce/7707083893/n-1", b'{"index":1}'),
        ("notary/document/" + "ab" * 32, b"x" * 300),
        ("парк/ключ", b'{"v":"\xd0\xb6"}'),
    ]
    assert state_digest(iter(items)) == chained(items)
    assert state_digest(iter(items[:1])) == chained(items[:1])
    assert state_digest(iter(items)) != state_digest(iter(items[:3]))


def test_the_empty_state_digests_as_no_bytes() -> None:
    assert state_digest(iter([])) == hashlib.sha256(b"").hexdigest()
