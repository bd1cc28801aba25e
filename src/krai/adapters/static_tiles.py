"""A log's C2SP tlog-tiles as files in a directory: written by a mirror, read by a verifier.

Paths are the tlog-tiles paths under the directory (``checkpoint``, ``tile/0/x001/234``,
``tile/0/x001/234.p/17``, ``tile/entries/...``), so any static web server publishes the
directory as the log's prefix. Files are written to a temporary name in the same directory,
flushed to disk, then renamed over the target: a reader sees the old bytes or the new.
"""

import os
import tempfile
from pathlib import Path

from krai.app.remote_verify import TileFetchError

PARTIAL_SUFFIX = ".p"


def _resolve(root: Path, path: str) -> Path:
    parts = path.split("/")
    if not path or any(part in {"", ".", ".."} for part in parts):
        raise ValueError(f"{path!r} is not a relative path of the log")
    return root.joinpath(*parts)


class DirectoryTileSink:
    """Writes a mirror into ``root`` (created if missing)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def exists(self, path: str) -> bool:
        """Whether a file is at ``path``."""
        return _resolve(self.root, path).is_file()

    def write(self, path: str, data: bytes) -> None:
        """Write ``data`` at ``path`` atomically (temporary file, fsync, rename)."""
        target = _resolve(self.root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as sink:
                sink.write(data)
                sink.flush()
                os.fsync(sink.fileno())
            Path(temporary).chmod(0o644)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def partial_widths(self, path: str) -> list[int]:
        """The widths W of the files ``<path>.p/<W>``."""
        folder = _resolve(self.root, path + PARTIAL_SUFFIX)
        if not folder.is_dir():
            return []
        return sorted(int(item.name) for item in folder.iterdir() if item.name.isdigit())

    def remove_partial(self, path: str, width: int) -> None:
        """Remove ``<path>.p/<width>``, and the ``.p`` folder once empty."""
        folder = _resolve(self.root, path + PARTIAL_SUFFIX)
        (folder / str(width)).unlink(missing_ok=True)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


class DirectoryTileSource:
    """Reads a mirror from ``root``."""

    def __init__(self, root: Path, location: str | None = None) -> None:
        if not root.is_dir():
            raise TileFetchError(f"no directory at {root}")
        self.root = root
        self._location = location or str(root)

    @property
    def location(self) -> str:
        """The directory, as given."""
        return self._location

    def read(self, path: str, max_bytes: int) -> bytes:
        """The file's bytes; ``TileFetchError`` if it is absent or larger than ``max_bytes``."""
        target = _resolve(self.root, path)
        try:
            with target.open("rb") as source:
                data = source.read(max_bytes + 1)
        except OSError as error:
            raise TileFetchError(f"{target}: {error.strerror or error}") from None
        if len(data) > max_bytes:
            raise TileFetchError(f"{target} is larger than {max_bytes} bytes")
        return data

    def close(self) -> None:
        """Nothing to release."""
