"""After an upgrade whose rules keep new state, the stored state is derived again from the log:
exactly the replayed state, in one commit, the log untouched."""

import pytest
from tests.unit.app import ledgers

from krai.app.ports import Batch
from krai.app.rebuild import RebuildReport, rebuild_state
from krai.app.verify import VerificationError
from krai.bootstrap import new_engine, scratch_state
from krai.state.store import DELETED


@pytest.mark.parametrize("memory_bytes", [None, 0, 300])
def test_a_state_that_drifted_from_the_log_is_made_the_replayed_one_again(
    memory_bytes: int | None,
) -> None:
    """In memory, or replayed into a scratch database (every write on disk, or some)."""

    def rebuilt() -> RebuildReport:
        if memory_bytes is None:
            return rebuild_state(storage, new_engine)
        return rebuild_state(storage, new_engine, scratch=scratch_state, memory_bytes=memory_bytes)

    sequencer, storage = ledgers.founded(0)
    sequencer.submit([ledgers.anchor(n) for n in range(5)])
    good = dict(storage.scan_bytes(""))
    log = [e.data for e in storage.entries(0, storage.log_size())]
    some, other = sorted(good)[:2]
    drift = {some: DELETED, other: b'{"changed":true}', "stray/key": b"{}"}
    storage.append_batch(Batch([], [], drift, [], checkpoint=None))
    with pytest.raises(VerificationError, match="rebuild-state"):
        ledgers.verified(storage)
    report = rebuilt()
    assert (report.entries, report.written, report.deleted) == (6, 2, 1)
    assert dict(storage.scan_bytes("")) == good
    assert [e.data for e in storage.entries(0, storage.log_size())] == log
    assert ledgers.verified(storage).state_digest == report.state_digest
    assert rebuilt().written == 0  # idempotent
