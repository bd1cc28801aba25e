"""Parts in forked processes answer in order, raise their errors here, and never vanish
silently (``krai.app.forked``)."""

import os
import signal
import time

import pytest

from krai.app.forked import Forked, PartEndedError

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork only")


def test_each_part_answers_what_it_computed_in_its_own_process_in_order() -> None:
    parent = os.getpid()
    with Forked(3, lambda part: (part * part, os.getpid() != parent)) as forked:
        assert forked.answers() == [(0, True), (1, True), (4, True)]


def test_a_parts_error_is_raised_in_the_parent_and_the_others_are_reaped() -> None:
    def work(part: int) -> int:
        if part == 0:
            raise ValueError("a malformed record")
        return part

    forked = Forked(2, work)
    with pytest.raises(ValueError, match="a malformed record"):
        forked.answers()
    forked.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # nothing left to reap


def test_a_part_killed_before_answering_is_an_error_not_an_empty_answer() -> None:
    with (
        Forked(1, lambda part: os.kill(os.getpid(), signal.SIGKILL)) as forked,
        pytest.raises(PartEndedError, match="without an answer"),
    ):
        forked.answers()


def test_an_error_that_does_not_pickle_is_reported_by_its_description() -> None:
    class UnpicklableError(Exception):
        def __reduce__(self) -> tuple[object, ...]:
            raise TypeError("not here")

    def work(part: int) -> int:
        raise UnpicklableError(f"part {part}")

    with Forked(1, work) as forked, pytest.raises(PartEndedError, match="part 0"):
        forked.answers()


def test_a_part_writes_a_large_answer_whole_without_waiting_for_the_parent() -> None:
    answer = b"x" * (8 << 20)  # far more than a pipe holds
    with Forked(1, lambda part: answer) as forked:
        deadline = time.monotonic() + 30
        ended = None
        while ended is None and time.monotonic() < deadline:  # not read yet, nor reaped
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            time.sleep(0.01)
        assert ended is not None, "the part waited for its answer to be read"
        assert forked.answers() == [answer]


def test_a_part_is_ready_once_its_answer_can_be_read() -> None:
    reader, writer = os.pipe()

    def work(part: int) -> int:
        os.read(reader, 1)  # until the test lets it answer
        return part

    with Forked(1, work) as forked:
        assert not forked.ready()
        os.write(writer, b".")
        deadline = time.monotonic() + 30
        while not forked.ready() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert forked.ready()
        assert forked.answers() == [0]
        assert forked.ready()  # nothing left to wait for
    os.close(reader)
    os.close(writer)
