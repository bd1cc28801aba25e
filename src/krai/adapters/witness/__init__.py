"""A witness's own state: its cosigning key file and its database (not the ledger's)."""
