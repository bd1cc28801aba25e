"""``krai verify`` with signatures checked on worker processes and the state spilled to disk:
the same report, and the first bad entry still named by its own index."""

import base64
from collections.abc import Iterable, Iterator

import orjson
import pytest
from tests.unit.app import ledgers
from tests.unit.app.ledgers import LOG_SIGNER, ORIGIN

from krai.adapters.memory.storage import MemoryStorage
from krai.adapters.sql.scratch import SqliteScratchState
from krai.app import verify
from krai.app.verify import VerificationError, VerifyReport, verify_ledger, verify_stored
from krai.bootstrap import new_engine
from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.state.store import state_digest

ENTRIES = 61
"""Anchors in the test log: several requests of signatures with ``CHECKS_PER_REQUEST`` 4."""


@pytest.fixture(autouse=True)
def small_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests of 4 signatures, so that 61 entries make many and the workers fall behind."""
    monkeypatch.setattr(verify, "CHECKS_PER_REQUEST", 4)


@pytest.fixture(scope="module")
def storage() -> MemoryStorage:
    sequencer, storage = ledgers.founded()
    ledgers.grow(sequencer, 0, ENTRIES, batch=10)
    return storage


def entries_of(storage: MemoryStorage) -> list[bytes]:
    return [e.data for e in storage.entries(0, storage.log_size())]


def checkpoints_of(storage: MemoryStorage) -> dict[int, str]:
    return {c.size: c.note for c in storage.checkpoints(storage.log_size() + 1)}


def checked(
    entries: Iterable[bytes], checkpoints: dict[int, str], workers: int = 1, memory_bytes: int = 0
) -> VerifyReport:
    return verify_ledger(
        entries,
        checkpoints,
        origin=ORIGIN,
        verifier=LOG_SIGNER.verifier,
        new_engine=new_engine,
        workers=workers,
        scratch=SqliteScratchState,
        memory_bytes=memory_bytes,
    )


def with_signature_of(data: bytes, other: bytes) -> bytes:
    """Entry ``data`` carrying the (well-formed, wrong) signature of entry ``other``."""
    entry, donor = orjson.loads(data), orjson.loads(other)
    assert entry["tx"]["sig"] != donor["tx"]["sig"]
    return data.replace(entry["tx"]["sig"].encode(), donor["tx"]["sig"].encode())


def test_workers_and_disk_give_the_report_of_one_process_in_memory(
    storage: MemoryStorage,
) -> None:
    alone = ledgers.verified(storage)
    parallel = verify_stored(
        storage,
        origin=ORIGIN,
        verifier=LOG_SIGNER.verifier,
        new_engine=new_engine,
        workers=2,
        scratch=SqliteScratchState,
        memory_bytes=2_000,
    )
    assert parallel == alone
    assert alone.state_digest == state_digest(storage.scan_bytes(""))


@pytest.mark.parametrize("bad", [5, 30, ENTRIES])
def test_a_bad_signature_is_named_at_its_entry(storage: MemoryStorage, bad: int) -> None:
    entries = entries_of(storage)
    entries[bad] = with_signature_of(entries[bad], entries[bad - 1])
    with pytest.raises(VerificationError, match="signature does not verify") as raised:
        checked(entries, {})  # no checkpoint stops the replay: only the verdicts can
    assert raised.value.index == bad


def test_of_two_bad_signatures_the_first_is_named(storage: MemoryStorage) -> None:
    entries = entries_of(storage)
    entries[40] = with_signature_of(entries[40], entries[39])
    entries[9] = with_signature_of(entries[9], entries[8])
    with pytest.raises(VerificationError) as raised:
        checked(entries, checkpoints_of(storage))
    assert raised.value.index == 9


@pytest.mark.parametrize("chunk", [1, 3, 1_000])
def test_entries_applied_a_chunk_at_a_time_give_the_same_report_and_refusals(
    storage: MemoryStorage, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk's writes reach the state at its end: every entry still reads those before it
    (a nonce used earlier in the same chunk is refused), on disk or in memory."""
    monkeypatch.setattr(verify, "REPLAY_CHUNK", chunk)
    entries, checkpoints = entries_of(storage), checkpoints_of(storage)
    alone = ledgers.verified(storage)
    assert checked(entries, checkpoints) == alone
    assert checked(entries, checkpoints, memory_bytes=2_000) == alone
    entries[26] = entries[25].replace(b'{"index":25,', b'{"index":26,')  # its nonce used
    with pytest.raises(VerificationError, match="already used") as raised:
        checked(entries, {})
    assert raised.value.index == 26


def test_a_changed_entry_is_named_even_when_a_checkpoint_fails_later(
    storage: MemoryStorage,
) -> None:
    entries = entries_of(storage)
    entries[17] = entries[17].replace(b"Document 16", b"Document X6")  # anchor 16
    assert entries[17] != storage.entry(17).data  # type: ignore[union-attr]
    with pytest.raises(VerificationError, match="signature does not verify") as raised:
        checked(entries, checkpoints_of(storage))
    assert raised.value.index == 17


