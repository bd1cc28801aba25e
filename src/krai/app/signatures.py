"""Signature checks on worker processes, so verification runs beside the one writer.

Ed25519 verification through PyNaCl holds the GIL, so threads do not add cores; worker
processes do. Work is sent as plain (message, signature, key type, public key) tuples.
"""

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from krai.crypto.keys import PublicKey, decode_public_key, encode_public_key
from krai.tx.envelope import Transaction

Check = tuple[bytes, bytes, str]
"""The signed message, the signature and the signer's public key as text."""


def verify_all(checks: Sequence[Check]) -> list[bool]:
    """Whether each signature verifies (runs in a worker process)."""
    return [decode_public_key(key).verify(message, signature) for message, signature, key in checks]


class SignatureWorkers:
    """A pool of processes verifying signatures in chunks."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def submit(self, checks: Sequence[Check]) -> "Future[list[bool]]":
        """Verify a chunk; the future holds one result per check."""
        return self._pool.submit(verify_all, list(checks))

    def close(self) -> None:
        """Stop the workers."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def check_of(transaction: Transaction, key: PublicKey) -> Check:
    """A check to send to a worker."""
    return transaction.signing_message(), transaction.signature, encode_public_key(key)
