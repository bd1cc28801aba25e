"""C2SP tlog-proof receipts: layout, strict parsing, and each refusal of the verifier."""

import base64
from dataclasses import replace

import pytest

from krai.log.checkpoint import Checkpoint, format_checkpoint_text
from krai.log.hashing import leaf_hash
from krai.log.note import CosignatureSigner, Note, NoteSigner, format_note, format_vkey
from krai.log.policy import Policy, parse_policy
from krai.log.receipt import (
    HEADER,
    Receipt,
    ReceiptError,
    format_receipt,
    parse_receipt,
    verify_receipt,
)
from krai.log.tree import CompactRange, MemoryNodeStore, inclusion_proof, root_hash

ORIGIN = "krai.example/receipts"
LOG = NoteSigner(ORIGIN, bytes([1]) * 32)
IMPOSTOR = NoteSigner(ORIGIN, bytes([2]) * 32)
WITNESSES = [CosignatureSigner(f"w{n}.example", bytes([20 + n]) * 32) for n in range(4)]
ENTRIES = [b'{"entry":%d}' % n for n in range(13)]
INDEX = 9
TIME = 1_767_000_000


def store() -> MemoryNodeStore:
    nodes, tree = MemoryNodeStore(), CompactRange()
    for data in ENTRIES:
        nodes.put_nodes(tree.append(leaf_hash(data)))
    return nodes


NODES = store()
CHECKPOINT = Checkpoint(ORIGIN, len(ENTRIES), root_hash(NODES, len(ENTRIES)))
TEXT = format_checkpoint_text(CHECKPOINT)


def note(log: NoteSigner = LOG, cosigners: int = 2, text: str = TEXT) -> str:
    signatures = [log.sign(text)]
    signatures += [witness.sign(text, TIME + n) for n, witness in enumerate(WITNESSES[:cosigners])]
    return format_note(Note(text, tuple(signatures)))


def receipt(**changes: object) -> Receipt:
    proof = tuple(inclusion_proof(NODES, INDEX, len(ENTRIES)))
    base = Receipt(INDEX, proof, note(), ENTRIES[INDEX])
    return replace(base, **changes)  # type: ignore[arg-type]


def policy(k: int = 2, log: NoteSigner = LOG) -> Policy:
    lines = [f"log {format_vkey(log.verifier)}"]
    lines += [f"witness W{n} {format_vkey(w.verifier)}" for n, w in enumerate(WITNESSES[:3])]
    lines += [f"group witnesses {k} W0 W1 W2", "quorum witnesses"]
    return parse_policy("\n".join(lines) + "\n")


def test_the_layout_is_the_one_of_c2sp_and_transparency_dev() -> None:
    proof = (bytes(32), bytes([255]) * 32)
    text = format_receipt(Receipt(5, proof, "checkpoint\n", b"extra information"))
    assert text == (
        f"{HEADER}\nextra {base64.b64encode(b'extra information').decode()}\nindex 5\n"
        f"{base64.b64encode(proof[0]).decode()}\n{base64.b64encode(proof[1]).decode()}\n"
        "\ncheckpoint\n"
    )
    assert format_receipt(Receipt(0, (), "checkpoint\n")) == f"{HEADER}\nindex 0\n\ncheckpoint\n"


def test_a_receipt_round_trips_and_verifies_under_the_policy() -> None:
    issued = receipt()
    parsed = parse_receipt(format_receipt(issued))
    assert parsed == issued
    verified = verify_receipt(parsed, policy())
    assert verified.checkpoint == CHECKPOINT
    assert verified.leaf_hash == leaf_hash(ENTRIES[INDEX])
    assert verified.cosigners == (("W0", TIME), ("W1", TIME + 1))


def test_a_receipt_without_extra_needs_the_entry() -> None:
    bare = receipt(extra=None)
    assert parse_receipt(format_receipt(bare)) == bare
    assert verify_receipt(bare, policy(), ENTRIES[INDEX]).index == INDEX
    with pytest.raises(ReceiptError, match="carries no entry"):
        verify_receipt(bare, policy())
    with pytest.raises(ReceiptError, match="differs from the one the receipt carries"):
        verify_receipt(receipt(), policy(), ENTRIES[0])


def test_a_tampered_proof_is_refused() -> None:
    proof = list(receipt().proof)
    proof[1] = bytes([proof[1][0] ^ 1]) + proof[1][1:]
    with pytest.raises(ReceiptError, match="inclusion proof of entry 9 does not lead to the root"):
        verify_receipt(receipt(proof=tuple(proof)), policy())


def test_another_entry_or_index_is_refused() -> None:
    with pytest.raises(ReceiptError, match="does not lead to the root"):
        verify_receipt(receipt(extra=ENTRIES[8]), policy())
    with pytest.raises(ReceiptError, match="does not lead to the root"):
        verify_receipt(receipt(index=8), policy())
    with pytest.raises(ReceiptError, match="index 13 is outside a tree of 13"):
        verify_receipt(receipt(index=13), policy())


