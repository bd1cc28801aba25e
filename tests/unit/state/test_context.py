"""What a rule sees of its entry: the per-entry memo shared by validate and apply."""

from krai.state.engine import Context
from krai.state.store import MemoryState, Overlay


def context() -> Context:
    return Context(Overlay(MemoryState()), "7734250208", "00" * 32, 5, 1_000)


def test_once_computes_a_key_once_per_entry() -> None:
    calls: list[str] = []

    def compute() -> int:
        calls.append("computed")
        return len(calls)

    ctx = context()
    assert ctx.once(("due", "ps:1", "2026-01"), compute) == 1
    assert ctx.once(("due", "ps:1", "2026-01"), compute) == 1
    assert ctx.once(("due", "ps:1", "2026-02"), compute) == 2
    assert context().once(("due", "ps:1", "2026-01"), compute) == 3  # a new entry computes anew
