"""Alembic environment of the vault: migrations run on the connection the vault hands over."""

from alembic import context

from krai.adapters.vault.schema import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
