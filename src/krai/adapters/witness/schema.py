"""The witness's tables, created with ``metadata.create_all`` in its own database.

``followed_log`` holds, per origin, the log's verifier keys and the checkpoint the witness
last cosigned (size, root, and the note it keeps: the log's verified signatures and its own
cosignature); ``version`` guards the compare-and-set that makes a cosignature's check and
record atomic. ``conflict`` keeps signed checkpoints that could not extend the recorded one,
once each.
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
    UniqueConstraint,
)

metadata = MetaData()

followed_log = Table(
    "followed_log",
    metadata,
    Column("origin", String(1024), primary_key=True),
    Column("vkeys", Text, nullable=False),
    Column("size", BigInteger),
    Column("root_hash", LargeBinary),
    Column("note", Text),
    Column("cosigned_s", BigInteger),
    Column("version", Integer, nullable=False),
)

conflict = Table(
    "conflict",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(1024), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_size", BigInteger, nullable=False),
    Column("recorded_root", LargeBinary, nullable=False),
    Column("recorded_note", Text, nullable=False),
    Column("presented_size", BigInteger, nullable=False),
    Column("presented_root", LargeBinary, nullable=False),
    Column("presented_note", Text, nullable=False),
    Column("old_size", BigInteger, nullable=False),
    Column("proof", Text, nullable=False),
    Column("detected_s", BigInteger, nullable=False),
    UniqueConstraint(
        "origin", "kind", "recorded_size", "recorded_root", "presented_size", "presented_root"
    ),
)
