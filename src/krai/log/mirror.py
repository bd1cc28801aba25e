"""C2SP tlog-mirror ``add-entries`` as a mirror and its client see it: no I/O.

A request body is the log's origin (uint16 length), ``upload_start`` and ``upload_end``
(uint64), an opaque ticket (uint16 length), then a prefix of the *canonical sequence* of
entry packages of ``[upload_start, upload_end)``: package ``i`` holds the entries of
``[max(upload_start, r + 256·i), min(upload_end, r + 256·(i+1)))`` (``r`` is
``upload_start`` rounded down to 256), each with a uint16 length, then ``num_hashes`` (one
byte, at most 63) and that many hashes: the *subtree consistency proof* (Merkle Tree
Certificates draft, §4.4) of the subtree ``[r + 256·i, end)`` in the tree of ``upload_end``.

All integers are big-endian. ``parse_add_entries`` reads the header strictly and the
packages up to the first one that is cut short or malformed (the mirror keeps the packages
before it). ``subtree_consistency_proof`` builds a proof from stored nodes (the log's side)
and ``verify_subtree_consistency`` checks one against a subtree hash and a signed root (the
mirror's). A ``409`` or ``202`` answer carries ``text/x.tlog.mirror-info``: the pending
checkpoint's size, the mirror's next entry, and a base64 ticket, one per line.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from krai.log.checkpoint import MAX_SIZE
from krai.log.hashing import EMPTY_ROOT, HASH_SIZE, largest_power_of_two_below, node_hash
from krai.log.tiles import TILE_WIDTH
from krai.log.tree import CompactRange, NodeReader, subtree_hash
from krai.log.verify import ProofError

PACKAGE_WIDTH = TILE_WIDTH
"""Packages are aligned at multiples of 256, as entry bundles are."""
MAX_PACKAGE_HASHES = 63
MAX_REQUEST_PACKAGES = 32
"""A client sends at most this many packages per request (8,192 entries), as advised."""
MIRROR_INFO_MEDIA_TYPE = "text/x.tlog.mirror-info"
ENTRIES_MEDIA_TYPE = "application/octet-stream"
MAX_ENTRY_BYTES = 0xFFFF


class MirrorRequestError(ValueError):
    """An add-entries header or mirror-info answer is malformed (HTTP 400)."""


@dataclass(frozen=True)
class AddEntries:
    """An add-entries request's header: which log, which entries, against which checkpoint."""

    origin: str
    upload_start: int
    upload_end: int
    ticket: bytes


@dataclass(frozen=True)
class EntryPackage:
    """One package of the canonical sequence: entries ``[start, end)`` and the subtree
    consistency proof of ``[subtree_start, end)`` in the tree of ``upload_end``."""

    subtree_start: int
    start: int
    entries: tuple[bytes, ...]
    proof: tuple[bytes, ...]

    @property
    def end(self) -> int:
        """One past the package's last entry."""
        return self.start + len(self.entries)


@dataclass(frozen=True)
class MirrorInfo:
    """What a mirror says on 409 and 202: a valid pending size, its next entry, a ticket."""

    size: int
    next_entry: int
    ticket: bytes = b""


@dataclass(frozen=True)
class ParsedEntries:
    """A parsed add-entries body: its header, its whole packages, and why the bytes after
    the last one were discarded (None: the body ended cleanly after it)."""

    header: AddEntries
    packages: tuple[EntryPackage, ...]
    discarded: str | None


def is_valid_subtree(start: int, end: int) -> bool:
    """Whether ``[start, end)`` is a subtree: ``start`` a multiple of BIT_CEIL(end - start)."""
    if not 0 <= start <= end:
        return False
    width = end - start
    return width <= 1 or start % (1 << (width - 1).bit_length()) == 0


