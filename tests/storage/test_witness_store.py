"""A witness's own database on SQLite and PostgreSQL: followed logs, the recorded checkpoint
changed only by a 200 verdict, conflicts kept once."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from krai.adapters.witness.store import SqlWitnessStore, UnknownLogError, open_witness_store
from krai.log.witness import FORK, Conflict, Recorded, Verdict

ORIGIN = "krai.example/witnessed"
RECORDED = Recorded(5, bytes([5]) * 32, "note of 5\n")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlWitnessStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'witness.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_witness_store(url)
    yield opened
    opened.close()


def conflict(presented_root: bytes) -> Conflict:
    return Conflict(
        FORK, ORIGIN, RECORDED, "other note of 5\n", 5, presented_root, 5, (bytes(32),), "why"
    )


def test_a_log_is_followed_with_its_keys(store: SqlWitnessStore) -> None:
    assert store.log(ORIGIN) is None
    store.add_log(ORIGIN, "key-1")
    state = store.add_log(ORIGIN, "key-2")
    assert store.add_log(ORIGIN, "key-1") == state
    assert state.vkeys == ("key-1", "key-2") and state.recorded is None
    assert [s.origin for s in store.logs()] == [ORIGIN]


def test_only_a_verdict_with_a_record_changes_the_recorded_checkpoint(
    store: SqlWitnessStore,
) -> None:
    store.add_log(ORIGIN, "key")
    seen: list[Recorded | None] = []

    def returning(verdict: Verdict) -> Callable[[Recorded | None], Verdict]:
        def decide(recorded: Recorded | None) -> Verdict:
            seen.append(recorded)
            return verdict

        return decide

    store.judge(ORIGIN, returning(Verdict(200, "line\n", record=RECORDED)), 100)
    store.judge(ORIGIN, returning(Verdict(409, "5\n")), 101)
    store.judge(ORIGIN, returning(Verdict(422, "no\n")), 102)
    assert seen == [None, RECORDED, RECORDED]
    state = store.log(ORIGIN)
    assert state is not None and state.recorded == RECORDED


def test_a_conflict_is_kept_once(store: SqlWitnessStore) -> None:
    store.add_log(ORIGIN, "key")
    for _ in range(3):
        store.judge(ORIGIN, lambda _: Verdict(422, "no\n", conflict=conflict(bytes(32))), 7)
    store.judge(ORIGIN, lambda _: Verdict(409, "5\n", conflict=conflict(bytes([1]) * 32)), 8)
    kept = store.conflicts()
    assert [(c.kind, c.presented_root[0], c.detected_s) for c in kept] == [
        (FORK, 0, 7),
        (FORK, 1, 8),
    ]
    assert kept[0].recorded_note == "note of 5\n" and kept[0].proof == (bytes(32),)


def test_an_unknown_origin_is_not_judged(store: SqlWitnessStore) -> None:
    with pytest.raises(UnknownLogError):
        store.judge("nobody", lambda _: Verdict(200, ""), 1)