def test_a_checkpoint_whose_root_differs_is_named_at_its_last_entry(
    storage: MemoryStorage,
) -> None:
    checkpoints = checkpoints_of(storage)
    size = sorted(checkpoints)[len(checkpoints) // 2]
    checkpoints[size] = sign_checkpoint(Checkpoint(ORIGIN, size, bytes(32)), LOG_SIGNER)
    with pytest.raises(VerificationError, match=f"root for size {size} differs") as raised:
        checked(entries_of(storage), checkpoints)
    assert raised.value.index == size - 1


def test_an_entry_that_does_not_replay_is_named_with_workers(storage: MemoryStorage) -> None:
    entries = entries_of(storage)
    entries[25] = entries[24]  # a replayed transaction: index and nonce already used
    with pytest.raises(VerificationError) as raised:
        checked(entries, {})
    assert raised.value.index == 25


@pytest.mark.parametrize("bad", [3, 33])
def test_an_entry_that_does_not_decode_is_named_with_workers(
    storage: MemoryStorage, bad: int
) -> None:
    entries = entries_of(storage)
    entries[bad] = entries[bad].replace(b'"v":1}', b'"v":1 }')  # not the canonical form
    with pytest.raises(VerificationError, match="does not replay") as raised:
        checked(entries, checkpoints_of(storage))
    assert raised.value.index == bad


def test_an_error_of_the_source_comes_after_the_entries_read_before_it(
    storage: MemoryStorage,
) -> None:
    entries = entries_of(storage)
    entries[20] = with_signature_of(entries[20], entries[19])

    def source() -> Iterator[bytes]:
        yield from entries[:30]
        raise VerificationError("the source broke", 30)

    with pytest.raises(VerificationError) as raised:
        checked(source(), {})
    assert raised.value.index == 20


def test_the_signature_replaced_is_well_formed(storage: MemoryStorage) -> None:
    entries = entries_of(storage)
    changed = orjson.loads(with_signature_of(entries[3], entries[2]))
    assert len(base64.b64decode(changed["tx"]["sig"])) == 64


def changed_state(storage: MemoryStorage, change: str) -> Iterator[tuple[str, bytes]]:
    """The stored state with its middle record's value changed, left out, or one added."""
    records = list(storage.scan_bytes(""))
    key, raw = records[len(records) // 2]
    if change == "value":
        records[len(records) // 2] = (key, raw.replace(b"}", b',"x":1}', 1))
    elif change == "missing":
        del records[len(records) // 2]
    elif change == "extra":
        records.append(("zz/extra", b"{}"))
    else:
        records = records[:-1]
    return iter(records)


@pytest.mark.parametrize("change", ["value", "missing", "extra", "last missing"])
@pytest.mark.parametrize("per_chunk", [verify.STATE_PER_READ, 1, 3])
def test_stored_state_that_differs_by_one_record_is_refused(
    storage: MemoryStorage, change: str, per_chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the records are compared a chunk at a time of one, of a few, or all at once."""
    monkeypatch.setattr(verify, "STATE_PER_READ", per_chunk)
    entries, checkpoints = entries_of(storage), checkpoints_of(storage)
    kept = verify_ledger(
        entries,
        checkpoints,
        origin=ORIGIN,
        verifier=LOG_SIGNER.verifier,
        new_engine=new_engine,
        expected_state=storage.scan_bytes(""),
    )
    assert kept.state_digest == state_digest(storage.scan_bytes(""))
    with pytest.raises(VerificationError, match="stored state differs"):
        verify_ledger(
            entries,
            checkpoints,
            origin=ORIGIN,
            verifier=LOG_SIGNER.verifier,
            new_engine=new_engine,
            expected_state=changed_state(storage, change),
        )


@pytest.mark.parametrize("finish_fails", ["state differs", "checkpoint beyond"])
def test_a_bad_signature_still_being_checked_comes_before_what_the_finish_finds(
    storage: MemoryStorage, finish_fails: str
) -> None:
    """The workers' last requests are checked while the state is compared (ADR 0048): a bad
    signature among them is still the error named."""
    entries = entries_of(storage)
    entries[ENTRIES - 1] = with_signature_of(entries[ENTRIES - 1], entries[ENTRIES - 2])
    checkpoints = {k: v for k, v in checkpoints_of(storage).items() if k < ENTRIES}
    expected = storage.scan_bytes("")
    if finish_fails == "state differs":
        expected = changed_state(storage, "value")
    else:
        size = len(entries) + 1
        checkpoints[size] = sign_checkpoint(Checkpoint(ORIGIN, size, bytes(32)), LOG_SIGNER)
    with pytest.raises(VerificationError, match="signature does not verify") as raised:
        verify_ledger(
            entries,
            checkpoints,
            origin=ORIGIN,
            verifier=LOG_SIGNER.verifier,
            new_engine=new_engine,
            expected_state=expected,
            workers=1,
        )
    assert raised.value.index == ENTRIES - 1
