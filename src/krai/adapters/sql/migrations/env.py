"""Alembic environment: migrations run on the connection krai hands over."""

from alembic import context

from krai.adapters.sql.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
