"""A primary pushes to a mirror over real HTTP (C2SP tlog-mirror, ADR 0037): the mirror
stores and verifies the entries, cosigns only then, serves the log's tiles under its
monitoring prefix, and a receipt from the primary verifies under a policy that requires the
mirror. Refusals: a stale old size, a bad proof, an unknown key, an unknown origin, entries
that do not prove consistent, and a forged entry the log signed (alarm, nothing stored)."""

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from krai.adapters.tiles_client import HttpTileSource
from krai.app.receipts import check_receipt
from krai.app.remote_verify import verify_remote
from krai.bootstrap import (
    Services,
    build,
    found_network,
    log_signer,
    mirror_key,
    mirroring,
    new_engine,
)
from krai.config.settings import (
    Settings,
    WitnessSettings,
    default_database_url,
    load_settings,
    write_mirrors,
    write_settings,
    write_witnesses,
)
from krai.entrypoints.api.mirror import origin_hash
from krai.log.checkpoint import Checkpoint, sign_checkpoint
from krai.log.cosigned import k_of_n_policy_text
from krai.log.hashing import leaf_hash
from krai.log.mirror import (
    MIRROR_INFO_MEDIA_TYPE,
    AddEntries,
    EntryPackage,
    format_add_entries,
    package_spans,
    parse_mirror_info,
    subtree_consistency_proof,
)
from krai.log.note import CosignatureSigner, format_vkey, parse_note, parse_vkey
from krai.log.policy import parse_policy
from krai.log.receipt import ReceiptError
from krai.log.tree import CompactRange, MemoryNodeStore, NodeReader, consistency_proof
from krai.log.witness import format_add_checkpoint
from krai.state.entry import decode_entry
from tests.api.conftest import FOUNDER, Live, served
from tests.api.test_receipts_cosigned import WITNESS, cosign

ORIGIN = "krai.example/mirrored"
MIRROR_NAME = "mirror.example/m1"
WAIT_S = 60.0


@dataclass
class Pair:
    primary: Live
    mirror: Live
    signer: CosignatureSigner

    @property
    def policy(self) -> str:
        """The primary's policy requiring the mirror's cosignature (policy-file --mirror)."""
        log = self.primary.services.log_verifier
        return k_of_n_policy_text(log, [], 0, [("m1", self.signer.verifier, None)], 1)


def _anchor(live: Live, numbers: range) -> list[str]:
    """Notary anchors titled D<n>, sequenced by the primary; their transaction ids."""
    transactions = [
        live.signed(
            "notary.anchor",
            {"sha256": hashlib.sha256(b"%d" % n).hexdigest(), "title": f"D{n}", "kind": "report"},
            nonce=f"mirrored-{n}",
        )
        for n in numbers
    ]
    answer = live.client.post("/v1/transactions", json={"transactions": transactions})
    assert answer.status_code == 200, answer.text
    return [result["tx_id"] for result in answer.json()["results"]]


def _mirror_home(
    home: Path, vkey: str, policy: str | None = None
) -> tuple[Services, CosignatureSigner]:
    home.mkdir(parents=True)
    settings = Settings(
        home, default_database_url(home), ORIGIN, follows="http://127.0.0.1:9", log_vkey=vkey
    )
    write_settings(settings)
    if policy is not None:  # as `krai follow --policy` keeps it
        (home / "follow").mkdir()
        (home / "follow" / "policy").write_text(policy)
    signer = mirror_key(settings, MIRROR_NAME)
    assert signer is not None
    return build(load_settings(home)), signer


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    """A primary with 40 anchors, served, and an empty mirror of it, served."""
    home = tmp_path / "primary"
    found_network(Settings(home, default_database_url(home), ORIGIN), FOUNDER).close()
    mirror_services, signer = _mirror_home(tmp_path / "mirror", _log_vkey(home))
    try:
        with served(mirror_services) as mirror:
            url, vkey = f"{mirror.url}/mirror", format_vkey(signer.verifier)
            write_mirrors(home, (WitnessSettings("m1", url, vkey),))  # `krai log mirrors add`
            primary_services = build(load_settings(home))
            try:
                with served(primary_services) as primary:
                    _anchor(primary, range(40))
                    yield Pair(primary, mirror, signer)
            finally:
                primary_services.close()
    finally:
        mirror_services.close()


def _log_vkey(home: Path) -> str:
    services = build(load_settings(home))
    try:
        return format_vkey(services.log_verifier)
    finally:
        services.close()


def _wait_for_line(live: Live, name: str) -> str:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        note = live.client.get("/checkpoint").text
        if any(line.name == name for line in parse_note(note).signatures):
            return note
        time.sleep(0.1)
    raise AssertionError(f"no cosignature by {name}: {live.client.get('/v1/status').text}")


