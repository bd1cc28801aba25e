"""The witness's database (SQLite by default, any SQLAlchemy URL), through SQLAlchemy Core.

``judge`` reads the recorded checkpoint of an origin, lets the caller decide, and stores the
decision in one transaction, under a process lock and a compare-and-set on the row's
``version``: a checkpoint recorded by someone else meanwhile makes the decision run again on
it, so the recorded size never goes back. On SQLite the database runs in WAL mode with
``synchronous=FULL``: a cosignature is durable before it is returned.
"""

import base64
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, update

from krai.adapters.witness import schema
from krai.app.witness import ConflictRecord, LogState
from krai.log.witness import Conflict, Recorded, Verdict

SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000")
ATTEMPTS = 3


class _ChangedMeanwhileError(Exception):
    """Another writer recorded a checkpoint of the origin during the decision."""


class UnknownLogError(LookupError):
    """The witness does not follow that origin."""


def open_witness_store(url: str) -> "SqlWitnessStore":
    """Open the witness database at ``url``, creating its tables if needed."""
    store = SqlWitnessStore(url)
    schema.metadata.create_all(store.engine)
    return store


class SqlWitnessStore:
    """Followed logs, their recorded checkpoints and the conflicts seen."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._lock = threading.Lock()

    def add_log(self, origin: str, vkey: str) -> LogState:
        """Follow ``origin`` with the verifier key ``vkey`` (added to its keys if followed)."""
        table = schema.followed_log
        with self.engine.begin() as connection:
            row = connection.execute(select(table).where(table.c.origin == origin)).first()
            if row is None:
                connection.execute(insert(table).values(origin=origin, vkeys=vkey, version=0))
            elif vkey not in row.vkeys.split("\n"):
                keys = f"{row.vkeys}\n{vkey}"
                connection.execute(update(table).where(table.c.origin == origin).values(vkeys=keys))
        state = self.log(origin)
        assert state is not None
        return state

    def log(self, origin: str) -> LogState | None:
        table = schema.followed_log
        with self.engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.origin == origin)).first()
        return None if row is None else _log_state(row)

    def logs(self) -> list[LogState]:
        """Every followed log, by origin."""
        table = schema.followed_log
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.origin)).all()
        return [_log_state(row) for row in rows]

    def judge(
        self, origin: str, decide: Callable[[Recorded | None], Verdict], now_s: int
    ) -> Verdict:
        with self._lock:
            for _ in range(ATTEMPTS):
                try:
                    return self._judge_once(origin, decide, now_s)
                except _ChangedMeanwhileError:
                    continue
        raise RuntimeError(f"the checkpoint of {origin} kept changing under the witness")

    def _judge_once(
        self, origin: str, decide: Callable[[Recorded | None], Verdict], now_s: int
    ) -> Verdict:
        table = schema.followed_log
        with self.engine.begin() as connection:
            row = connection.execute(select(table).where(table.c.origin == origin)).first()
            if row is None:
                raise UnknownLogError(origin)
            verdict = decide(_recorded(row))
            if verdict.conflict is not None:
                _keep_conflict(connection, verdict.conflict, now_s)
            if verdict.record is not None:
                changed = connection.execute(
                    update(table)
                    .where(table.c.origin == origin, table.c.version == row.version)
                    .values(
                        size=verdict.record.size,
                        root_hash=verdict.record.root_hash,
                        note=verdict.record.note,
                        cosigned_s=now_s,
                        version=row.version + 1,
                    )
                ).rowcount
                if changed != 1:
                    raise _ChangedMeanwhileError  # rolls the transaction back
        return verdict

    def conflicts(self) -> list[ConflictRecord]:
        """Every conflict kept, oldest first."""
        table = schema.conflict
        with self.engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.id)).all()
        return [_conflict_record(row) for row in rows]

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()


def _keep_conflict(connection: Connection, found: Conflict, now_s: int) -> None:
    """Insert the conflict unless the same one is kept already."""
    table = schema.conflict
    same = select(table.c.id).where(
        table.c.origin == found.origin,
        table.c.kind == found.kind,
        table.c.recorded_size == found.recorded.size,
        table.c.recorded_root == found.recorded.root_hash,
        table.c.presented_size == found.presented_size,
        table.c.presented_root == found.presented_root,
    )
    if connection.execute(same).first() is not None:
        return
    connection.execute(
        insert(table).values(
            origin=found.origin,
            kind=found.kind,
            reason=found.reason,
            recorded_size=found.recorded.size,
            recorded_root=found.recorded.root_hash,
            recorded_note=found.recorded.note,
            presented_size=found.presented_size,
            presented_root=found.presented_root,
            presented_note=found.presented_note,
            old_size=found.old_size,
            proof="".join(base64.b64encode(node).decode() + "\n" for node in found.proof),
            detected_s=now_s,
        )
    )


def _recorded(row: Any) -> Recorded | None:
    if row.size is None:
        return None
    return Recorded(int(row.size), bytes(row.root_hash), str(row.note))


def _log_state(row: Any) -> LogState:
    return LogState(row.origin, tuple(row.vkeys.split("\n")), _recorded(row))


def _conflict_record(row: Any) -> ConflictRecord:
    return ConflictRecord(
        id=row.id,
        origin=row.origin,
        kind=row.kind,
        reason=row.reason,
        recorded_size=row.recorded_size,
        recorded_root=bytes(row.recorded_root),
        recorded_note=row.recorded_note,
        presented_size=row.presented_size,
        presented_root=bytes(row.presented_root),
        presented_note=row.presented_note,
        old_size=row.old_size,
        proof=tuple(base64.b64decode(line) for line in row.proof.split("\n") if line),
        detected_s=row.detected_s,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
