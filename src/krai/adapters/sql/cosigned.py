"""Cosigned checkpoints and each witness's last cosigned size, in the ledger's database.

The tables (``cosigned_checkpoint``, ``witness_size``) come with Alembic revision 0002; this
class shares the engine of the ledger's ``SqlStorage`` and writes outside its batches.
"""

from typing import Any

from sqlalchemy import Engine, select, text

from krai.adapters.sql import schema
from krai.app.cosigning import CosignedNote

COSIGNED_UPSERT = text(
    "INSERT INTO cosigned_checkpoint (size, note, cosignatures, time_ms) "
    "VALUES (:size, :note, :cosignatures, :time_ms) "
    "ON CONFLICT (size) DO UPDATE SET note = excluded.note, "
    "cosignatures = excluded.cosignatures, time_ms = excluded.time_ms"
)
WITNESS_UPSERT = text(
    "INSERT INTO witness_size (name, size, time_ms) VALUES (:name, :size, :time_ms) "
    "ON CONFLICT (name) DO UPDATE SET size = excluded.size, time_ms = excluded.time_ms"
)


class SqlCosignedStore:
    """``CosignedStore`` on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def witness_sizes(self) -> dict[str, int]:
        table = schema.witness_size
        with self._engine.connect() as connection:
            rows = connection.execute(select(table.c.name, table.c.size)).all()
        return {name: int(size) for name, size in rows}

    def set_witness_size(self, name: str, size: int, time_ms: int) -> None:
        with self._engine.begin() as connection:
            connection.execute(WITNESS_UPSERT, {"name": name, "size": size, "time_ms": time_ms})

    def cosigned_at(self, size: int) -> CosignedNote | None:
        table = schema.cosigned_checkpoint
        with self._engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.size == size)).first()
        return None if row is None else _cosigned(row)

    def store_cosigned(self, cosigned: CosignedNote) -> None:
        row = {
            "size": cosigned.size,
            "note": cosigned.note,
            "cosignatures": cosigned.cosignatures,
            "time_ms": cosigned.time_ms,
        }
        with self._engine.begin() as connection:
            connection.execute(COSIGNED_UPSERT, row)

    def newest_cosigned(self, min_cosignatures: int, limit: int) -> list[CosignedNote]:
        table = schema.cosigned_checkpoint
        query = (
            select(table)
            .where(table.c.cosignatures >= min_cosignatures)
            .order_by(table.c.size.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_cosigned(row) for row in connection.execute(query)]


def _cosigned(row: Any) -> CosignedNote:
    return CosignedNote(int(row.size), row.note, int(row.cosignatures), int(row.time_ms))
