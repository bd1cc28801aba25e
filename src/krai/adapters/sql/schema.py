"""The ledger's tables, the one description that migrations and queries share.

Laid out for SQLite's B-trees (ADR 0008): entries and checkpoints are keyed by the rowid
itself (``INTEGER PRIMARY KEY``; a ``BIGINT`` key would be an index beside the rowid), tree
nodes are one ``WITHOUT ROWID`` B-tree, and state keeps the rowid table with its key index.
Transaction ids are their 32 digest bytes.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

ROWID = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit key; on SQLite ``INTEGER PRIMARY KEY``, the rowid itself (still 64-bit)."""
STATE_KEY = String(512).with_variant(String(512, collation="C"), "postgresql")
"""Byte order on PostgreSQL, as on SQLite, so prefix range scans match Python's ordering."""

log_entry = Table(
    "log_entry",
    metadata,
    Column("idx", ROWID, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
    Column("tx_id", LargeBinary(32), unique=True),
    Column("signer", String(32)),
    Column("tx_type", String(64)),
    Column("time_ms", BigInteger, nullable=False),
    # The entry's events as a JSON array: derived by replay, kept for reading back.
    Column("events", Text),
)

leaf_index = Table(
    "leaf_index",
    metadata,
    Column("leaf_hash", LargeBinary, primary_key=True),
    Column("idx", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
"""Finds an entry by the leaf hash a monitor or a receipt names: every entry below the last
multiple of ``leaf_index.LEAF_INDEX_STRIDE`` of the log's size (Alembic revision 0004, ADR
0054; revision 0003's index on ``log_entry.leaf_hash`` is dropped)."""

tree_node = Table(
    "tree_node",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

checkpoint = Table(
    "checkpoint",
    metadata,
    Column("size", ROWID, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
    Column("time_ms", BigInteger, nullable=False),
)

state = Table(
    "state",
    metadata,
    Column("key", STATE_KEY, primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

cosigned_checkpoint = Table(
    "cosigned_checkpoint",
    metadata,
    Column("size", ROWID, primary_key=True, autoincrement=False),
    # The log's signed note with every witness cosignature gathered for it.
    Column("note", Text, nullable=False),
    Column("cosignatures", Integer, nullable=False),
    Column("time_ms", BigInteger, nullable=False),
)

witness_size = Table(
    "witness_size",
    metadata,
    # Per witness (its name in the home's settings), the size it last cosigned.
    Column("name", String(255), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("time_ms", BigInteger, nullable=False),
)
