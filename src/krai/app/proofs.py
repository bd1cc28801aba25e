"""Proofs from storage: inclusion of an entry and consistency between two tree sizes.

Each proof reads O(log n) stored tree nodes in one storage call (see ``krai.log.tree``).
"""

from dataclasses import dataclass
from typing import Any

from krai.app.ports import Storage
from krai.log.tree import consistency_proof, inclusion_proof, root_hash
from krai.tx.errors import Code, RejectedError


@dataclass(frozen=True)
class InclusionProof:
    """That the entry at ``index`` is in the tree of ``size`` entries with ``root_hash``."""

    index: int
    size: int
    leaf_hash: bytes
    root_hash: bytes
    proof: list[bytes]

    def to_json(self) -> dict[str, Any]:
        """The proof with hashes in hex."""
        return {
            "index": self.index,
            "size": self.size,
            "leaf_hash": self.leaf_hash.hex(),
            "root_hash": self.root_hash.hex(),
            "proof": [h.hex() for h in self.proof],
        }


@dataclass(frozen=True)
class ConsistencyProof:
    """That the tree of ``first`` entries is a prefix of the tree of ``second`` entries."""

    first: int
    second: int
    first_root: bytes
    second_root: bytes
    proof: list[bytes]

    def to_json(self) -> dict[str, Any]:
        """The proof with hashes in hex."""
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root.hex(),
            "second_root": self.second_root.hex(),
            "proof": [h.hex() for h in self.proof],
        }


def prove_inclusion(storage: Storage, index: int, size: int | None = None) -> InclusionProof:
    """Prove that entry ``index`` is in the tree of ``size`` entries (default: the whole log)."""
    log_size = storage.log_size()
    size = log_size if size is None else size
    if not 0 <= index < size <= log_size:
        raise _out_of_range(f"need 0 <= index ({index}) < size ({size}) <= log size ({log_size})")
    entry = storage.entry(index)
    assert entry is not None
    return InclusionProof(
        index=index,
        size=size,
        leaf_hash=entry.leaf_hash,
        root_hash=root_hash(storage, size),
        proof=inclusion_proof(storage, index, size),
    )


def prove_consistency(storage: Storage, first: int, second: int | None = None) -> ConsistencyProof:
    """Prove the tree of ``first`` entries is a prefix of that of ``second`` (default: all)."""
    log_size = storage.log_size()
    second = log_size if second is None else second
    if not 0 <= first <= second <= log_size:
        raise _out_of_range(
            f"need 0 <= first ({first}) <= second ({second}) <= log size ({log_size})"
        )
    return ConsistencyProof(
        first=first,
        second=second,
        first_root=root_hash(storage, first),
        second_root=root_hash(storage, second),
        proof=consistency_proof(storage, first, second),
    )


def _out_of_range(message: str) -> RejectedError:
    return RejectedError(Code.NOT_FOUND, message)


def proven_by_latest_checkpoint(storage: Storage, index: int) -> dict[str, Any]:
    """The inclusion proof of entry ``index`` in the tree of the newest signed checkpoint,
    with that checkpoint's note: everything a reader needs to check the entry offline."""
    checkpoint = storage.latest_checkpoint()
    size = checkpoint.size if checkpoint is not None and checkpoint.size > index else None
    proof = prove_inclusion(storage, index, size)
    note = checkpoint.note if checkpoint is not None and checkpoint.size == proof.size else None
    return {"inclusion": proof.to_json(), "checkpoint": note}
