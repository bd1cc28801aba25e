"""An index on the entries' leaf hashes, so the explorer finds an entry by the hash a monitor,
a tile or a receipt names.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the index."""
    op.create_index("ix_log_entry_leaf_hash", "log_entry", ["leaf_hash"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_log_entry_leaf_hash", "log_entry")
