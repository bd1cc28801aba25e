"""The leaf-hash lookup moves from an index on ``log_entry`` to ``leaf_index``, filled a stride
of entries at a time (ADR 0054).

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

from krai.adapters.sql.leaf_index import LEAF_INDEX_INSERT, LEAF_INDEX_STRIDE

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``leaf_index`` with every entry below the stride, drop the old index."""
    op.create_table(
        "leaf_index",
        sa.Column("leaf_hash", sa.LargeBinary, primary_key=True),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sqlite_with_rowid=False,
    )
    size = op.get_bind().execute(sa.text("SELECT coalesce(max(idx) + 1, 0) FROM log_entry"))
    end = int(size.scalar_one()) // LEAF_INDEX_STRIDE * LEAF_INDEX_STRIDE
    if end:
        marker = "?" if op.get_bind().dialect.name == "sqlite" else "%s"
        op.get_bind().exec_driver_sql(LEAF_INDEX_INSERT.replace("?", marker), (0, end))
    op.drop_index("ix_log_entry_leaf_hash", "log_entry")


def downgrade() -> None:
    """Bring the index on ``log_entry`` back and drop ``leaf_index``."""
    op.create_index("ix_log_entry_leaf_hash", "log_entry", ["leaf_hash"])
    op.drop_table("leaf_index")
