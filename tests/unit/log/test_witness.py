"""C2SP tlog-witness add-checkpoint as the witness judges it: every status, split views,
and the cosignature checked against the tlog-cosignature algorithm written out here."""

import base64
import hashlib

import nacl.signing
import pytest

from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.log.hashing import EMPTY_ROOT, leaf_hash
from krai.log.note import (
    CosignatureSigner,
    Note,
    NoteSigner,
    Signature,
    format_note,
    open_note,
    parse_note,
)
from krai.log.tree import CompactRange, MemoryNodeStore, consistency_proof, root_hash
from krai.log.witness import (
    FORK,
    INCONSISTENT,
    MAX_PROOF_LINES,
    SIZE_MEDIA_TYPE,
    AddCheckpoint,
    Recorded,
    Verdict,
    WitnessRequestError,
    format_add_checkpoint,
    judge,
    parse_add_checkpoint,
)

ORIGIN = "krai.example/witnessed"
LOG = NoteSigner(ORIGIN, bytes([1]) * 32)
IMPOSTOR = NoteSigner(ORIGIN, bytes([2]) * 32)
WITNESS = CosignatureSigner("witness.example/w1", bytes([7]) * 32)
NOW = 1_764_460_800


class Log:
    """A log in memory whose leaves depend on ``salt``: two salts, two views of one log."""

    def __init__(self, size: int, salt: bytes = b"", signer: NoteSigner = LOG) -> None:
        self.store, self.tree, self.signer = MemoryNodeStore(), CompactRange(), signer
        for index in range(size):
            self.store.put_nodes(self.tree.append(leaf_hash(salt + b"entry %d" % index)))

    def root(self, size: int) -> bytes:
        return root_hash(self.store, size)

    def note(self, size: int) -> str:
        return sign_checkpoint(Checkpoint(ORIGIN, size, self.root(size)), self.signer)

    def request(self, old: int, new: int, proof: list[bytes] | None = None) -> AddCheckpoint:
        nodes = consistency_proof(self.store, old, new) if proof is None else proof
        return parse_add_checkpoint(format_add_checkpoint(old, nodes, self.note(new)))

    def recorded(self, size: int) -> Recorded:
        return Recorded(size, self.root(size), self.note(size))


LOG_A = Log(12)
LOG_B = Log(12, salt=b"another view ")


def run(request: AddCheckpoint, recorded: Recorded | None = None) -> Verdict:
    return judge(request, [LOG.verifier], recorded, WITNESS, NOW)


def test_a_first_checkpoint_is_cosigned_and_recorded() -> None:
    verdict = run(LOG_A.request(0, 5))
    assert verdict.status == 200
    assert verdict.conflict is None
    assert verdict.body.startswith("\u2014 witness.example/w1 ") and verdict.body.count("\n") == 1
    assert verdict.record is not None
    assert (verdict.record.size, verdict.record.root_hash) == (5, LOG_A.root(5))
    kept = verdict.record.note
    assert [s.name for s in open_note(kept, [LOG.verifier, WITNESS.verifier])] == [
        ORIGIN,
        WITNESS.name,
    ]


def test_a_consistent_extension_is_cosigned() -> None:
    verdict = run(LOG_A.request(5, 12), LOG_A.recorded(5))
    assert verdict.status == 200 and verdict.record is not None
    assert verdict.record.size == 12


def test_the_same_checkpoint_again_is_cosigned_again() -> None:
    verdict = run(LOG_A.request(5, 5), LOG_A.recorded(5))
    assert verdict.status == 200 and verdict.record is not None and verdict.record.size == 5


def test_a_stale_old_size_gets_409_with_the_recorded_size() -> None:
    verdict = run(LOG_A.request(3, 12), LOG_A.recorded(5))
    assert (verdict.status, verdict.body, verdict.content_type) == (409, "5\n", SIZE_MEDIA_TYPE)
    assert verdict.record is None and verdict.conflict is None
    never = run(LOG_A.request(3, 12))
    assert (never.status, never.body) == (409, "0\n")


def test_a_wrong_proof_gets_422_and_is_kept_as_an_inconsistency() -> None:
    proof = consistency_proof(LOG_A.store, 5, 12)
    proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
    verdict = run(LOG_A.request(5, 12, proof), LOG_A.recorded(5))
    assert verdict.status == 422 and verdict.record is None
    assert verdict.conflict is not None and verdict.conflict.kind == INCONSISTENT


def test_a_proof_from_size_zero_must_be_empty() -> None:
    verdict = run(LOG_A.request(0, 5, consistency_proof(LOG_A.store, 2, 5)))
    assert verdict.status == 422 and verdict.conflict is None


def test_an_empty_checkpoint_needs_the_empty_root() -> None:
    wrong = sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32)), LOG)
    assert run(parse_add_checkpoint(format_add_checkpoint(0, [], wrong))).status == 422
    right = sign_checkpoint(Checkpoint(ORIGIN, 0, EMPTY_ROOT), LOG)
    assert run(parse_add_checkpoint(format_add_checkpoint(0, [], right))).status == 200


