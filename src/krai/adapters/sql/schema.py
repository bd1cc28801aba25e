"""The ledger's tables, the one description that migrations and queries share."""

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

log_entry = Table(
    "log_entry",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
    Column("tx_id", String(64), unique=True),
    Column("signer", String(32)),
    Column("tx_type", String(64)),
    Column("time_ms", BigInteger, nullable=False),
    # The entry's events as a JSON array: derived by replay, kept for reading back.
    Column("events", Text),
)

tree_node = Table(
    "tree_node",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
)

checkpoint = Table(
    "checkpoint",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
    Column("time_ms", BigInteger, nullable=False),
)

state = Table(
    "state",
    metadata,
    # Byte order on PostgreSQL, as on SQLite, so prefix range scans match Python's ordering.
    Column(
        "key", String(512).with_variant(String(512, collation="C"), "postgresql"), primary_key=True
    ),
    Column("value", LargeBinary, nullable=False),
)
