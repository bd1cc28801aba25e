"""State machines on the ledger: base modules (identity, accounts, notary) and domain modules."""
