"""C2SP tlog-mirror add-entries: the canonical package sequence, the body's format, and the
subtree consistency proofs (Merkle Tree Certificates draft §4.4) a mirror checks, against
subtree hashes computed here from the leaves themselves."""

import hashlib

import pytest

from krai.log.hashing import EMPTY_ROOT, leaf_hash
from krai.log.mirror import (
    AddEntries,
    EntryPackage,
    MirrorInfo,
    MirrorRequestError,
    format_add_entries,
    format_mirror_info,
    is_valid_subtree,
    leaves_root,
    package_spans,
    parse_add_entries,
    parse_mirror_info,
    subtree_consistency_proof,
    verify_subtree_consistency,
)
from krai.log.tree import CompactRange, MemoryNodeStore, root_hash
from krai.log.verify import ProofError


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH written out, independent of the tree code under test."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:split]) + _mth(leaves[split:])).digest()


def _tree(size: int) -> tuple[MemoryNodeStore, list[bytes]]:
    store, tree = MemoryNodeStore(), CompactRange()
    leaves = [leaf_hash(f"entry {i}".encode()) for i in range(size)]
    for leaf in leaves:
        store.put_nodes(tree.append(leaf))
    return store, leaves


def _subtrees(size: int) -> list[tuple[int, int]]:
    return [
        (start, end)
        for start in range(size + 1)
        for end in range(start, size + 1)
        if is_valid_subtree(start, end)
    ]


def test_a_subtree_starts_at_a_multiple_of_the_power_of_two_that_holds_it() -> None:
    assert is_valid_subtree(0, 7)
    assert is_valid_subtree(8, 12)
    assert is_valid_subtree(256, 300)
    assert is_valid_subtree(5, 5)
    assert not is_valid_subtree(4, 9)  # 5 leaves need an alignment of 8
    assert not is_valid_subtree(6, 5)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 21, 33])
def test_every_subtree_proof_verifies_against_the_root(size: int) -> None:
    store, leaves = _tree(size)
    root = root_hash(store, size)
    assert root == _mth(leaves)
    for start, end in _subtrees(size):
        proof = subtree_consistency_proof(store, start, end, size)
        assert len(proof) <= 63
        verify_subtree_consistency((start, end), size, _mth(leaves[start:end]), root, proof)


@pytest.mark.parametrize("size", [3, 6, 11, 20])
def test_a_wrong_subtree_hash_root_or_proof_is_refused(size: int) -> None:
    store, leaves = _tree(size)
    root = root_hash(store, size)
    for start, end in _subtrees(size):
        if start == end:
            continue
        proof = subtree_consistency_proof(store, start, end, size)
        subtree = _mth(leaves[start:end])
        forged = _mth([leaf_hash(b"forged"), *leaves[start + 1 : end]])
        with pytest.raises(ProofError):
            verify_subtree_consistency((start, end), size, forged, root, proof)
        with pytest.raises(ProofError):
            verify_subtree_consistency((start, end), size, subtree, b"\x00" * 32, proof)
        with pytest.raises(ProofError):
            verify_subtree_consistency((start, end), size, subtree, root, [*proof, root])
        if proof:
            with pytest.raises(ProofError):
                verify_subtree_consistency((start, end), size, subtree, root, proof[:-1])
            bent = [bytes(32), *proof[1:]]
            with pytest.raises(ProofError):
                verify_subtree_consistency((start, end), size, subtree, root, bent)


def test_the_whole_tree_and_the_empty_subtree_have_empty_proofs() -> None:
    store, leaves = _tree(9)
    assert subtree_consistency_proof(store, 0, 9, 9) == []
    verify_subtree_consistency((0, 9), 9, _mth(leaves), _mth(leaves), [])
    verify_subtree_consistency((4, 4), 9, EMPTY_ROOT, _mth(leaves), [])
    with pytest.raises(ValueError, match="not a subtree"):
        subtree_consistency_proof(store, 3, 9, 9)
    with pytest.raises(ProofError, match="not a subtree"):
        verify_subtree_consistency((0, 10), 9, _mth(leaves), _mth(leaves), [])


def test_leaves_root_is_the_hash_of_a_run_of_leaves_as_its_own_tree() -> None:
    _, leaves = _tree(300)
    assert leaves_root(leaves[256:300]) == _mth(leaves[256:300])


def test_the_canonical_sequence_is_aligned_at_256() -> None:
    assert package_spans(5, 5) == []
    assert package_spans(0, 10) == [(0, 0, 10)]
    assert package_spans(300, 800) == [(256, 300, 512), (512, 512, 768), (768, 768, 800)]
    assert package_spans(512, 768) == [(512, 512, 768)]


def _packages(start: int, end: int, size: int) -> tuple[AddEntries, list[EntryPackage]]:
    store, _ = _tree(size)
    packages = [
        EntryPackage(
            sub,
            first,
            tuple(f"entry {i}".encode() for i in range(first, last)),
            tuple(subtree_consistency_proof(store, sub, last, end)),
        )
        for sub, first, last in package_spans(start, end)
    ]
    return AddEntries("krai.example/log", start, end, b"t"), packages


def test_a_body_parses_back_into_its_header_and_packages() -> None:
    header, packages = _packages(300, 700, 700)
    parsed = parse_add_entries(format_add_entries(header, packages))
    assert parsed.header == header
    assert list(parsed.packages) == packages
    assert parsed.discarded is None


def test_a_package_cut_short_is_discarded_with_what_follows() -> None:
    header, packages = _packages(0, 600, 600)
    body = format_add_entries(header, packages)
    parsed = parse_add_entries(body[:-5])
    assert list(parsed.packages) == packages[:2]
    assert parsed.discarded is not None and "package at 512" in parsed.discarded
    prefix = parse_add_entries(format_add_entries(header, packages[:1]))
    assert list(prefix.packages) == packages[:1] and prefix.discarded is None


def test_more_than_63_proof_hashes_is_malformed() -> None:
    header = AddEntries("o", 0, 1, b"")
    body = format_add_entries(header, [EntryPackage(0, 0, (b"x",), ())])
    parsed = parse_add_entries(body[:-1] + bytes([64]) + bytes(64 * 32))
    assert parsed.packages == () and parsed.discarded is not None and "64" in parsed.discarded


def test_a_bad_header_is_a_request_error() -> None:
    with pytest.raises(MirrorRequestError, match="cut short"):
        parse_add_entries(b"\x00\x05ab")
    reversed_bounds = format_add_entries(AddEntries("o", 9, 3, b""), [])
    with pytest.raises(MirrorRequestError, match="exceeds"):
        parse_add_entries(reversed_bounds)


def test_mirror_info_is_three_lines() -> None:
    info = MirrorInfo(700, 512, b"\x01\x02")
    text = format_mirror_info(info)
    assert text == "700\n512\nAQI=\n"
    assert parse_mirror_info(text) == info
    assert parse_mirror_info("5\n5\n\n") == MirrorInfo(5, 5)
    with pytest.raises(MirrorRequestError):
        parse_mirror_info("5\n5\n")
