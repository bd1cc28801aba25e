"""Parts of one computation in forked processes, each sending back what it found.

Each part is a process forked from this one: it inherits everything read before the fork (no
copying, no pickling of the inputs), runs ``work(part)``, writes its pickled answer — or the
error it raised — to a file of its own in memory, says so on a pipe of its own and ends at once
(``os._exit``: no clean-up of the inherited state, no flushing of the parent's buffers). The
parent meanwhile does its own share, then reads each answer and reaps each process. A part
writes its answer whole without waiting for the parent to read it: a large answer does not
hold the part up while the parent is busy, and costs the parent only its reading. Lighter than
``multiprocessing.Pool``: no worker processes waiting for tasks, no handler threads, nothing
to shut down.
"""

import os
import pickle
import select
import signal
import tempfile
from collections.abc import Callable
from typing import Any


class PartEndedError(RuntimeError):
    """A part's process ended without sending an answer (killed, or its answer unpicklable)."""


class Forked:
    """``count`` parts of ``work`` running in forked processes (POSIX ``fork`` only); its
    ``close`` reaps them, and must be called (``with Forked(...) as parts``)."""

    def __init__(self, count: int, work: Callable[[int], Any]) -> None:
        self._running: list[tuple[int, int, int]] = []
        """Each part's process id, the reading end of its pipe and its answer's file, until
        answered."""
        self._answered: list[int] = []
        """The process ids of the parts that answered, not yet reaped."""
        try:
            for part in range(count):
                self._running.append(_fork(part, work))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "Forked":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def ready(self) -> bool:
        """Whether the next part's answer (or its end) can be read without waiting."""
        if not self._running:
            return True
        readable, _, _ = select.select([self._running[0][1]], [], [], 0)
        return bool(readable)

    def answers(self) -> list[Any]:
        """Every part's answer in the order of the parts; a part's error is raised here. A
        part that answered is reaped by ``close``, not waited for here while it ends."""
        answers = []
        while self._running:
            pid, reader, answer = self._running.pop(0)
            self._answered.append(pid)
            answers.append(_answer(pid, reader, answer))
        return answers

    def close(self) -> None:
        """Reap every part: those that answered, and those still running (after an error in
        this process), stopped first."""
        while self._running:
            pid, reader, answer = self._running.pop()
            os.close(reader)
            os.close(answer)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        while self._answered:
            os.waitpid(self._answered.pop(), 0)


def _fork(part: int, work: Callable[[int], Any]) -> tuple[int, int, int]:
    answer = _answer_file()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the part's process: it never returns from here
        os.close(reader)
        _run_part(part, work, writer, answer)
    os.close(writer)
    return pid, reader, answer


def _answer_file() -> int:
    """A file in memory for a part's answer (an unnamed temporary file where there is none)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("krai-part-answer", os.MFD_CLOEXEC)
    with tempfile.TemporaryFile() as file:
        return os.dup(file.fileno())


def _run_part(part: int, work: Callable[[int], Any], writer: int, answer_file: int) -> None:
    code = 1
    try:
        try:
            answer: tuple[bool, Any] = (True, work(part))
            code = 0
        except BaseException as error:
            answer = (False, _sendable(error))
        with os.fdopen(answer_file, "wb") as file:
            pickle.dump(answer, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.write(writer, ANSWERED)
    finally:
        os._exit(code)


ANSWERED = b"."
"""What a part writes on its pipe once its answer is whole in its file."""


def _sendable(error: BaseException) -> BaseException:
    """The error itself when it pickles, else a PartEndedError that says what it was."""
    try:
        pickle.dumps(error)
    except Exception:
        return PartEndedError(repr(error))
    return error


def _answer(pid: int, reader: int, answer_file: int) -> Any:
    with os.fdopen(reader, "rb") as pipe, os.fdopen(answer_file, "rb") as file:
        if pipe.read() != ANSWERED:  # the pipe ends when the part does
            raise PartEndedError(f"the part in process {pid} ended without an answer")
        file.seek(0)
        answered, value = pickle.load(file)  # noqa: S301 - from our own forked process
    if not answered:
        raise value
    return value