def package_spans(upload_start: int, upload_end: int) -> list[tuple[int, int, int]]:
    """The canonical sequence: ``(subtree_start, start, end)`` of every package."""
    if upload_start >= upload_end:
        return []
    rounded = upload_start - upload_start % PACKAGE_WIDTH
    spans = []
    for subtree_start in range(rounded, upload_end, PACKAGE_WIDTH):
        start = max(upload_start, subtree_start)
        spans.append((subtree_start, start, min(upload_end, subtree_start + PACKAGE_WIDTH)))
    return spans


def subtree_consistency_proof(reader: NodeReader, start: int, end: int, size: int) -> list[bytes]:
    """SUBTREE_PROOF(start, end, D[0:size]): the hashes that bind MTH(D[start:end]) to the
    root of the tree of ``size``, from nodes ``reader`` stores."""
    if not is_valid_subtree(start, end) or end > size:
        raise ValueError(f"[{start}, {end}) is not a subtree of a tree of {size}")
    if start == end:
        return []
    proof: list[bytes] = []
    _subproof(reader, start, end, 0, size, known=True, proof=proof)
    return proof


def _subproof(
    reader: NodeReader,
    start: int,
    end: int,
    low: int,
    high: int,
    *,
    known: bool,
    proof: list[bytes],
) -> None:
    """SUBTREE_SUBPROOF for ``[start, end)`` inside the window ``[low, high)``."""
    if (start, end) == (low, high):
        if not known:
            proof.append(subtree_hash(reader, low, high))
        return
    split = low + largest_power_of_two_below(high - low)
    if end <= split:
        _subproof(reader, start, end, low, split, known=known, proof=proof)
        proof.append(subtree_hash(reader, split, high))
    elif split <= start:
        _subproof(reader, start, end, split, high, known=known, proof=proof)
        proof.append(subtree_hash(reader, low, split))
    else:  # the subtree straddles the split, so it starts at low: prove its right part
        _subproof(reader, split, end, split, high, known=False, proof=proof)
        proof.append(subtree_hash(reader, low, split))


