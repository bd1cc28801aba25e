"""The signature worker process: ``python -m krai.app.signature_worker READ_FD WRITE_FD``.

It imports only what verification needs (not the program that started it, as a
``multiprocessing`` spawn would), reads ``(tag, checks)`` requests from one pipe and writes
``(tag, verdicts)`` to the other, until it reads None or its parent goes away.
"""

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
    while True:
        try:
            request = requests.recv()
        except EOFError:
            return
        if request is None:
            return
        tag, checks = request
        replies.send((tag, verify_all(checks)))


if __name__ == "__main__":
    serve(
        Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False)
    )
