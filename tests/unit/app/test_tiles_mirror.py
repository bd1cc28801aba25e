"""The static tiles mirror, and verifying a log from its tiles alone."""

from dataclasses import replace
from pathlib import Path

import pytest
from tests.unit.app.ledgers import LOG_SIGNER, founded, grow

from krai.adapters.memory.storage import MemoryStorage
from krai.adapters.static_tiles import DirectoryTileSink, DirectoryTileSource
from krai.app.remote_verify import verify_remote
from krai.app.tiles import read_tile
from krai.app.tiles_mirror import NothingToExportError, export_tiles
from krai.app.verify import VerificationError
from krai.bootstrap import new_engine
from krai.log.note import CosignatureSigner, NoteSigner, format_note, format_vkey, parse_note
from krai.log.policy import parse_policy


def files(root: Path) -> dict[str, Path]:
    return {
        path.relative_to(root).as_posix(): path
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def assert_mirrors(storage: MemoryStorage, root: Path) -> dict[str, Path]:
    """Every file is what `krai serve` serves at its path; the checkpoint the latest note."""
    written = files(root)
    latest = storage.latest_checkpoint()
    assert latest is not None
    assert written.pop("checkpoint").read_bytes() == latest.note.encode()
    for path, file in written.items():
        assert file.read_bytes() == read_tile(storage, path).data, path
    return written


def test_the_mirror_is_byte_identical_to_the_served_tiles(tmp_path: Path) -> None:
    sequencer, storage = founded()
    grow(sequencer, 0, 600)
    report = export_tiles(storage, DirectoryTileSink(tmp_path))
    written = assert_mirrors(storage, tmp_path)
    assert sorted(written) == [
        "tile/0/000",
        "tile/0/001",
        "tile/0/002.p/89",
        "tile/1/000.p/2",
        "tile/entries/000",
        "tile/entries/001",
        "tile/entries/002.p/89",
    ]
    assert (report.size, report.written, report.kept, report.removed) == (601, 7, 0, 0)


def test_an_export_is_incremental(tmp_path: Path) -> None:
    sequencer, storage = founded()
    grow(sequencer, 0, 300)
    export_tiles(storage, DirectoryTileSink(tmp_path))
    full = tmp_path / "tile/0/000"
    before = full.stat()
    grow(sequencer, 300, 20)
    second = export_tiles(storage, DirectoryTileSink(tmp_path))
    assert (second.written, second.kept, second.removed) == (2, 3, 0)
    assert full.stat().st_ino == before.st_ino and full.stat().st_mtime_ns == before.st_mtime_ns
    assert (tmp_path / "tile/0/001.p/45").exists(), "an earlier checkpoint's partial tile stays"
    grow(sequencer, 320, 200)
    third = export_tiles(storage, DirectoryTileSink(tmp_path))
    assert third.removed == 4, "tile 1's and bundle 1's partials go once they are full"
    written = assert_mirrors(storage, tmp_path)
    assert not any(path.startswith(("tile/0/001.p", "tile/entries/001.p")) for path in written)
    assert "tile/1/000.p/1" in written and "tile/1/000.p/2" in written


def test_nothing_is_exported_before_a_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(NothingToExportError):
        export_tiles(MemoryStorage(), DirectoryTileSink(tmp_path))


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> tuple[MemoryStorage, Path]:
    sequencer, storage = founded()
    grow(sequencer, 0, 600)
    root = tmp_path_factory.mktemp("mirror")
    export_tiles(storage, DirectoryTileSink(root))
    return storage, root


def test_a_mirror_verifies_from_its_tiles_alone(mirror: tuple[MemoryStorage, Path]) -> None:
    storage, root = mirror
    report = verify_remote(DirectoryTileSource(root), LOG_SIGNER.verifier, new_engine)
    latest = storage.latest_checkpoint()
    assert latest is not None
    assert report["entries"] == report["size"] == 601
    assert report["root_hash"] == latest.root_hash.hex()
    assert (report["tiles"], report["entry_bundles"]) == (4, 3)


def flipped(root: Path, tmp_path: Path, path: str, position: int) -> DirectoryTileSource:
    copy = tmp_path / "copy"
    for name, file in files(root).items():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = bytearray(file.read_bytes())
        if name == path:
            data[position] ^= 0x01
        target.write_bytes(bytes(data))
    return DirectoryTileSource(copy)


@pytest.mark.parametrize(
    ("path", "position", "message"),
    [
        ("tile/entries/001", 100, "entry 256: its bytes in tile/entries/001 do not hash"),
        ("tile/entries/002.p/89", 0, "entry 512: tile/entries/002.p/89: "),
        ("tile/0/001", 32 * 7 + 5, "entry 263: its bytes in tile/entries/001 do not hash to "),
        ("tile/1/000.p/2", 40, "tile/1/000.p/2: hash 1 is not the root of the level-0 tile 1"),
        ("checkpoint", 30, "the checkpoint does not verify with the pinned key"),
    ],
)
@pytest.mark.parametrize("workers", [0, 1])
def test_one_flipped_byte_is_found_and_named(
    mirror: tuple[MemoryStorage, Path],
    tmp_path: Path,
    *,
    path: str,
    position: int,
    message: str,
    workers: int,
) -> None:
    """The same entry is named whether the replay checks signatures and decodes entries on a
    worker process (ahead of itself) or not."""
    _, root = mirror
    source = flipped(root, tmp_path, path, position)
    with pytest.raises(VerificationError, match=message):
        verify_remote(source, LOG_SIGNER.verifier, new_engine, workers=workers)


def test_a_missing_tile_is_named(mirror: tuple[MemoryStorage, Path], tmp_path: Path) -> None:
    _, root = mirror
    source = flipped(root, tmp_path, "", 0)
    (source.root / "tile/0/001").unlink()
    with pytest.raises(VerificationError, match="cannot read tile/0/001"):
        verify_remote(source, LOG_SIGNER.verifier, new_engine)


def test_another_key_is_refused(mirror: tuple[MemoryStorage, Path]) -> None:
    _, root = mirror
    other = NoteSigner(LOG_SIGNER.name, bytes([8]) * 32).verifier
    with pytest.raises(VerificationError, match="no known key signed the note"):
        verify_remote(DirectoryTileSource(root), other, new_engine)


def test_a_cosigned_mirror_verifies_under_a_policy(tmp_path: Path) -> None:
    sequencer, storage = founded()
    grow(sequencer, 0, 30)
    latest = storage.latest_checkpoint()
    assert latest is not None
    witness = CosignatureSigner("witness.example", bytes([4]) * 32)
    note = parse_note(latest.note)
    cosigned = format_note(replace(note, signatures=(*note.signatures, witness.sign(note.text, 7))))
    export_tiles(storage, DirectoryTileSink(tmp_path), cosigned)
    assert (tmp_path / "checkpoint").read_text() == cosigned
    log, seen = format_vkey(LOG_SIGNER.verifier), format_vkey(witness.verifier)
    policy = parse_policy(f"log {log}\nwitness W {seen}\nquorum W\n")
    report = verify_remote(DirectoryTileSource(tmp_path), policy, new_engine)
    assert report["cosigners"] == [{"witness": "W", "time": 7}]
    other = CosignatureSigner("other.example", bytes([5]) * 32).verifier
    stricter = parse_policy(
        f"log {log}\nwitness W {seen}\nwitness V {format_vkey(other)}\ngroup G all W V\nquorum G"
    )
    with pytest.raises(VerificationError, match="policy refuses the checkpoint: too few valid"):
        verify_remote(DirectoryTileSource(tmp_path), stricter, new_engine)
