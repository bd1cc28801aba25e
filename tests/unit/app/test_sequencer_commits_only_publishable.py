"""Whatever an in-process caller hands the sequencer, what it commits verifies and tiles.

The sequencer is the last place a transaction is checked before it becomes permanent: it
refuses what `krai verify` or a tile mirror would refuse later, whoever built the
transaction, and the refusal leaves no trace.
"""

import base64
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.app import ledgers
from tests.unit.app.ledgers import LOG_SIGNER, ORIGIN

from krai.adapters.memory.storage import MemoryStorage
from krai.app.sequencer import Receipt, Sequencer
from krai.app.tiles import entry_bundle
from krai.app.verify import VerificationError, verify_ledger
from krai.bootstrap import new_engine
from krai.crypto.keys import Ed25519PrivateKey, encode_public_key, key_id
from krai.state.entry import MAX_ENTRY_BYTES, Entry, decode_entry
from krai.tx.envelope import MAX_TRANSACTION_BYTES, Transaction, sign
from krai.tx.errors import Code, RejectedError

PARK_KEY = Ed25519PrivateKey(bytes([2]) * 32)
PARK_INN, PARK_OGRN = "1234567894", "1022200525819"


def founded() -> tuple[Sequencer, MemoryStorage]:
    sequencer, storage = ledgers.founded(0)
    admit = {
        "inn": PARK_INN,
        "ogrn": PARK_OGRN,
        "name": "Park",
        "roles": ["park_operator"],
        "public_key": encode_public_key(PARK_KEY.public_key),
    }
    governor_inn, _, governor_key = ledgers.GOVERNOR
    governor_key_id = key_id(governor_key.public_key)
    admission = "identity.propose_admission"
    unsigned = Transaction(ORIGIN, admission, 1, governor_inn, governor_key_id, "admit", admit)
    [receipt] = sequencer.submit([sign(unsigned, governor_key)])
    assert isinstance(receipt, Receipt)
    return sequencer, storage


def anchor_body(title: str) -> dict[str, Any]:
    return {"sha256": "ab" * 32, "title": title, "kind": "report"}


def unsigned_anchor(title: str, nonce: str = "n-1") -> Transaction:
    return Transaction(
        ORIGIN, "notary.anchor", 1, PARK_INN, key_id(PARK_KEY.public_key), nonce, anchor_body(title)
    )


def sound(storage: MemoryStorage) -> int:
    entries = ledgers.verified(storage).entries
    entry_bundle(storage, 0, storage.log_size())  # every entry fits a C2SP entry bundle
    return entries


def test_a_transaction_over_the_limit_cannot_be_signed() -> None:
    with pytest.raises(RejectedError) as refused:
        sign(unsigned_anchor("x" * MAX_TRANSACTION_BYTES), PARK_KEY)
    assert refused.value.code == Code.OVERSIZE
    assert str(MAX_TRANSACTION_BYTES) in refused.value.message


def test_an_oversize_transaction_built_around_sign_is_refused_and_leaves_no_trace() -> None:
    sequencer, storage = founded()
    huge = unsigned_anchor("x" * 70_000)
    real_sig = base64.b64encode(PARK_KEY.sign(huge.signing_message())).decode()
    bypassing = Transaction(**{**huge.unsigned_fields(), "sig": real_sig})
    before = (storage.log_size(), dict(storage.scan_bytes("")))
    [outcome] = sequencer.submit([bypassing])
    assert isinstance(outcome, RejectedError)
    assert outcome.code == Code.OVERSIZE
    assert (storage.log_size(), dict(storage.scan_bytes(""))) == before
    [accepted] = sequencer.submit([sign(unsigned_anchor("fits"), PARK_KEY)])
    assert isinstance(accepted, Receipt)
    assert sound(storage) == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nonce", "statement:" + "s" * 60),
        ("nonce", "with space"),
        ("nonce", ""),
        ("key_id", "k"),
        ("type", "Notary.Anchor"),
        ("version", -1),
        ("version", True),
        ("signer", ""),
        ("network", "n" * 201),
        ("body", ["not", "an", "object"]),
        ("v", 2),
        ("sig", "not base64!"),
    ],
)
def test_no_envelope_field_the_spec_refuses_can_be_built(field: str, value: object) -> None:
    fields = {**unsigned_anchor("t").unsigned_fields(), field: value}
    with pytest.raises(RejectedError) as refused:
        Transaction(**fields)
    assert refused.value.code in {Code.MALFORMED, Code.BAD_SIGNATURE}
    assert field in refused.value.message


def test_verify_names_an_entry_no_entry_bundle_can_hold() -> None:
    _, storage = founded()
    entries = [e.data for e in storage.entries(0, storage.log_size())]
    tx = unsigned_anchor("t").unsigned_fields()
    oversize = Entry(2, 0).to_json() | {"tx": {**tx, "sig": "A" * 86 + "=="}}
    entries.append(repr(oversize).encode() + b" " * MAX_ENTRY_BYTES)
    with pytest.raises(VerificationError, match=r"entry 2: .*oversize.*65535"):
        verify_ledger(
            entries, {}, origin=ORIGIN, verifier=LOG_SIGNER.verifier, new_engine=new_engine
        )


TEXT = st.text(st.characters(codec="utf-8"), max_size=80)
JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | TEXT
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    nonce=st.text(st.characters(codec="utf-8"), max_size=70) | st.from_regex(r"[a-z:.]{1,80}"),
    title=TEXT,
    extra=st.dictionaries(TEXT, JSON, max_size=3),
    padding=st.integers(0, 70_000),
)
def test_whatever_the_constructor_and_sequencer_accept_decodes_back_to_itself(
    nonce: str, title: str, extra: dict[str, Any], padding: int
) -> None:
    """The round trip `krai verify` makes: entry bytes → decode → the same bytes."""
    body = {**extra, **anchor_body(title + "p" * padding)}
    try:
        park_key_id = key_id(PARK_KEY.public_key)
        unsigned = Transaction(ORIGIN, "notary.anchor", 1, PARK_INN, park_key_id, nonce, body)
        tx = sign(unsigned, PARK_KEY)
        data = Entry(7, 1_700_000_000_000, tx=tx).committable_bytes()
    except RejectedError as refused:
        assert refused.code in {Code.MALFORMED, Code.OVERSIZE}
        return
    assert len(data) <= MAX_ENTRY_BYTES
    decoded = decode_entry(data)
    assert decoded.encode() == data
    assert decoded.tx is not None and decoded.tx.tx_id == tx.tx_id