def verify_subtree_consistency(
    span: tuple[int, int], size: int, subtree: bytes, root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that ``proof`` shows MTH(D[start:end]) = ``subtree`` sits at those positions
    in the tree of ``size`` whose root is ``root``, ``span`` being ``(start, end)``; raise
    ``ProofError`` if not."""
    start, end = span
    if not is_valid_subtree(start, end) or end > size:
        raise ProofError(f"[{start}, {end}) is not a subtree of a tree of {size}")
    if start == end:
        if proof or subtree != EMPTY_ROOT:
            raise ProofError("an empty subtree has the empty root and an empty proof")
        return
    hashes = list(reversed(proof))  # consumed from the front: popped from this end
    try:
        derived, found = _fold(span, (0, size), subtree, hashes)
    except IndexError:
        raise ProofError(f"the proof of [{start}, {end}) in {size} is too short") from None
    if hashes:
        raise ProofError(f"the proof of [{start}, {end}) in {size} is too long")
    if derived != subtree:
        raise ProofError(f"the proof does not give the hash of [{start}, {end})")
    if found != root:
        raise ProofError(f"the proof of [{start}, {end}) does not lead to the root of {size}")


def _fold(
    span: tuple[int, int], window: tuple[int, int], known: bytes | None, hashes: list[bytes]
) -> tuple[bytes, bytes]:
    """(the subtree's hash, the window's hash) from the proof, as ``_subproof`` built it;
    ``known`` is the subtree's hash when the verifier holds it (None: it is in the proof)."""
    (start, end), (low, high) = span, window
    if (start, end) == (low, high):
        value = known if known is not None else hashes.pop()
        return value, value
    split = low + largest_power_of_two_below(high - low)
    if end <= split:
        derived, left = _fold(span, (low, split), known, hashes)
        return derived, node_hash(left, hashes.pop())
    if split <= start:
        derived, right = _fold(span, (split, high), known, hashes)
        return derived, node_hash(hashes.pop(), right)
    part, right = _fold((split, end), (split, high), None, hashes)
    left = hashes.pop()
    return node_hash(left, part), node_hash(left, right)


def leaves_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a run of leaves taken as a tree of its own (a subtree's hash)."""
    tree = CompactRange()
    for leaf in leaf_hashes:
        tree.append(leaf)
    return tree.root()


def format_add_entries(header: AddEntries, packages: Sequence[EntryPackage]) -> bytes:
    """The body a client sends: the header, then the packages."""
    origin = header.origin.encode("utf-8")
    parts = [
        len(origin).to_bytes(2, "big"),
        origin,
        header.upload_start.to_bytes(8, "big"),
        header.upload_end.to_bytes(8, "big"),
        len(header.ticket).to_bytes(2, "big"),
        header.ticket,
    ]
    for package in packages:
        for entry in package.entries:
            parts += [len(entry).to_bytes(2, "big"), entry]
        parts.append(len(package.proof).to_bytes(1, "big"))
        parts += package.proof
    return b"".join(parts)


def parse_add_entries(body: bytes) -> ParsedEntries:
    """Parse a body: a malformed header is a ``MirrorRequestError``; packages are read up
    to the first that is cut short or malformed, whose bytes are discarded."""
    reader = _Reader(body)
    try:
        origin = reader.take(reader.integer(2)).decode("utf-8")
        start, end = reader.integer(8), reader.integer(8)
        ticket = reader.take(reader.integer(2))
    except (EOFError, UnicodeDecodeError) as error:
        raise MirrorRequestError(f"the header is cut short or not UTF-8: {error}") from None
    if start > end or end > MAX_SIZE:
        raise MirrorRequestError(f"upload_start {start} exceeds upload_end {end}")
    header = AddEntries(origin, start, end, ticket)
    packages: list[EntryPackage] = []
    for subtree_start, first, last in package_spans(start, end):
        if reader.done:
            return ParsedEntries(header, tuple(packages), None)
        try:
            packages.append(_package(reader, subtree_start, first, last))
        except (EOFError, MirrorRequestError) as error:
            return ParsedEntries(header, tuple(packages), f"package at {first}: {error}")
    extra = None if reader.done else "bytes after the last package of the sequence"
    return ParsedEntries(header, tuple(packages), extra)


def _package(reader: "_Reader", subtree_start: int, start: int, end: int) -> EntryPackage:
    entries = tuple(reader.take(reader.integer(2)) for _ in range(start, end))
    count = reader.integer(1)
    if count > MAX_PACKAGE_HASHES:
        raise MirrorRequestError(f"{count} proof hashes, more than {MAX_PACKAGE_HASHES}")
    proof = tuple(reader.take(HASH_SIZE) for _ in range(count))
    return EntryPackage(subtree_start, start, entries, proof)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    @property
    def done(self) -> bool:
        return self._at == len(self._data)

    def take(self, count: int) -> bytes:
        if self._at + count > len(self._data):
            raise EOFError(f"{count} bytes wanted at offset {self._at}, the body ends")
        part = self._data[self._at : self._at + count]
        self._at += count
        return part

    def integer(self, width: int) -> int:
        return int.from_bytes(self.take(width), "big")


def format_mirror_info(info: MirrorInfo) -> str:
    """A mirror-info body: size, next entry and base64 ticket, each on its own line."""
    return f"{info.size}\n{info.next_entry}\n{base64.b64encode(info.ticket).decode()}\n"


def parse_mirror_info(text: str) -> MirrorInfo:
    """Parse a mirror-info body; ``MirrorRequestError`` if malformed."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3]:
        raise MirrorRequestError("mirror-info is three lines, each ending in a newline")
    try:
        size, next_entry = int(lines[0]), int(lines[1])
        ticket = base64.b64decode(lines[2], validate=True)
    except (ValueError, binascii.Error) as error:
        raise MirrorRequestError(f"mirror-info: {error}") from None
    if not (0 <= size <= MAX_SIZE and 0 <= next_entry <= MAX_SIZE):
        raise MirrorRequestError("mirror-info sizes are out of range")
    return MirrorInfo(size, next_entry, ticket)
