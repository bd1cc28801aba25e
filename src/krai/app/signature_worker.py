"""The signature worker process: ``python -m krai.app.signature_worker READ_FD WRITE_FD``.

It imports only what verification needs (not the program that started it, as a
``multiprocessing`` spawn would), reads ``(tag, checks)`` requests from one pipe and writes
``(tag, verdicts)`` to the other, in the order received, until it reads None or its parent
goes away. A request ``(tag, None)`` says the writer has verified request ``tag`` itself:
if the worker has not started it yet, it answers ``(tag, None)`` without verifying.

A request's checks may instead be ``Decode(entries)``: the worker then answers with each log
entry decoded (``decode_entry``), or None for one that does not decode, so that ``krai
verify``'s replay receives its entries decoded (ADR 0029).
"""

import collections
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from krai.crypto.keys import PublicKey, decode_public_key
from krai.state.entry import Entry, decode_entry

Check = tuple[bytes, bytes, str]
"""The signed message, the signature and the signer's public key as text."""


class Decode(NamedTuple):
    """A request to decode log entries (their bytes), not to check signatures."""

    entries: list[bytes]


Job = list[Check] | Decode
"""What one request asks a worker to do."""


def answer(job: Job) -> list[Any]:
    """The answer to a request: verdicts (``verify_all``) or entries (``decode_all``)."""
    return decode_all(job.entries) if isinstance(job, Decode) else verify_all(job)


def decode_all(entries: Sequence[bytes]) -> list[Entry | None]:
    """Each entry decoded, or None where it does not: the one who replays it decodes it
    again to say why."""
    decoded: list[Entry | None] = []
    for data in entries:
        try:
            decoded.append(decode_entry(data))
        except Exception:
            decoded.append(None)
    return decoded


def verify_all(checks: Sequence[Check]) -> list[bool]:
    """Whether each signature verifies."""
    keys: dict[str, PublicKey] = {}
    verdicts = []
    for message, signature, text in checks:
        key = keys.get(text)
        if key is None:
            key = keys[text] = decode_public_key(text)
        verdicts.append(key.verify(message, signature))
    return verdicts


def serve(requests: Connection, replies: Connection) -> None:
    """Answer requests until None or the end of the pipe."""
    waiting: collections.deque[tuple[int, Job]] = collections.deque()
    taken: set[int] = set()
    while True:
        # Read everything that has arrived, so a note that a request was taken is seen before
        # that request is verified; wait only when there is nothing to do.
        while not waiting or requests.poll():
            try:
                request = requests.recv()
            except EOFError:
                return
            if request is None:
                return
            tag, checks = request
            if checks is None:
                taken.add(tag)
            else:
                waiting.append((tag, checks))
        tag, checks = waiting.popleft()
        if tag in taken:
            taken.discard(tag)
            replies.send((tag, None))
        else:
            taken.difference_update([t for t in taken if t < tag])  # notes that came too late
            replies.send((tag, answer(checks)))


if __name__ == "__main__":
    # Run as the module itself, not as __main__, so that a ``Decode`` unpickled here is
    # the class ``answer`` checks for.
    from krai.app import signature_worker  # noqa: PLW0406 - see above

    signature_worker.serve(
        Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False)
    )
