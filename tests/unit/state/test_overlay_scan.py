"""An overlay's scan equals the naive merge of its base and its writes, in key order."""

from hypothesis import given
from hypothesis import strategies as st

from krai.state.store import DELETED, MemoryState, Overlay, encode_value

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
