"""A follower as a C2SP tlog-mirror that a log pushes to: ``add-checkpoint``, ``add-entries``
(ADR 0037).

``add-checkpoint`` is a witness's, without the cosignature: the checkpoint must carry the
pinned key's signature (403), meet the follower's policy if it has one (403), and extend the
*pending checkpoint* — the newest one recorded here or accepted by the storage — by the
consistency proof given (409 with our size on a stale old size, 422 on a bad proof); it is
then recorded as pending (the last ``PENDING_KEPT`` are kept, so a client may upload against
any of them). A fork of the pending checkpoint raises the follower's alarm.

``add-entries`` checks each entry package's subtree consistency proof against the pending
checkpoint of size ``upload_end`` (422 at the first that fails), and keeps the entries as
*pending entries* in whole entry bundles under ``<home>/follow/mirror-entries/``. Once the
entries up to ``upload_end`` are all here, the follow use case (``Follower.accept_pushed``)
catches up to that checkpoint from a ``PushedTiles`` source — the pending bundles, and hash
tiles computed from them and the stored tree — with every check of a pulled catch-up: the
tiles fold into the signed root, each entry's leaf, signature and replay, the durable commit
with the checkpoint. Only then does the mirror cosign, and the answer is its cosignature.

One writer: every request runs under the storage's sequencing lock, which ``krai follow``
also holds for each poll, so pushes and pulls into one home never interleave.
"""

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from krai.app.cosigning import CosignedStore
from krai.app.follow import Follower, Trust
from krai.app.follow_status import AlarmError
from krai.app.ports import FollowerFiles, Storage
from krai.app.remote_verify import TileFetchError
from krai.log.checkpoint import parse_checkpoint_text
from krai.log.cosigned import QuorumError, verify_with_policy
from krai.log.hashing import leaf_hash
from krai.log.mirror import (
    MIRROR_INFO_MEDIA_TYPE,
    PACKAGE_WIDTH,
    EntryPackage,
    MirrorInfo,
    MirrorRequestError,
    format_mirror_info,
    leaves_root,
    parse_add_entries,
    verify_subtree_consistency,
)
from krai.log.note import CosignatureSigner, NoteError, format_note, parse_note
from krai.log.tile_check import TileCheckError
from krai.log.tiles import (
    TILE_WIDTH,
    TilePathError,
    parse_entry_bundle_path,
    parse_tile_path,
    tile_hashes,
)
from krai.log.tree import CompactRange, MemoryNodeStore, MissingNodeError, NodeKey
from krai.log.verify import ProofError
from krai.log.witness import (
    FORK,
    Recorded,
    Verdict,
    WitnessRequestError,
    extends,
    parse_add_checkpoint,
    refusal,
)

PENDING_FILE = "mirror-pending.json"
ENTRIES_FOLDER = "mirror-entries"
PENDING_KEPT = 8
"""Pending checkpoints an upload may name as ``upload_end``: the newest few."""
MAX_BEHIND = 32 * PACKAGE_WIDTH
"""How far below the next entry an upload may start (its first packages are skipped)."""


@dataclass(frozen=True)
class _Pending:
    size: int
    note: str


