"""A checkpoint accepted only with k of n witness cosignatures: a real cosigned checkpoint of
a public log, and the refusals, each with its reason."""

import pytest

from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.log.cosigned import (
    QuorumError,
    k_of_n_policy,
    k_of_n_policy_text,
    verify_cosigned,
    verify_with_policy,
)
from krai.log.note import (
    CosignatureSigner,
    Note,
    NoteError,
    NoteSigner,
    Signature,
    format_note,
    format_vkey,
    parse_cosignature_vkey,
    parse_note,
)
from krai.log.policy import parse_policy

# A checkpoint of the staging CT log arche2025h1.staging.ct.transparency.dev as published,
# with the log's RFC 6962 (0x05) and Ed25519 (0x01) signatures and the tlog-cosignature/v1
# (0x04) cosignatures of four public witnesses; recorded in florolf/tlog-scales' tests
# (tests/test_signing.py). The witness keys are those the witnesses publish.
REAL_NOTE = """arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

\u2014 arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
\u2014 arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
\u2014 transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
\u2014 witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
\u2014 remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
\u2014 witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
"""  # noqa: E501 - signature lines as published
REAL_LOG = (
    "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
)
REAL_WITNESSES = [
    "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
    "witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv",
    "transparency.dev/DEV:witness-little-garden+d8042a87+BCtusOxINQNUTN5Oj8HObRkh2yHf/MwYaGX4CPdiVEPM",
    "witness1.smartit.nu/witness1+a48c820f+BPSFWg9G6KPiO7QPryYO5Xq4oYJJ+kAvLKLSimDhoxMO",
]
REAL_TIME = 0x6A122120  # the eight bytes after each witness's key id, big-endian


def test_a_real_checkpoint_cosigned_by_four_public_witnesses_verifies() -> None:
    verified = verify_cosigned(REAL_NOTE, REAL_LOG, REAL_WITNESSES, 4)
    assert verified.checkpoint.size == 1432088532
    assert len(verified.cosigners) == 4
    assert set(verified.timestamps.values()) == {REAL_TIME}


def test_the_real_checkpoint_altered_does_not_verify() -> None:
    altered = REAL_NOTE.replace("\n1432088532\n", "\n1432088533\n")
    with pytest.raises(QuorumError):
        verify_cosigned(altered, REAL_LOG, REAL_WITNESSES, 1)


ORIGIN = "krai.example/log"
LOG = NoteSigner(ORIGIN, bytes([1]) * 32)
WITNESSES = [CosignatureSigner(f"w{n}.example", bytes([20 + n]) * 32) for n in range(3)]
STRANGER = CosignatureSigner("stranger.example", bytes([40]) * 32)
VKEYS = [format_vkey(w.verifier) for w in WITNESSES]


def cosigned(*cosigners: CosignatureSigner, log: NoteSigner = LOG) -> str:
    note = parse_note(sign_checkpoint(Checkpoint(ORIGIN, 7, bytes(32)), log))
    lines = tuple(c.sign(note.text, 1_764_000_000 + n) for n, c in enumerate(cosigners))
    return format_note(Note(note.text, (*note.signatures, *lines)))


def test_k_of_n_counts_the_valid_cosignatures() -> None:
    note = cosigned(WITNESSES[0], WITNESSES[2])
    verified = verify_cosigned(note, format_vkey(LOG.verifier), VKEYS, 2)
    assert verified.cosigners == ("w0.example", "w2.example")
    with pytest.raises(QuorumError, match=r"too few valid witness cosignatures: 2 .*needs 3 of"):
        verify_cosigned(note, LOG.verifier, VKEYS, 3)


def test_unknown_cosigners_are_ignored_and_do_not_count() -> None:
    note = cosigned(STRANGER, WITNESSES[1])
    assert verify_cosigned(note, LOG.verifier, VKEYS, 1).cosigners == ("w1.example",)
    with pytest.raises(QuorumError, match="too few valid witness cosignatures: 1"):
        verify_cosigned(note, LOG.verifier, VKEYS, 2)


def test_one_witness_twice_counts_once() -> None:
    note = cosigned(WITNESSES[0], WITNESSES[0])
    with pytest.raises(QuorumError, match="too few valid witness cosignatures: 1"):
        verify_cosigned(note, LOG.verifier, VKEYS, 2)


