"""Gossip between followers: what a peer accepted must be the history accepted here.

A peer is another follower (or any tlog-tiles server of the same log): its ``checkpoint``,
signed by the log's pinned key, is compared with the tree stored here. No larger than it,
its root must be the stored tree's at its size; larger, the stored tree must be a prefix of
it, by an RFC 9162 consistency proof built from the peer's tiles (ADR 0036). Otherwise the
log showed the two of them different histories under one key: alarm ``peer_fork``, with both
signed notes. What proves nothing against the log — the peer unreachable, its note not
signed by the log, its tiles not folding into its root — is a ``PeerError``.
"""

import json

from krai.app.follow_status import AlarmError
from krai.app.follow_tiles import TileReadError, TileTree
from krai.app.ports import Storage
from krai.app.remote_verify import CHECKPOINT_PATH, MAX_CHECKPOINT_BYTES, TileSource
from krai.log.checkpoint import Checkpoint, open_checkpoint
from krai.log.note import NoteError, NoteVerifier
from krai.log.tree import CompactRange, consistency_proof, root_hash
from krai.log.verify import ProofError, verify_consistency


class PeerError(Exception):
    """A peer could not be compared: unreachable, or serving what the log did not sign."""


def check_peer(storage: Storage, peer: TileSource, verifier: NoteVerifier) -> str:
    """Compare the checkpoint ``peer`` accepted with the stored tree; return its note."""
    try:
        note = TileTree(peer, 0).read(CHECKPOINT_PATH, MAX_CHECKPOINT_BYTES).decode("utf-8")
        checkpoint = open_checkpoint(note, [verifier], verifier.name)
        size = storage.log_size()
        if checkpoint.size <= size:
            _same_root(storage, checkpoint, note)
        else:
            _extends(storage, TileTree(peer, checkpoint.size), checkpoint, note)
    except (TileReadError, UnicodeDecodeError, ValueError, NoteError) as error:
        raise PeerError(str(error)) from None
    return note


def _same_root(storage: Storage, checkpoint: Checkpoint, note: str) -> None:
    ours = root_hash(storage, checkpoint.size)
    if ours != checkpoint.root_hash:
        raise _peer_fork(
            storage,
            note,
            f"a peer accepted root {checkpoint.root_hash.hex()} for size {checkpoint.size}, "
            f"where the entries verified here give {ours.hex()}",
            {"ours.root": ours.hex().encode()},
        )


def _extends(storage: Storage, tree: TileTree, checkpoint: Checkpoint, note: str) -> None:
    if root_hash(tree, checkpoint.size) != checkpoint.root_hash:
        raise PeerError(f"its tiles do not fold into its checkpoint's root ({checkpoint.size})")
    ours = CompactRange.from_reader(storage, storage.log_size())
    proof = consistency_proof(tree, ours.size, checkpoint.size)
    try:
        verify_consistency(ours.size, checkpoint.size, ours.root(), checkpoint.root_hash, proof)
    except ProofError:
        document = {
            "first_size": ours.size,
            "first_root": ours.root().hex(),
            "proof": [node.hex() for node in proof],
        }
        raise _peer_fork(
            storage,
            note,
            f"a peer accepted a checkpoint of size {checkpoint.size} that is not consistent "
            f"with the {ours.size} entries verified here",
            {"consistency.json": json.dumps(document, indent=1).encode()},
        ) from None


def _peer_fork(storage: Storage, note: str, message: str, evidence: dict[str, bytes]) -> AlarmError:
    accepted = storage.latest_checkpoint()
    files = {"peer.note": note.encode(), **evidence}
    if accepted is not None:
        files["accepted.note"] = accepted.note.encode()
    return AlarmError("peer_fork", message, files)
