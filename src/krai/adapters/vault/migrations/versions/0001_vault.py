"""The vault's first schema: wrapped vault and programme keys, subjects, pseudonyms.

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
    op.create_table(
        "vault_key",
        sa.Column("purpose", sa.String(32), primary_key=True),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "programme_key",
        sa.Column("programme_id", sa.String(96), primary_key=True),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "subject",
        sa.Column("subject_id", sa.String(32), primary_key=True),
        sa.Column("lookup", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("dedup_key", sa.String(35), nullable=False),
        sa.Column("wrapped_data_key", sa.LargeBinary),
        sa.Column("sealed_data", sa.LargeBinary),
        sa.Column("enrolled_ms", sa.BigInteger, nullable=False),
        sa.Column("erased_ms", sa.BigInteger),
    )
    op.create_table(
        "pseudonym",
        sa.Column(
            "subject_id",
            sa.String(32),
            sa.ForeignKey("subject.subject_id"),
            primary_key=True,
        ),
        sa.Column("programme_id", sa.String(96), primary_key=True),
        sa.Column("pseudonym", sa.String(35), nullable=False, unique=True),
        sa.Column("enrolled_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    """Drop the tables."""
    for table in ("pseudonym", "subject", "programme_key", "vault_key"):
        op.drop_table(table)
