"""SQL storage through SQLAlchemy Core: SQLite (WAL, the embedded default) and PostgreSQL."""