def test_an_unknown_origin_gets_404() -> None:
    verdict = judge(LOG_A.request(0, 5), None, None, WITNESS, NOW)
    assert verdict.status == 404 and "krai.example/witnessed" in verdict.body


def test_no_trusted_signature_gets_403() -> None:
    assert run(Log(5, signer=IMPOSTOR).request(0, 5)).status == 403
    note = parse_note(LOG_A.note(5))
    bad = Signature(ORIGIN, LOG.key_id, LOG.sign("another\n").sig)
    forged = format_note(Note(note.text, (bad,)))
    assert run(parse_add_checkpoint(format_add_checkpoint(0, [], forged))).status == 403


def test_an_old_size_above_the_checkpoint_gets_400() -> None:
    request = parse_add_checkpoint(format_add_checkpoint(7, [], LOG_A.note(5)))
    assert run(request, LOG_A.recorded(7)).status == 400


NOTE = LOG_A.note(5)
HASH = base64.b64encode(bytes(32)).decode()
MALFORMED = {
    "no empty line": f"old 0\n{NOTE}".replace("\n\n", "\n"),
    "no old line": f"\n{NOTE}",
    "old without space": f"old0\n\n{NOTE}",
    "leading zero": f"old 01\n\n{NOTE}",
    "negative": f"old -1\n\n{NOTE}",
    "size above 2^64-1": f"old {2**64}\n\n{NOTE}",
    "proof not base64": f"old 0\n%%%%\n\n{NOTE}",
    "proof not canonical": f"old 0\n{HASH[:-2]}=\n\n{NOTE}",
    "short proof hash": f"old 0\n{base64.b64encode(bytes(31)).decode()}\n\n{NOTE}",
    "64 proof lines": "old 0\n" + f"{HASH}\n" * (MAX_PROOF_LINES + 1) + f"\n{NOTE}",
    "no checkpoint": "old 0\n\n",
    "unsigned checkpoint": f"old 0\n\n{ORIGIN}\n5\n{HASH}\n",
    "malformed checkpoint": "old 0\n\n" + NOTE.replace("\n5\n", "\n05\n"),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_body_is_refused(body: str) -> None:
    with pytest.raises(WitnessRequestError):
        parse_add_checkpoint(body.encode())


def test_a_body_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(WitnessRequestError, match="UTF-8"):
        parse_add_checkpoint(b"old 0\n\n\xff\n")


def test_63_proof_lines_are_accepted_by_the_parser() -> None:
    body = "old 1\n" + f"{HASH}\n" * MAX_PROOF_LINES + f"\n{NOTE}"
    assert len(parse_add_checkpoint(body.encode()).proof) == MAX_PROOF_LINES


def test_the_same_size_with_another_root_is_a_fork_kept_as_evidence() -> None:
    recorded = LOG_A.recorded(12)
    verdict = run(LOG_B.request(12, 12), recorded)
    assert verdict.status == 422 and verdict.record is None
    conflict = verdict.conflict
    assert conflict is not None and conflict.kind == FORK
    assert conflict.recorded == recorded
    assert conflict.presented_note == LOG_B.note(12)
    assert conflict.presented_root == LOG_B.root(12) != recorded.root_hash


def test_a_fork_is_kept_even_when_its_old_size_is_stale() -> None:
    verdict = run(LOG_B.request(0, 12, []), LOG_A.recorded(12))
    assert verdict.status == 409
    assert verdict.conflict is not None and verdict.conflict.kind == FORK


def test_a_longer_tree_that_does_not_extend_the_recorded_one_is_refused() -> None:
    verdict = run(LOG_B.request(5, 12), LOG_A.recorded(5))
    assert verdict.status == 422
    assert verdict.conflict is not None and verdict.conflict.kind == INCONSISTENT


def test_a_zero_timestamp_is_never_signed() -> None:
    with pytest.raises(ValueError, match="zero"):
        judge(LOG_A.request(0, 5), [LOG.verifier], None, WITNESS, 0)


def test_the_cosignature_follows_the_c2sp_algorithm() -> None:
    """tlog-cosignature: key id = SHA-256(name ‖ "\\n" ‖ 0x04 ‖ key)[:4]; the signature is the
    8-byte big-endian time then Ed25519 over "cosignature/v1\\ntime <t>\\n" ‖ checkpoint."""
    verdict = run(LOG_A.request(0, 5))
    dash, name, encoded = verdict.body.rstrip("\n").split(" ")
    raw = base64.b64decode(encoded, validate=True)
    seed = bytes([7]) * 32
    public = bytes(nacl.signing.SigningKey(seed).verify_key)
    expected_id = hashlib.sha256(name.encode() + b"\n\x04" + public).digest()[:4]
    assert (dash, name, raw[:4], len(raw)) == ("\u2014", "witness.example/w1", expected_id, 76)
    assert int.from_bytes(raw[4:12], "big") == NOW
    text = parse_note(LOG_A.note(5)).text
    message = f"cosignature/v1\ntime {NOW}\n{text}".encode()
    nacl.signing.VerifyKey(public).verify(message, raw[12:])