class MirrorInbox:
    """The mirror's push API over a follower's home."""

    def __init__(
        self,
        follower: Follower,
        *,
        storage: Storage,
        files: FollowerFiles,
        trust: Trust,
        signer: CosignatureSigner,
        cosigned: CosignedStore,
        lock: Callable[[], AbstractContextManager[None]],
    ) -> None:
        self._follower = follower
        self._storage = storage
        self._files = files
        self._trust = trust
        self._signer = signer
        self._cosigned = cosigned
        self._lock = lock

    @property
    def origin(self) -> str:
        """The log this mirror keeps (its pinned key's name)."""
        return self._trust.verifier.name

    def add_checkpoint(self, body: bytes) -> Verdict:
        """The verdict on an add-checkpoint body; 200 with an empty body records it."""
        try:
            request = parse_add_checkpoint(body)
        except WitnessRequestError as error:
            return refusal(400, str(error))
        keys = [self._trust.verifier] if request.origin == self.origin else None
        with self._lock():
            recorded = self._recorded()
            verdict = extends(request, keys, recorded)
            if isinstance(verdict, Verdict):
                if verdict.conflict is not None and verdict.conflict.kind == FORK:
                    self._alarm_fork(verdict, format_note(request.note))
                return verdict
            note = format_note(request.note)
            if self._trust.policy is not None:
                try:
                    verify_with_policy(note, self._trust.policy)
                except (QuorumError, NoteError) as error:
                    return refusal(403, f"the mirror's policy refuses the checkpoint: {error}")
            if recorded is None or request.checkpoint.size > recorded.size:
                self._keep_pending(_Pending(request.checkpoint.size, note))
        return Verdict(200, "")

    def add_entries(self, body: bytes) -> Verdict:
        """The verdict on an add-entries body: 200 with the mirror's cosignature once the
        checkpoint of ``upload_end`` is accepted, 202 or 409 with mirror-info, else a
        refusal (400, 404, 422)."""
        try:
            parsed = parse_add_entries(body)
        except MirrorRequestError as error:
            return refusal(400, str(error))
        header = parsed.header
        if header.origin != self.origin:
            return refusal(404, f"unknown origin {header.origin!r}")
        with self._lock():
            target = self._uploadable().get(header.upload_end)
            accepted = self._accepted_size()
            next_entry = self._next_entry()
            if target is None or header.upload_end < accepted:
                return self._info(409, header.upload_end if target else None, next_entry)
            if header.upload_start > next_entry or header.upload_start + MAX_BEHIND < next_entry:
                return self._info(409, target.size, next_entry)
            return self._upload(target, parsed.packages, parsed.discarded)

    def _upload(
        self, target: _Pending, packages: Sequence[EntryPackage], discarded: str | None
    ) -> Verdict:
        """Keep the packages that prove consistent with ``target``; commit when whole."""
        root = parse_checkpoint_text(parse_note(target.note).text).root_hash
        for package in packages:
            try:
                self._take(package, target.size, root)
            except ProofError as error:
                return refusal(422, f"entries {package.start}..{package.end}: {error}")
        next_entry = self._next_entry()
        if next_entry < target.size:
            if not packages:
                return refusal(400, f"no whole entry package: {discarded}")
            return self._info(202, target.size, next_entry)
        return self._commit(target)

    def _take(self, package: EntryPackage, size: int, root: bytes) -> None:
        """Check a package's subtree proof and keep its entries as pending ones."""
        before = self._entries(package.subtree_start, package.start)
        leaves = [leaf_hash(entry) for entry in (*before, *package.entries)]
        span = (package.subtree_start, package.end)
        verify_subtree_consistency(span, size, leaves_root(leaves), root, package.proof)
        bundle = package.subtree_start // TILE_WIDTH
        kept = self._bundle_file(bundle)
        if len(kept) < len(before) + len(package.entries):
            self._write_bundle(bundle, [*before, *package.entries])

    def _commit(self, target: _Pending) -> Verdict:
        """Accept the checkpoint of ``target`` by the follow use case; answer with the
        mirror's cosignature, which it makes only after the durable commit."""
        if target.size > self._accepted_size():
            stored = self._storage.log_size()
            source = PushedTiles(self._storage, self._files, target)
            report = self._follower.accept_pushed(target.note, source)
            if report.alarm is not None:
                return refusal(422, f"the alarm stands: {report.alarm['message']}")
            if report.error is not None:
                return refusal(422, report.error)
            self._drop_entries(stored, target.size)
        if self._accepted_size() > target.size:
            return self._info(409, None, self._next_entry())
        line = self._cosignature(target.size)
        if line is None:
            return refusal(503, "the checkpoint is stored but not yet cosigned; try again")
        return Verdict(200, line)

    def _cosignature(self, size: int) -> str | None:
        """This mirror's cosignature line on the checkpoint of ``size``, as kept."""
        cosigned = self._cosigned.cosigned_at(size)
        if cosigned is None:
            return None
        for signature in parse_note(cosigned.note).signatures:
            if (signature.name, signature.key_id) == (self._signer.name, self._signer.key_id):
                return signature.line()
        return None

    def _info(self, status: int, size: int | None, next_entry: int) -> Verdict:
        newest = self._pending()
        shown = size if size is not None else (newest[-1].size if newest else 0)
        body = format_mirror_info(MirrorInfo(shown, next_entry))
        return Verdict(status, body, MIRROR_INFO_MEDIA_TYPE)

    def _alarm_fork(self, verdict: Verdict, shown: str) -> None:
        conflict = verdict.conflict
        assert conflict is not None
        alarm = AlarmError(
            "second_root",
            f"a pushed checkpoint has size {conflict.presented_size} with another root than "
            f"the one recorded here: {conflict.reason}",
            {"shown.note": shown.encode(), "accepted.note": conflict.recorded.note.encode()},
        )
        self._follower.raise_alarm(alarm, shown)

    def _recorded(self) -> Recorded | None:
        """The pending checkpoint: the newest recorded here or accepted by the storage."""
        newest = self._pending()
        accepted = self._storage.latest_checkpoint()
        candidates = [(p.size, p.note) for p in newest[-1:]]
        if accepted is not None:
            candidates.append((accepted.size, accepted.note))
        if not candidates:
            return None
        size, note = max(candidates, key=lambda candidate: candidate[0])
        root = parse_checkpoint_text(parse_note(note).text).root_hash
        return Recorded(size, root, note)

    def _uploadable(self) -> dict[int, _Pending]:
        """The checkpoints an upload may end at, by size: the pending ones kept and the
        one the storage accepted (a client may push again what is already here)."""
        found = {pending.size: pending for pending in self._pending()}
        accepted = self._storage.latest_checkpoint()
        if accepted is not None:
            found[accepted.size] = _Pending(accepted.size, accepted.note)
        return found

    def _pending(self) -> list[_Pending]:
        data = self._files.read(PENDING_FILE)
        if data is None:
            return []
        return [_Pending(int(item["size"]), str(item["note"])) for item in json.loads(data)]

    def _keep_pending(self, pending: _Pending) -> None:
        kept = [*self._pending(), pending][-PENDING_KEPT:]
        document = [{"size": p.size, "note": p.note} for p in kept]
        self._files.write(PENDING_FILE, json.dumps(document).encode())

    def _accepted_size(self) -> int:
        accepted = self._storage.latest_checkpoint()
        return 0 if accepted is None else accepted.size

    def _next_entry(self) -> int:
        """The first entry neither stored nor pending."""
        size = self._storage.log_size()
        bundle = size // TILE_WIDTH
        while True:
            kept = self._bundle_file(bundle)
            end = bundle * TILE_WIDTH + len(kept)
            if end <= size:
                return size
            size = end
            if len(kept) < TILE_WIDTH:
                return size
            bundle += 1

    def _entries(self, start: int, end: int) -> list[bytes]:
        """Entries ``start .. end - 1`` of one bundle, stored or pending (ProofError if
        one is missing: the package does not follow on from what is here)."""
        if start == end:
            return []
        stored = self._storage.log_size()
        if end <= stored:
            return [entry.data for entry in self._storage.entries(start, end)]
        kept = self._bundle_file(start // TILE_WIDTH)
        offset = start % TILE_WIDTH
        if len(kept) >= offset + end - start:
            return kept[offset : offset + end - start]
        raise ProofError(f"entries {start}..{end} are neither stored nor pending here")

    def _bundle_file(self, bundle: int) -> list[bytes]:
        data = self._files.read(f"{ENTRIES_FOLDER}/{bundle}")
        if data is None:
            return []
        return _split_bundle(data)

    def _write_bundle(self, bundle: int, entries: Sequence[bytes]) -> None:
        data = b"".join(len(entry).to_bytes(2, "big") + entry for entry in entries)
        self._files.write(f"{ENTRIES_FOLDER}/{bundle}", data)

    def _drop_entries(self, stored: int, size: int) -> None:
        """Remove the pending bundles of entries ``stored .. size`` that hold nothing beyond
        ``size``: the storage has their entries now."""
        for bundle in range(stored // TILE_WIDTH, size // TILE_WIDTH + 1):
            if bundle * TILE_WIDTH + len(self._bundle_file(bundle)) <= size:
                self._files.remove(f"{ENTRIES_FOLDER}/{bundle}")


class PushedTiles:
    """A ``TileSource`` of the log's tree of a pending checkpoint, from what is here: the
    stored tree's nodes, and the pending entries with the nodes they complete (computed
    once; 2 hashes an entry in memory). Nothing here is trusted by the follow use case:
    the tiles must still fold into the signed root."""

    def __init__(self, storage: Storage, files: FollowerFiles, target: _Pending) -> None:
        self._storage = storage
        self._files = files
        self._target = target
        self._stored = storage.log_size()
        self._nodes = MemoryNodeStore()
        tree = CompactRange.from_reader(storage, self._stored)
        for entry in self._pending_entries():
            self._nodes.put_nodes(tree.append(leaf_hash(entry)))

    @property
    def location(self) -> str:
        """Where the tiles come from, for messages."""
        return f"entries pushed for {self._target.size}"

    def read(self, path: str, max_bytes: int) -> bytes:
        """The checkpoint, a hash tile or an entry bundle of the pending tree."""
        try:
            data = self._read(path)
        except (TilePathError, MissingNodeError, TileCheckError) as error:
            raise TileFetchError(f"{path}: {error}") from None
        if len(data) > max_bytes:
            raise TileFetchError(f"{path} is larger than {max_bytes} bytes")
        return data

    def close(self) -> None:
        """Nothing to release."""

    def read_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """Nodes of the stored tree, else of the pending entries."""
        found = dict(self._nodes.read_nodes(keys))
        rest = [key for key in keys if key not in found]
        if rest:
            found.update(self._storage.read_nodes(rest))
        return found

    def _read(self, path: str) -> bytes:
        if path == "checkpoint":
            return self._target.note.encode()
        if path.startswith("tile/entries/"):
            index, width = parse_entry_bundle_path(path)
            entries = self._bundle(index)[:width]
            if len(entries) < width:
                raise TileCheckError(f"only {len(entries)} entries are here")
            return b"".join(len(entry).to_bytes(2, "big") + entry for entry in entries)
        tile = parse_tile_path(path)
        return tile_hashes(self, tile.level, tile.index, tile.width)

    def _bundle(self, index: int) -> list[bytes]:
        data = self._files.read(f"{ENTRIES_FOLDER}/{index}")
        if data is not None:
            return _split_bundle(data)
        start = index * TILE_WIDTH
        end = min(self._stored, start + TILE_WIDTH)
        return [entry.data for entry in self._storage.entries(start, end)]

    def _pending_entries(self) -> Iterator[bytes]:
        index = self._stored
        while index < self._target.size:
            bundle = self._bundle(index // TILE_WIDTH)
            position = index % TILE_WIDTH
            if position >= len(bundle):
                raise TileFetchError(f"entry {index} is not here")
            for entry in bundle[position : position + self._target.size - index]:
                yield entry
                index += 1


def _split_bundle(data: bytes) -> list[bytes]:
    entries, position = [], 0
    while position < len(data):
        length = int.from_bytes(data[position : position + 2], "big")
        entries.append(data[position + 2 : position + 2 + length])
        position += 2 + length
    return entries
