"""A bundle is read a line at a time: its header and checkpoints first, its entries as the
verification takes them; a cut or corrupt bundle is refused naming the entry."""

import base64
import json
from pathlib import Path

import pytest
from tests.unit.app import ledgers

from krai.app.bundle import BundleError, BundleFile, write_bundle
from krai.app.verify import VerificationError, verify_ledger
from krai.bootstrap import new_engine
from krai.log.note import format_vkey


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, list[bytes]]:
    """A bundle of a ledger of 31 entries, and the entries' bytes."""
    sequencer, storage = ledgers.founded(0)
    ledgers.grow(sequencer, 0, 30, batch=10)
    path = tmp_path / "ledger.jsonl"
    with path.open("w", encoding="utf-8") as sink:
        write_bundle(storage, ledgers.ORIGIN, format_vkey(ledgers.LOG_SIGNER.verifier), sink)
    return path, [e.data for e in storage.entries(0, storage.log_size())]


def verified(bundle: BundleFile) -> int:
    return verify_ledger(
        bundle.entries(),
        bundle.checkpoints,
        origin=bundle.origin,
        verifier=ledgers.LOG_SIGNER.verifier,
        new_engine=new_engine,
    ).checkpoints


def rewritten(path: Path, line: int, text: str) -> None:
    lines = path.read_text().splitlines()
    lines[line] = text
    path.write_text("\n".join(lines) + "\n")


def test_a_bundle_gives_its_header_and_checkpoints_then_its_entries_again(
    exported: tuple[Path, list[bytes]],
) -> None:
    path, log = exported
    bundle = BundleFile(path)
    assert (bundle.origin, bundle.size, len(bundle.checkpoints)) == (ledgers.ORIGIN, 31, 4)
    assert list(bundle.entries()) == log
    assert verified(bundle) == 4


def test_a_bundle_cut_in_the_middle_of_an_entry_is_refused_naming_it(
    exported: tuple[Path, list[bytes]],
) -> None:
    path, _ = exported
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:8]) + "\n" + lines[8][:40])
    with pytest.raises(BundleError, match=r"^line 9 \(after entry 6\) is not JSON"):
        BundleFile(path)


def test_a_bundle_that_lost_its_last_lines_is_refused(exported: tuple[Path, list[bytes]]) -> None:
    path, _ = exported
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:20]) + "\n")
    with pytest.raises(BundleError, match="header says 31 entries, bundle holds 19"):
        BundleFile(path)


def test_an_entry_that_is_not_base64_is_refused_naming_it(
    exported: tuple[Path, list[bytes]],
) -> None:
    path, _ = exported
    rewritten(path, 5, json.dumps({"entry": "not base64!"}))
    with pytest.raises(BundleError, match=r"^line 6 \(entry 4\) is not base64"):
        BundleFile(path)


def test_a_line_of_no_known_kind_is_refused(exported: tuple[Path, list[bytes]]) -> None:
    path, _ = exported
    rewritten(path, 3, json.dumps({"note": "hello"}))
    with pytest.raises(BundleError, match=r"unknown bundle line with keys \['note'\]"):
        BundleFile(path)


def test_a_file_that_is_not_a_bundle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"format": "something/v1"}\n')
    with pytest.raises(BundleError, match="not a krai-bundle/v1 file"):
        BundleFile(path)


def test_a_forged_entry_read_from_the_stream_is_named(
    exported: tuple[Path, list[bytes]],
) -> None:
    path, log = exported
    forged = log[12].replace(b"Document 11", b"Document 99")
    assert forged != log[12]
    rewritten(path, 13, json.dumps({"entry": base64.b64encode(forged).decode()}))
    with pytest.raises(VerificationError, match=r"^entry 12: "):
        verified(BundleFile(path))
