"""The vault's tables, separate from the ledger's (docs/spec/pseudonyms.md, "The vault").

No column holds personal data in clear: a subject is found through ``lookup``, an HMAC of its
SNILS under the vault's lookup key; its personal data is ``sealed_data``, a SecretBox under its
own data key, which is stored only wrapped by the master key (``wrapped_data_key``). Erasure
sets both to NULL and records ``erased_ms``.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    LargeBinary,
    MetaData,
    String,
    Table,
)

metadata = MetaData()
VERSION_TABLE = "vault_alembic_version"

vault_key = Table(
    "vault_key",
    metadata,
    # "check" (proves the master key opens this vault), "lookup", "dedup"
    Column("purpose", String(32), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

programme_key = Table(
    "programme_key",
    metadata,
    Column("programme_id", String(96), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

subject = Table(
    "subject",
    metadata,
    Column("subject_id", String(32), primary_key=True),
    Column("lookup", LargeBinary(32), nullable=False, unique=True),
    Column("dedup_key", String(35), nullable=False),
    Column("wrapped_data_key", LargeBinary),
    Column("sealed_data", LargeBinary),
    Column("enrolled_ms", BigInteger, nullable=False),
    Column("erased_ms", BigInteger),
)

pseudonym = Table(
    "pseudonym",
    metadata,
    Column("subject_id", String(32), ForeignKey("subject.subject_id"), primary_key=True),
    Column("programme_id", String(96), primary_key=True),
    Column("pseudonym", String(35), nullable=False, unique=True),
    Column("enrolled_ms", BigInteger, nullable=False),
)