def test_the_primary_pushes_and_its_receipts_then_prove_the_mirror_stored_them(
    pair: Pair,
) -> None:
    tx_id = _anchor(pair.primary, range(40, 41))[0]
    before = pair.primary.client.get(f"/v1/receipts/{tx_id}").text
    with pytest.raises(ReceiptError, match="too few"):
        check_receipt(before, pair.policy.encode())

    with mirroring(pair.primary.services, interval_s=0.05) as pushing:
        assert pushing
        note = _wait_for_line(pair.primary, MIRROR_NAME)
        status = pair.primary.client.get("/v1/status").json()
    assert status["mirrors"][0]["name"] == "m1"
    assert status["mirrors"][0]["cosigned_size"] == 42 and status["mirrors"][0]["error"] is None

    receipt = pair.primary.client.get(f"/v1/receipts/{tx_id}").text
    checked = check_receipt(receipt, pair.policy.encode(), tx_id=tx_id)
    assert checked["ok"] and checked["index"] == 41, checked
    assert pair.mirror.client.get("/checkpoint").text == note  # the same cosigned note
    status = pair.mirror.client.get("/v1/status").json()
    assert status["size"] == 42 and status["alarm"] is None


def test_the_mirror_serves_the_log_under_its_monitoring_prefix(pair: Pair) -> None:
    with mirroring(pair.primary.services, interval_s=0.05):
        _wait_for_line(pair.primary, MIRROR_NAME)
    prefix = f"{pair.mirror.url}/mirror/{origin_hash(ORIGIN)}"
    with HttpTileSource(prefix) as source:
        report = verify_remote(source, parse_policy(pair.policy), new_engine)
    assert report["entries"] == 41
    assert pair.mirror.client.get("/mirror/" + "0" * 64 + "/checkpoint").status_code == 404
    tile = pair.mirror.client.get(f"/mirror/{origin_hash(ORIGIN)}/tile/0/000.p/41")
    assert tile.content == pair.primary.client.get("/tile/0/000.p/41").content


def _note(live: Live) -> str:
    latest = live.services.storage.latest_checkpoint()
    assert latest is not None
    return latest.note


def _post(live: Live, path: str, body: bytes) -> httpx.Response:
    return live.client.post(f"/mirror/{path}", content=body)


def test_add_checkpoint_refuses_a_stale_size_a_bad_proof_and_an_unknown_key(pair: Pair) -> None:
    note = _note(pair.primary)
    assert (
        _post(pair.mirror, "add-checkpoint", format_add_checkpoint(0, [], note)).status_code == 200
    )
    stale = _post(pair.mirror, "add-checkpoint", format_add_checkpoint(0, [], note))
    assert (stale.status_code, stale.text) == (409, "41\n")
    assert stale.headers["content-type"].startswith("text/x.tlog.size")
    _anchor(pair.primary, range(40, 41))
    newer = _note(pair.primary)
    bad = format_add_checkpoint(41, [hashlib.sha256(b"x").digest()], newer)
    assert _post(pair.mirror, "add-checkpoint", bad).status_code == 422
    impostor = CosignatureSigner("other", bytes([9]) * 32)  # a signature by no key it knows
    text = parse_note(newer).text
    forged = text + "\n— " + ORIGIN + " " + impostor.sign(text, 5).line().split(" ", 2)[2]
    assert (
        _post(pair.mirror, "add-checkpoint", format_add_checkpoint(41, [], forged)).status_code
        == 403
    )
    storage = pair.primary.services.storage
    good = format_add_checkpoint(41, consistency_proof(storage, 41, 42), newer)
    assert _post(pair.mirror, "add-checkpoint", good).status_code == 200
    assert pair.mirror.client.post("/v1/transactions", json={}).status_code == 405


def _packages(reader: NodeReader, entries: list[bytes], start: int, end: int) -> list[EntryPackage]:
    return [
        EntryPackage(
            sub,
            first,
            tuple(entries[first:last]),
            tuple(subtree_consistency_proof(reader, sub, last, end)),
        )
        for sub, first, last in package_spans(start, end)
    ]


def _forged(data: bytes) -> bytes:
    """The entry with its anchor's title changed: canonical still, its signature broken."""
    assert b'"title":"D' in data
    return data.replace(b'"title":"D', b'"title":"F')


def _stored(live: Live) -> list[bytes]:
    storage = live.services.storage
    return [entry.data for entry in storage.entries(0, storage.log_size())]


