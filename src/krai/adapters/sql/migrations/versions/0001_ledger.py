"""The ledger's first schema: entries (with their events), tree nodes, checkpoints, state.

On SQLite, entries and checkpoints are keyed by the rowid and tree nodes are ``WITHOUT ROWID``
(ADR 0008).

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    rowid = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "log_entry",
        sa.Column("idx", rowid, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary, nullable=False),
        sa.Column("tx_id", sa.LargeBinary(32), unique=True),
        sa.Column("signer", sa.String(32)),
        sa.Column("tx_type", sa.String(64)),
        sa.Column("time_ms", sa.BigInteger, nullable=False),
        sa.Column("events", sa.Text),
    )
    op.create_table(
        "tree_node",
        sa.Column("level", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "checkpoint",
        sa.Column("size", rowid, primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.LargeBinary, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("time_ms", sa.BigInteger, nullable=False),
    )
    key_type = sa.String(512).with_variant(sa.String(512, collation="C"), "postgresql")
    op.create_table(
        "state",
        sa.Column("key", key_type, primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop the tables."""
    for table in ("state", "checkpoint", "tree_node", "log_entry"):
        op.drop_table(table)