def test_a_failing_cosignature_of_a_known_witness_refuses_the_note() -> None:
    note = parse_note(cosigned(WITNESSES[0], WITNESSES[1]))
    good = note.signatures[1]
    bad = Signature(good.name, good.key_id, good.sig[:-1] + bytes([good.sig[-1] ^ 1]))
    broken = format_note(Note(note.text, (note.signatures[0], bad, note.signatures[2])))
    with pytest.raises(QuorumError, match=r"w0\.example does not verify"):
        verify_cosigned(broken, LOG.verifier, VKEYS, 1)


def test_the_log_must_sign() -> None:
    other = NoteSigner(ORIGIN, bytes([3]) * 32)
    with pytest.raises(QuorumError, match="the log's signature"):
        verify_cosigned(cosigned(*WITNESSES, log=other), LOG.verifier, VKEYS, 1)
    elsewhere = NoteSigner("elsewhere.example", bytes([1]) * 32)
    with pytest.raises(QuorumError, match="no log key for origin"):
        verify_cosigned(cosigned(*WITNESSES), elsewhere.verifier, VKEYS, 1)


def test_a_log_key_is_not_a_witness_key() -> None:
    with pytest.raises(NoteError, match="type 0x04"):
        verify_cosigned(cosigned(*WITNESSES), LOG.verifier, [format_vkey(LOG.verifier)], 1)


def test_k_must_lie_between_1_and_n() -> None:
    for k in (0, 4):
        with pytest.raises(ValueError, match="threshold"):
            verify_cosigned(cosigned(*WITNESSES), LOG.verifier, VKEYS, k)


def test_no_witnesses_and_k_zero_is_the_plain_signed_checkpoint() -> None:
    assert verify_cosigned(cosigned(), LOG.verifier, [], 0).cosigners == ()


def test_the_k_of_n_policy_file_is_a_tlog_policy() -> None:
    named = [(f"n{i}", w.verifier, f"http://w{i}.example") for i, w in enumerate(WITNESSES)]
    text = k_of_n_policy_text(LOG.verifier, named, 2)
    assert text.splitlines()[-2:] == ["group quorum 2 n0 n1 n2", "quorum quorum"]
    policy = parse_policy(text)
    assert "witness n1 " in text and text.splitlines()[2].endswith(" http://w1.example")
    verified = verify_with_policy(cosigned(WITNESSES[1], WITNESSES[2]), policy)
    assert verified.cosigners == ("n1", "n2")
    same = k_of_n_policy(LOG.verifier, [parse_cosignature_vkey(v) for v in VKEYS], 2)
    assert same.describe() == "2 of (witness w0.example, witness w1.example, witness w2.example)"


def test_a_policy_with_mirrors_needs_their_quorum_besides_the_witnesses() -> None:
    witnesses = [(f"n{i}", w.verifier, None) for i, w in enumerate(WITNESSES[:2])]
    mirror = [("bank-mirror", WITNESSES[2].verifier, None)]
    text = k_of_n_policy_text(LOG.verifier, witnesses, 2, mirror, 1)
    assert text.splitlines()[-4:] == [
        "group witnesses 2 n0 n1",
        "group mirrors 1 bank-mirror",
        "group quorum all witnesses mirrors",
        "quorum quorum",
    ]
    policy = parse_policy(text)
    with pytest.raises(QuorumError, match="too few valid witness cosignatures: 2"):
        verify_with_policy(cosigned(WITNESSES[0], WITNESSES[1]), policy)
    with pytest.raises(QuorumError, match=r"needs 2 of \(2 of \(witness n0, witness n1\), 1 of"):
        verify_with_policy(cosigned(WITNESSES[0], WITNESSES[2]), policy)
    assert verify_with_policy(cosigned(*WITNESSES), policy).cosigners == (
        "bank-mirror",
        "n0",
        "n1",
    )
    alone = parse_policy(k_of_n_policy_text(LOG.verifier, [], 0, mirror, 1))
    assert verify_with_policy(cosigned(WITNESSES[2]), alone).cosigners == ("bank-mirror",)
    with pytest.raises(QuorumError, match="needs 1 of"):
        verify_with_policy(cosigned(), alone)


def test_a_policy_with_groups_is_evaluated_as_tlog_policy_says() -> None:
    lines = [f"log {format_vkey(LOG.verifier)}"]
    lines += [f"witness {n} {v}" for n, v in zip(("A1", "A2", "B1"), VKEYS, strict=True)]
    lines += ["group A 2 A1 A2", "group both all A B1", "quorum both"]
    policy = parse_policy("\n".join(lines) + "\n")
    assert verify_with_policy(cosigned(*WITNESSES), policy).cosigners == ("A1", "A2", "B1")
    with pytest.raises(QuorumError, match="needs 2 of"):
        verify_with_policy(cosigned(WITNESSES[0], WITNESSES[2]), policy)
