"""``krai energy clear``'s work without Typer or Rich: a book file read into columns, cleared,
and the result's JSON bytes. The command (``energy_clear``) and the launcher's plain path
(``launch``) both run it; a book that cannot be cleared raises ``BookNotClearedError`` with
the words and exit code the command prints and exits with."""

import ctypes
import mmap
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from krai.entrypoints.cli.exits import EXIT_REJECTED, EXIT_USAGE
from krai.modules.energy.book import BookColumns, book_columns, compiled_book_columns, decode_book
from krai.modules.energy.book_bytes import BookText
from krai.modules.energy.clearing import clear_columns
from krai.modules.energy.result import encoded_result_json
from krai.tx.errors import RejectedError
from krai.tx.strict_json import parse_strict_json


class BookNotClearedError(Exception):
    """The book cannot be read or cleared: ``message`` to print, ``code`` to exit with."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def cleared_json(path: Path, *, certificate: bool) -> bytes:
    """The clearing of the book at ``path`` as the JSON line ``--json`` prints."""
    columns = read_book(path)
    parts = 2 if len(columns.buy) >= _SPLIT_RESULT_ROWS else 1
    return encoded_result_json(
        clear_columns(columns), certificate=certificate, end=b"\n", parts=parts, run=on_threads
    )


_SPLIT_RESULT_ROWS = 10_000
"""A result of this many orders on (as a book of 1 MB) is written in two halves on two
threads."""


def read_book(path: Path) -> BookColumns:
    """The book's columns: msgspec's when it accepts the bytes, else the strict decoder's,
    which refuses with the message naming the first offending member (ADR 0030). A large
    file is read where it is mapped, not copied; if it changed meanwhile, it is read again
    into memory (ADR 0052)."""
    try:
        with path.open("rb") as file:
            mapped = _mapped(file)
            if mapped is not None:
                read = _read_or_refused(path, mapped)
                if not _changed(file, mapped.stamp):
                    return _returned(read)
    except OSError as error:
        raise _unreadable(path, error) from None
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error) from None
    return _book_columns(path, data)


def _unreadable(path: Path, error: OSError) -> BookNotClearedError:
    return BookNotClearedError(f"cannot read {path}: {error.strerror or error}", EXIT_USAGE)


def _book_columns(path: Path, data: BookText) -> BookColumns:
    """The columns of the book's bytes, or why it cannot be cleared."""
    if len(data) >= _LARGE_BOOK_BYTES:
        _keep_freed_memory()
    parts = 2 if len(data) >= _SPLIT_BOOK_BYTES else 1
    try:
        compiled = compiled_book_columns(data, parts=parts, run=on_threads)
        if compiled is not None:
            return compiled
        document = parse_strict_json(data if isinstance(data, bytes) else data[:])
        if not isinstance(document, dict):
            raise BookNotClearedError(f"{path}: the book must be a JSON object", EXIT_REJECTED)
        return book_columns(decode_book(document))
    except RejectedError as error:
        raise BookNotClearedError(f"{path}: {error}", EXIT_REJECTED) from None


class _Mapped(NamedTuple):
    """A book file mapped into memory, and its state when it was mapped."""

    data: mmap.mmap
    stamp: tuple[int, ...]


def _stamp(file: BinaryIO) -> tuple[int, ...]:
    """What a write to the file, or its truncation, changes: size, modification and change
    times (to the nanosecond)."""
    status = os.fstat(file.fileno())
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _mapped(file: BinaryIO) -> _Mapped | None:
    """The file mapped read-only, its pages read in at once, when it is a regular file from
    ``_SPLIT_BOOK_BYTES`` on and the system maps so (Linux); else None: read into memory."""
    status = os.fstat(file.fileno())
    populate = getattr(mmap, "MAP_POPULATE", None)
    if not stat.S_ISREG(status.st_mode) or status.st_size < _SPLIT_BOOK_BYTES or not populate:
        return None
    stamp = _stamp(file)
    try:
        data = mmap.mmap(file.fileno(), 0, flags=mmap.MAP_PRIVATE | populate, prot=mmap.PROT_READ)
    except (OSError, ValueError):
        return None
    return _Mapped(data, stamp)


def _read_or_refused(path: Path, mapped: _Mapped) -> BookColumns | BookNotClearedError:
    try:
        return _book_columns(path, mapped.data)
    except BookNotClearedError as error:
        return error


def _changed(file: BinaryIO, stamp: tuple[int, ...]) -> bool:
    """Whether the file was written to or truncated since ``stamp``: its mapped pages may then
    have shown different bytes to different passes, so what was read is not used."""
    return _stamp(file) != stamp


def _returned(read: BookColumns | BookNotClearedError) -> BookColumns:
    if isinstance(read, BookNotClearedError):
        raise read
    return read


_SPLIT_BOOK_BYTES = 1 << 20
"""A book from this size on (some 11,000 orders) is read in two halves on two threads."""


_Done = TypeVar("_Done")


def on_threads(parts: list[Callable[[], _Done]]) -> list[_Done]:
    """Each part done on its own thread, the first on this one (ADR 0047)."""
    results: dict[int, _Done] = {}

    def do(at: int) -> None:
        results[at] = parts[at]()

    threads = [threading.Thread(target=do, args=(at,)) for at in range(1, len(parts))]
    for thread in threads:
        thread.start()
    do(0)
    for thread in threads:
        thread.join()
    return [results[at] for at in range(len(parts))]


_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -2, -3, -8  # malloc.h
_KEPT_BYTES = 1 << 30
_LARGE_BOOK_BYTES = 32 << 20
"""A book from this size on (some 350,000 orders) is cleared with ``_keep_freed_memory``."""


def _keep_freed_memory() -> None:
    """Ask glibc's malloc to serve arrays under 1 GiB from its heap and keep what is freed
    for the next ones, instead of mapping fresh zeroed pages for each and returning them:
    a book's passes make arrays of 8-100 MB one after another (at 10^6 orders two thirds of
    the command's page faults and of its system time, ADR 0045), and to serve the reading
    threads from that one heap (a thread's own arena maps its arrays afresh: a third more page
    faults at 10^6 orders, ADR 0047). Only for a large book: the
    process then ends with the command, so nothing is held for long (a smaller one gains
    nothing measurable); elsewhere than glibc nothing changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _KEPT_BYTES)
    mallopt(_M_TRIM_THRESHOLD, _KEPT_BYTES)
    mallopt(_M_TOP_PAD, 64 << 20)
    mallopt(_M_ARENA_MAX, 1)  # the reading threads' arrays from the same kept heap
