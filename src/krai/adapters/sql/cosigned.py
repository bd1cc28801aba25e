"""Cosigned checkpoints and each witness's last cosigned size, in the ledger's database.

The tables (``cosigned_checkpoint``, ``witness_size``) come with Alembic revision 0002; this
class reads and writes them through the ledger's ``SqlStorage``, outside its batches.
"""

from collections.abc import Sequence
from typing import Any

from krai.adapters.sql.storage import SqlStorage
from krai.app.witnesses import CosignedNote

COSIGNED_UPSERT = (
    "INSERT INTO cosigned_checkpoint (size, note, cosignatures, time_ms) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (size) DO UPDATE SET note = excluded.note, "
    "cosignatures = excluded.cosignatures, time_ms = excluded.time_ms"
)
WITNESS_UPSERT = (
    "INSERT INTO witness_size (name, size, time_ms) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET size = excluded.size, time_ms = excluded.time_ms"
)
COSIGNED_SELECT = "SELECT size, note, cosignatures, time_ms FROM cosigned_checkpoint"


class SqlCosignedStore:
    """``CosignedStore`` on SQLite or PostgreSQL."""

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage

    def witness_sizes(self) -> dict[str, int]:
        rows = self._storage.fetch_rows("SELECT name, size FROM witness_size", [])
        return {name: int(size) for name, size in rows}

    def set_witness_size(self, name: str, size: int, time_ms: int) -> None:
        self._storage.write_now(WITNESS_UPSERT, [name, size, time_ms])

    def cosigned_at(self, size: int) -> CosignedNote | None:
        rows = self._storage.fetch_rows(f"{COSIGNED_SELECT} WHERE size = ?", [size])
        return _cosigned(rows[0]) if rows else None

    def store_cosigned(self, cosigned: CosignedNote) -> None:
        row = [cosigned.size, cosigned.note, cosigned.cosignatures, cosigned.time_ms]
        self._storage.write_now(COSIGNED_UPSERT, row)

    def newest_cosigned(self, min_cosignatures: int, limit: int) -> list[CosignedNote]:
        rows = self._storage.fetch_rows(
            f"{COSIGNED_SELECT} WHERE cosignatures >= ? ORDER BY size DESC LIMIT ?",
            [min_cosignatures, limit],
        )
        return [_cosigned(row) for row in rows]


def _cosigned(row: Sequence[Any]) -> CosignedNote:
    size, note, cosignatures, time_ms = row
    return CosignedNote(int(size), note, int(cosignatures), int(time_ms))
