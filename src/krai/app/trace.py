"""A payments trace with the proof of every link: each step's inclusion proof against the
signed checkpoint that covers the whole trace."""

from typing import Any

from krai.app.ports import Storage
from krai.app.proofs import prove_inclusion


def with_proofs(storage: Storage, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The steps, each with its inclusion proof in the tree of the latest checkpoint."""
    checkpoint = storage.latest_checkpoint()
    size = checkpoint.size if checkpoint else 0
    proven = [
        {**step, "inclusion": prove_inclusion(storage, step["index"], size).to_json()}
        for step in steps
    ]
    return {"steps": proven, "checkpoint": checkpoint.note if checkpoint else None}
