"""A follower's own files in its home: ``follow/<name>`` and ``alarms/<name>/`` (ADR 0036).

Every file is written to a temporary name, flushed to disk and renamed over the target, so a
reader (the API of ``krai follow --serve``) sees the old bytes or the new, never a part.
"""

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

SUMMARY = "summary.json"


class DirectoryFollowerFiles:
    """``FollowerFiles`` under a home directory."""

    def __init__(self, home: Path) -> None:
        self._own = home / "follow"
        self._alarms = home / "alarms"

    def read(self, name: str) -> bytes | None:
        """The bytes of ``follow/<name>``, or None."""
        try:
            return (self._own / name).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, name: str, data: bytes) -> None:
        """Replace ``follow/<name>`` with ``data``, durably."""
        _write_durably(self._own / name, data)

    def remove(self, name: str) -> None:
        """Delete ``follow/<name>`` if it is there."""
        (self._own / name).unlink(missing_ok=True)

    def store_alarm(self, name: str, files: Mapping[str, bytes]) -> str:
        """Write ``files`` into ``alarms/<name>/``, the summary last."""
        folder = self._alarms / name
        for file_name, data in sorted(files.items(), key=lambda item: item[0] == SUMMARY):
            _write_durably(folder / file_name, data)
        return str(folder)

    def alarms(self) -> list[tuple[str, bytes]]:
        """Every ``alarms/*/summary.json``, by folder name (each starts with its time)."""
        if not self._alarms.is_dir():
            return []
        found = sorted(path for path in self._alarms.glob(f"*/{SUMMARY}"))
        return [(str(path.parent), path.read_bytes()) for path in found]


def _write_durably(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as sink:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