def test_a_checkpoint_of_another_origin_is_refused() -> None:
    other = format_checkpoint_text(replace(CHECKPOINT, origin="krai.example/elsewhere"))
    forged = note(NoteSigner("krai.example/elsewhere", bytes([1]) * 32), text=other)
    with pytest.raises(ReceiptError, match=r"no log key for origin 'krai\.example/elsewhere'"):
        verify_receipt(receipt(checkpoint=forged), policy())


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    with pytest.raises(ReceiptError, match="not signed by a key the policy lists"):
        verify_receipt(receipt(checkpoint=note(IMPOSTOR)), policy())
    with pytest.raises(ReceiptError, match="not signed by a key the policy lists"):
        verify_receipt(receipt(), policy(log=IMPOSTOR))


def test_a_changed_checkpoint_is_refused() -> None:
    changed = receipt().checkpoint.replace(f"\n{len(ENTRIES)}\n", f"\n{len(ENTRIES) + 1}\n", 1)
    with pytest.raises(ReceiptError, match="does not verify"):
        verify_receipt(receipt(checkpoint=changed), policy())


def test_too_few_cosignatures_are_refused() -> None:
    with pytest.raises(ReceiptError, match=r"too few valid witness cosignatures: .* needs 3 of"):
        verify_receipt(receipt(), policy(k=3))
    with pytest.raises(ReceiptError, match=r"cosignatures: 0 \(none\)"):
        verify_receipt(receipt(checkpoint=note(cosigners=0)), policy(k=1))
    assert verify_receipt(receipt(checkpoint=note(cosigners=3)), policy(k=3)).cosigners


def test_a_witness_unknown_to_the_policy_does_not_count() -> None:
    text = note(cosigners=4)
    assert len(verify_receipt(receipt(checkpoint=text), policy()).cosigners) == 3
    only_unknown = format_note(
        Note(TEXT, (LOG.sign(TEXT), WITNESSES[3].sign(TEXT, TIME), WITNESSES[0].sign(TEXT, TIME)))
    )
    with pytest.raises(ReceiptError, match="too few"):
        verify_receipt(receipt(checkpoint=only_unknown), policy(k=2))


def test_a_failing_cosignature_of_a_known_witness_is_refused() -> None:
    forged = WITNESSES[1].sign(TEXT, TIME)
    forged = replace(forged, sig=forged.sig[:8] + WITNESSES[0].sign(TEXT, TIME).sig[8:])
    text = format_note(Note(TEXT, (LOG.sign(TEXT), WITNESSES[0].sign(TEXT, TIME), forged)))
    with pytest.raises(ReceiptError, match=r"witness W1 does not verify \(key w1\.example\)"):
        verify_receipt(receipt(checkpoint=text), policy(k=1))


def test_a_cosignature_of_another_time_is_refused() -> None:
    signature = WITNESSES[0].sign(TEXT, TIME)
    moved = replace(signature, sig=(TIME + 1).to_bytes(8, "big") + signature.sig[8:])
    text = format_note(Note(TEXT, (LOG.sign(TEXT), moved)))
    with pytest.raises(ReceiptError, match="cosignature of witness W0"):
        verify_receipt(receipt(checkpoint=text), policy(k=1))


GOOD = format_receipt(receipt())
MALFORMED = {
    "another header": (GOOD.replace(HEADER, "c2sp.org/tlog-proof@v2"), "starts with the line"),
    "no index": (GOOD.replace("index 9\n", ""), "'index <n>' line"),
    "index with a leading zero": (GOOD.replace("index 9", "index 09"), "index '09' is not"),
    "negative index": (GOOD.replace("index 9", "index -9"), "index '-9' is not"),
    "index beyond 2^64": (GOOD.replace("index 9", f"index {2**64}"), "is not a decimal below"),
    "extra not canonical": (GOOD.replace("extra ", "extra  "), "extra line is not canonical"),
    "short hash": (
        GOOD.replace("\n\n", f"\n{base64.b64encode(bytes(31)).decode()}\n\n", 1),
        "proof hash 4 has 31 bytes",
    ),
    "hash not base64": (GOOD.replace("\n\n", "\n!!!!\n\n", 1), "proof hash 4 is not canonical"),
    "no empty line": (GOOD.replace("\n\n", "\n", 1), "proof hash 4 is not canonical"),
    "nothing after the proof": (GOOD.split("\n\n")[0], "an empty line between"),
    "checkpoint unsigned": (GOOD.split("\n\n")[0] + "\n\n" + TEXT, "not a signed note"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_receipt_is_refused(case: str) -> None:
    text, message = MALFORMED[case]
    with pytest.raises(ReceiptError, match=message):
        parse_receipt(text)
