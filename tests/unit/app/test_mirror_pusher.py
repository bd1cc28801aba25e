"""The log's side of tlog-mirror: what it sends, a mirror that is down tried again after a
doubling, bounded back-off (and shown), and only a verifying cosignature kept."""

import json
from collections.abc import Mapping

from tests.unit.app.test_cosigning import ORIGIN, Ledger, MemoryCosignedStore

from krai.app.cosigning import WitnessReply, WitnessUnreachableError
from krai.app.mirror_push import (
    FIRST_RETRY_MS,
    MAX_RETRY_MS,
    STATUS_FILE,
    Mirror,
    MirrorPusher,
    read_mirror_states,
)
from krai.log.mirror import parse_add_entries
from krai.log.note import CosignatureSigner, parse_note
from krai.log.witness import parse_add_checkpoint

SIGNER = CosignatureSigner("mirror.example/m1", bytes([21]) * 32)
IMPOSTOR = CosignatureSigner("mirror.example/m1", bytes([22]) * 32)
MIRROR = Mirror("m1", "http://m1/mirror", SIGNER.verifier)


class Files:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def read(self, name: str) -> bytes | None:
        return self.files.get(name)

    def write(self, name: str, data: bytes) -> None:
        self.files[name] = data

    def remove(self, name: str) -> None:
        self.files.pop(name, None)

    def store_alarm(self, name: str, files: Mapping[str, bytes]) -> str:
        raise AssertionError("no alarm here")

    def alarms(self) -> list[tuple[str, bytes]]:
        return []


class StoppedClock:
    now = 1_764_000_000_000

    def now_ms(self) -> int:
        return self.now


class FakeMirror:
    """Answers as a mirror that holds nothing yet, cosigning with ``signer``."""

    def __init__(self, signer: CosignatureSigner) -> None:
        self.signer, self.down, self.bodies = signer, False, list[tuple[str, bytes]]()
        self.note = ""

    def add_checkpoint(self, url: str, body: bytes) -> WitnessReply:
        self._reach(url, "add-checkpoint", body)
        request = parse_add_checkpoint(body)
        assert request.old_size == 0 and request.origin == ORIGIN
        self.note = request.note.text
        return WitnessReply(200, "")

    def add_entries(self, url: str, body: bytes) -> WitnessReply:
        self._reach(url, "add-entries", body)
        parsed = parse_add_entries(body)
        assert (parsed.header.upload_start, parsed.header.upload_end) == (0, 300)
        assert [len(p.entries) for p in parsed.packages] == [256, 44]
        return WitnessReply(200, self.signer.sign(self.note, 1_764_000_000).line())

    def _reach(self, url: str, name: str, body: bytes) -> None:
        if self.down:
            raise WitnessUnreachableError(f"{url} is down")
        self.bodies.append((name, body))


def _pusher(mirror: FakeMirror) -> tuple[MirrorPusher, MemoryCosignedStore, StoppedClock, Files]:
    ledger, store, clock, files = Ledger(), MemoryCosignedStore(), StoppedClock(), Files()
    ledger.grow(300)
    latest = ledger.storage.latest_checkpoint()
    assert latest is not None
    pusher = MirrorPusher(
        ledger.storage,
        store=store,
        client=mirror,
        mirrors=[MIRROR],
        clock=clock,
        published=lambda: (latest.size, latest.note),
        files=files,
    )
    return pusher, store, clock, files


def test_a_mirror_that_is_down_is_retried_after_a_doubling_bounded_back_off() -> None:
    mirror = FakeMirror(SIGNER)
    mirror.down = True
    pusher, store, clock, files = _pusher(mirror)
    waits = []
    for _ in range(10):
        (state,) = pusher.round()
        waits.append(state.retry_at_ms - clock.now)
        assert pusher.round()[0].failures == state.failures  # not tried before its time
        clock.now = state.retry_at_ms
    assert waits[:4] == [FIRST_RETRY_MS, 2 * FIRST_RETRY_MS, 4 * FIRST_RETRY_MS, 8000]
    assert max(waits) == MAX_RETRY_MS == waits[-1]
    shown = read_mirror_states(files)
    assert shown is not None and shown[0]["failures"] == 10 and "down" in shown[0]["error"]
    assert store.cosigned_at(300) is None

    mirror.down = False
    (state,) = pusher.round()
    assert (state.cosigned_size, state.failures, state.error) == (300, 0, None)
    cosigned = store.cosigned_at(300)
    assert cosigned is not None and cosigned.cosignatures == 0  # a mirror is not a witness
    assert [line.name for line in parse_note(cosigned.note).signatures] == [ORIGIN, SIGNER.name]
    assert json.loads(files.files[STATUS_FILE])[0]["cosigned_size"] == 300
    mirror.bodies.clear()
    pusher.round()
    assert mirror.bodies == []  # the published note carries its line: nothing to push


def test_an_answer_by_another_key_is_not_a_cosignature() -> None:
    pusher, store, _, _ = _pusher(FakeMirror(IMPOSTOR))
    (state,) = pusher.round()
    assert state.failures == 1 and state.error is not None and "no valid" in state.error
    assert store.cosigned_at(300) is None
