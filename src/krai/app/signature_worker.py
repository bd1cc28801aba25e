"""The signature worker process: ``python -m krai.app.signature_worker READ_FD WRITE_FD``.

It imports only what verification needs (not the program that started it, as a
``multiprocessing`` spawn would), reads ``(tag, checks)`` requests from one pipe and writes
``(tag, verdicts)`` to the other, in the order received, until it reads None or its parent
goes away. A request ``(tag, None)`` says the writer has verified request ``tag`` itself:
if the worker has not started it yet, it answers ``(tag, None)`` without verifying.

``krai verify`` decodes its entries itself, once: a worker is sent only the signed bytes,
the signature and the key (ADR 0038).
"""

import collections
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection

from krai.crypto.keys import PublicKey, decode_public_key

Check = tuple[bytes, bytes, str]
"""The signed message, the signature and the signer's public key as text."""


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
    waiting: collections.deque[tuple[int, list[Check]]] = collections.deque()
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
            replies.send((tag, verify_all(checks)))


if __name__ == "__main__":
    serve(
        Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False)
    )
