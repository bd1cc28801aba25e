"""The personal-data vault: its own database (SQLite or PostgreSQL), never the ledger's."""