def test_entries_that_do_not_prove_consistent_are_refused_and_not_stored(pair: Pair) -> None:
    note = _note(pair.primary)
    _post(pair.mirror, "add-checkpoint", format_add_checkpoint(0, [], note))
    entries = _stored(pair.primary)
    storage = pair.primary.services.storage
    unknown = format_add_entries(AddEntries("krai.example/other", 0, 41, b""), [])
    assert _post(pair.mirror, "add-entries", unknown).status_code == 404
    early = _post(pair.mirror, "add-entries", format_add_entries(AddEntries(ORIGIN, 0, 7, b""), []))
    assert early.status_code == 409
    assert early.headers["content-type"].startswith(MIRROR_INFO_MEDIA_TYPE)
    assert parse_mirror_info(early.text).next_entry == 0
    packages = _packages(storage, entries, 0, 41)
    tampered = [*entries]
    tampered[5] = _forged(tampered[5])
    forged = [EntryPackage(0, 0, tuple(tampered[:41]), packages[0].proof)]
    refused = _post(
        pair.mirror, "add-entries", format_add_entries(AddEntries(ORIGIN, 0, 41, b""), forged)
    )
    assert refused.status_code == 422, refused.text
    assert pair.mirror.services.storage.log_size() == 0
    assert pair.mirror.services.storage.latest_checkpoint() is None
    body = format_add_entries(AddEntries(ORIGIN, 0, 41, b""), packages)
    accepted = _post(pair.mirror, "add-entries", body[:-3])  # the only package cut short
    assert accepted.status_code == 400
    accepted = _post(pair.mirror, "add-entries", body)
    assert accepted.status_code == 200, accepted.text
    assert accepted.text.startswith(f"— {MIRROR_NAME} ")
    assert pair.mirror.services.storage.log_size() == 41
    again = _post(pair.mirror, "add-entries", body)  # pushed twice: the same answer
    assert (again.status_code, again.text) == (200, accepted.text)


def test_a_forged_entry_the_log_signed_raises_the_alarm_and_stores_nothing(pair: Pair) -> None:
    entries = _stored(pair.primary)
    entries[3] = _forged(entries[3])
    decode_entry(entries[3])  # well formed: only its signature fails
    nodes, tree = MemoryNodeStore(), CompactRange()
    for data in entries:
        nodes.put_nodes(tree.append(leaf_hash(data)))
    services = pair.primary.services
    signer = log_signer(services.keystore.load("log"), ORIGIN)
    note = sign_checkpoint(Checkpoint(ORIGIN, len(entries), tree.root()), signer)
    assert (
        _post(pair.mirror, "add-checkpoint", format_add_checkpoint(0, [], note)).status_code == 200
    )
    packages = _packages(nodes, entries, 0, len(entries))
    body_bytes = format_add_entries(AddEntries(ORIGIN, 0, len(entries), b""), packages)
    refused = _post(pair.mirror, "add-entries", body_bytes)
    assert refused.status_code == 422 and "alarm" in refused.text, refused.text
    assert pair.mirror.services.storage.log_size() == 0
    alarm = pair.mirror.client.get("/v1/status").json()["alarm"]
    assert alarm["kind"] == "does_not_replay" and alarm["index"] == 3
    summary = Path(alarm["evidence"]) / "summary.json"
    assert json.loads(summary.read_text())["kind"] == "does_not_replay"
    assert pair.mirror.services.cosigned is not None
    assert pair.mirror.services.cosigned.cosigned_at(len(entries)) is None


def test_with_witnesses_the_primary_pushes_what_they_cosigned_and_receipts_need_both(
    tmp_path: Path,
) -> None:
    home = tmp_path / "primary"
    found_network(Settings(home, default_database_url(home), ORIGIN), FOUNDER).close()
    witness = WitnessSettings("w1", "http://127.0.0.1:9", format_vkey(WITNESS.verifier))
    write_witnesses(home, (witness,), 1)
    log = parse_vkey(_log_vkey(home))
    witnessed = k_of_n_policy_text(log, [("w1", WITNESS.verifier, None)], 1)
    mirror_services, signer = _mirror_home(tmp_path / "mirror", format_vkey(log), witnessed)
    both = k_of_n_policy_text(
        log, [("w1", WITNESS.verifier, None)], 1, [("m1", signer.verifier, None)], 1
    )
    try:
        with served(mirror_services) as mirror:
            url, vkey = f"{mirror.url}/mirror", format_vkey(signer.verifier)
            write_mirrors(home, (WitnessSettings("m1", url, vkey),))
            primary_services = build(load_settings(home))
            try:
                with served(primary_services) as primary:
                    tx_id = _anchor(primary, range(5))[-1]
                    bare = format_add_checkpoint(0, [], _note(primary))
                    refused = _post(mirror, "add-checkpoint", bare)
                    assert refused.status_code == 403 and "policy" in refused.text
                    witnessed_note = cosign(primary_services.storage)
                    with mirroring(primary_services, interval_s=0.05):
                        note = _wait_for_line(primary, MIRROR_NAME)
                    receipt = primary.client.get(f"/v1/receipts/{tx_id}").text
            finally:
                primary_services.close()
    finally:
        mirror_services.close()
    names = [line.name for line in parse_note(note).signatures]
    assert names == [*(line.name for line in parse_note(witnessed_note).signatures), MIRROR_NAME]
    checked = check_receipt(receipt, both.encode(), tx_id=tx_id)
    assert checked["ok"] and [c["witness"] for c in checked["cosigners"]] == ["m1", "w1"]
