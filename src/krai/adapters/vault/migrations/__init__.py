"""Alembic migrations of the vault's database (version table ``vault_alembic_version``)."""
