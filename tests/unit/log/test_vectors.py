"""Every conformance vector of shared/vectors/rfc6962_vectors.json.

Two sections of ``accumulated_mtc_vectors`` (subtree consistency proofs and covering
subtrees) belong to the Merkle Tree Certificates draft, not to RFC 9162, and are not
checked here; every RFC root and inclusion proof they cover is (subtree_hash and
subtree_inclusion_proof). One verifier probe is expected to differ from Go's semantics:
krai refuses hashes that are not 32 bytes even when the two sizes are equal.
"""

import hashlib
from typing import Any

import pytest

from krai.log.checkpoint import parse_checkpoint_text
from krai.log.hashing import EMPTY_ROOT, leaf_hash, node_hash
from krai.log.note import open_note, parse_note, parse_skey, parse_vkey, sign_note
from krai.log.tree import (
    CompactRange,
    MemoryNodeStore,
    consistency_proof,
    inclusion_proof,
    root_hash,
)
from krai.log.verify import ProofError, verify_consistency, verify_inclusion

STRICTER_THAN_GO = {"testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


def store_of(leaves: list[bytes]) -> MemoryNodeStore:
    store, tree = MemoryNodeStore(), CompactRange()
    for data in leaves:
        store.put_nodes(tree.append(leaf_hash(data)))
    return store


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


@pytest.fixture(scope="module")
def reference(vectors: dict[str, Any]) -> MemoryNodeStore:
    return store_of(hexes(vectors["reference_tree"]["leaf_inputs_hex"]))


def test_reference_roots_for_every_size(
    vectors: dict[str, Any], reference: MemoryNodeStore
) -> None:
    roots = vectors["reference_tree"]["roots_by_size_hex"]
    assert len(roots) == 9
    for size, expected in roots.items():
        assert root_hash(reference, int(size)).hex() == expected


def test_reference_node_hashes(vectors: dict[str, Any], reference: MemoryNodeStore) -> None:
    levels = vectors["reference_tree"]["node_hashes_hex"]
    expected = {(level, i): h for level, row in enumerate(levels) for i, h in enumerate(row)}
    assert len(expected) == 15
    stored = reference.read_nodes(sorted(expected))
    assert {key: value.hex() for key, value in stored.items()} == expected


def test_hasher_vectors(vectors: dict[str, Any]) -> None:
    for case in vectors["hasher_vectors"]["vectors"]:
        if case["op"] == "empty_root":
            got = EMPTY_ROOT
        elif case["op"] == "leaf":
            got = leaf_hash(bytes.fromhex(case["input_hex"]))
        else:
            got = node_hash(bytes.fromhex(case["left_hex"]), bytes.fromhex(case["right_hex"]))
        assert got.hex() == case["expected_hex"], case["desc"]


def test_inclusion_proof_kats(vectors: dict[str, Any], reference: MemoryNodeStore) -> None:
    for case in vectors["inclusion_proofs"]["vectors"]:
        index, size = case["leaf_index"], case["tree_size"]
        path = hexes(case["audit_path_hex"] if "audit_path_hex" in case else case["proof_hex"])
        assert inclusion_proof(reference, index, size) == path
        verify_inclusion(
            index, size, bytes.fromhex(case["leaf_hash_hex"]), path, bytes.fromhex(case["root_hex"])
        )


def test_consistency_proof_kats(vectors: dict[str, Any], reference: MemoryNodeStore) -> None:
    for case in vectors["consistency_proofs"]["vectors"]:
        first, second, proof = case["size1"], case["size2"], hexes(case["proof_hex"])
        assert consistency_proof(reference, first, second) == proof
        verify_consistency(
            first, second, bytes.fromhex(case["root1_hex"]), bytes.fromhex(case["root2_hex"]), proof
        )


def test_production_ct_inclusion_proof(vectors: dict[str, Any]) -> None:
    case = vectors["ct_production_inclusion_proof"]
    leaf = leaf_hash(bytes.fromhex(case["leaf_input_hex"]))
    assert leaf.hex() == case["leaf_hash_hex"]
    path = hexes(case["audit_path_hex"])
    assert len(path) == 22
    verify_inclusion(
        case["leaf_index"], case["tree_size"], leaf, path, bytes.fromhex(case["root_hex"])
    )


def _probe_passes(kind: str, probe: dict[str, Any]) -> bool:
    try:
        if kind == "inclusion":
            verify_inclusion(
                probe["leaf_index"],
                probe["tree_size"],
                bytes.fromhex(probe["leaf_hash_hex"]),
                hexes(probe["audit_path_hex"]),
                bytes.fromhex(probe["root_hex"]),
            )
        else:
            verify_consistency(
                probe["size1"],
                probe["size2"],
                bytes.fromhex(probe["root1_hex"]),
                bytes.fromhex(probe["root2_hex"]),
                hexes(probe["proof_hex"]),
            )
    except ProofError:
        return False
    return True


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_every_verifier_probe(vectors: dict[str, Any], kind: str) -> None:
    probes = vectors["verifier_probes"][kind]
    assert len(probes) == 98
    differing = {p["file"] for p in probes if _probe_passes(kind, p) == p["want_error"]}
    assert differing == (STRICTER_THAN_GO if kind == "consistency" else set())


def test_the_one_stricter_probe_is_refused_for_its_short_hashes(vectors: dict[str, Any]) -> None:
    probe = next(
        p for p in vectors["verifier_probes"]["consistency"] if p["file"] in STRICTER_THAN_GO
    )
    assert len(bytes.fromhex(probe["root1_hex"])) != 32
    with pytest.raises(ProofError, match="32"):
        verify_consistency(
            1, 1, bytes.fromhex(probe["root1_hex"]), bytes.fromhex(probe["root2_hex"]), []
        )


def _valid_subtree(start: int, end: int) -> bool:
    if start in {0, end}:
        return start <= end
    ceiling = 1 << (end - start - 1).bit_length()
    return start % ceiling == 0


def _accumulated(vectors: dict[str, Any], name: str) -> str:
    return str(
        next(v for v in vectors["accumulated_mtc_vectors"]["vectors"] if v["name"] == name)[
            "sha256_of_lines_hex"
        ]
    )


def test_accumulated_subtree_hashes(vectors: dict[str, Any]) -> None:
    leaves = [bytes([i]) for i in range(130)]
    lines = []
    for end in range(131):
        for start in range(end + 1):
            if _valid_subtree(start, end):
                lines.append(
                    f"[{start}, {end}) {root_hash(store_of(leaves[start:end]), end - start).hex()}"
                    "\n"
                )
    digest = hashlib.sha256("".join(lines).encode()).hexdigest()
    assert digest == _accumulated(vectors, "subtree_hash")


def test_accumulated_subtree_inclusion_proofs(vectors: dict[str, Any]) -> None:
    leaves = [bytes([i]) for i in range(130)]
    accumulator = hashlib.sha256()
    for end in range(131):
        for start in range(end):
            if not _valid_subtree(start, end):
                continue
            store = store_of(leaves[start:end])
            for index in range(start, end):
                path = inclusion_proof(store, index - start, end - start)
                accumulator.update(
                    (
                        f"{index} [{start}, {end})" + "".join(f" {h.hex()}" for h in path) + "\n"
                    ).encode()
                )
    assert accumulator.hexdigest() == _accumulated(vectors, "subtree_inclusion_proof")


def test_signed_note_vectors(vectors: dict[str, Any]) -> None:
    cases = vectors["signed_notes"]["vectors"]
    for case in cases:
        if case["expect_valid"]:
            _, verified = open_note(case["signed_note"], [parse_vkey(case["vkey"])])
            assert len(verified) == 1
    skey_case = next(c for c in cases if "skey" in c)
    assert sign_note(skey_case["text"], [parse_skey(skey_case["skey"])]) == skey_case["signed_note"]


def test_checkpoint_format_sample_parses(vectors: dict[str, Any]) -> None:
    sample = next(c for c in vectors["signed_notes"]["vectors"] if c["expect_valid"] is None)
    checkpoint = parse_checkpoint_text(parse_note(sample["signed_note"]).text)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
