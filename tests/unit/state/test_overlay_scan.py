"""An overlay's scan equals the naive merge of its base and its writes, in key order; an
entry's writes are undone or kept whole."""

from hypothesis import given
from hypothesis import strategies as st

from krai.state.engine import Context, _claim_nonce, nonce_key
from krai.state.store import DELETED, MemoryState, Overlay, encode_value
from krai.tx.envelope import Transaction

keys = st.text(alphabet="ab/", min_size=1, max_size=4)
operations = st.lists(st.tuples(keys, st.booleans()), max_size=30)


@given(
    base_keys=st.lists(keys, max_size=15),
    ops=operations,
    prefix=st.text(alphabet="ab/", max_size=2),
)
def test_scans_see_the_writes_over_the_base(
    base_keys: list[str], ops: list[tuple[str, bool]], prefix: str
) -> None:
    base = MemoryState()
    base.apply_writes({key: encode_value({"base": key}) for key in base_keys})
    overlay = Overlay(base)
    expected = {key: encode_value({"base": key}) for key in base_keys}
    for number, (key, deleting) in enumerate(ops):
        if deleting:
            overlay.delete(key)
            expected.pop(key, None)
        else:
            overlay.put(key, {"n": number})
            expected[key] = encode_value({"n": number})
    wanted = sorted((k, v) for k, v in expected.items() if k.startswith(prefix) and v != DELETED)
    assert list(overlay.scan_bytes(prefix)) == wanted


@given(before=operations, during=operations, prefix=st.text(alphabet="ab/", max_size=2))
def test_a_rolled_back_entry_leaves_the_overlay_as_it_was(
    before: list[tuple[str, bool]], during: list[tuple[str, bool]], prefix: str
) -> None:
    overlay = Overlay(MemoryState())
    apply_ops(overlay, before, 0)
    writes, scan = dict(overlay.writes), list(overlay.scan_bytes(prefix))
    overlay.begin()
    apply_ops(overlay, during, 100)
    overlay.rollback()
    assert overlay.writes == writes and list(overlay.scan_bytes(prefix)) == scan


@given(before=operations, during=operations)
def test_a_committed_entry_returns_exactly_its_own_writes(
    before: list[tuple[str, bool]], during: list[tuple[str, bool]]
) -> None:
    overlay = Overlay(MemoryState())
    apply_ops(overlay, before, 0)
    overlay.begin()
    apply_ops(overlay, during, 100)
    written = overlay.commit()
    assert written == {key: overlay.writes[key] for key, _ in during}


def apply_ops(overlay: Overlay, ops: list[tuple[str, bool]], first: int) -> None:
    for number, (key, deleting) in enumerate(ops, first):
        if deleting:
            overlay.delete(key)
        else:
            overlay.put(key, {"n": number})


def test_the_engine_writes_a_nonce_record_as_encode_value_would() -> None:
    overlay = Overlay(MemoryState())
    tx = Transaction("n", "notary.anchor", 1, "7734250208", "0123456789abcdef", "nonce-1", {})
    _claim_nonce(Context(overlay, tx.signer, "t", 12_345, 0), tx)
    assert overlay.writes == {nonce_key(tx): encode_value({"index": 12_345})}


steps = st.lists(
    st.one_of(
        st.tuples(st.just("put"), keys),
        st.tuples(st.just("delete"), keys),
        st.tuples(st.just("scan"), st.text(alphabet="ab/", max_size=2)),
    ),
    max_size=12,
)


@given(entries=st.lists(st.tuples(steps, st.booleans()), max_size=6))
def test_scans_between_writes_and_rollbacks_see_exactly_the_kept_writes(
    entries: list[tuple[list[tuple[str, str]], bool]],
) -> None:
    """Keys written since the last scan are sorted in only when a scan needs them; whichever
    side of a scan a rolled-back key sits on, it is gone from later scans."""
    overlay = Overlay(MemoryState())
    kept: dict[str, bytes] = {}
    for number, (entry_steps, keep) in enumerate(entries):
        overlay.begin()
        current = dict(kept)
        for step, (kind, text) in enumerate(entry_steps):
            if kind == "put":
                overlay.put(text, {"n": number, "step": step})
                current[text] = encode_value({"n": number, "step": step})
            elif kind == "delete":
                overlay.delete(text)
                current[text] = DELETED
            else:
                wanted = sorted(
                    (k, v) for k, v in current.items() if k.startswith(text) and v != DELETED
                )
                assert list(overlay.scan_bytes(text)) == wanted
        if keep:
            overlay.commit()
            kept = current
        else:
            overlay.rollback()
        assert overlay.writes == kept
        assert list(overlay.scan_bytes("")) == sorted(
            (k, v) for k, v in kept.items() if v != DELETED
        )
