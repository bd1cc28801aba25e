"""Adapters to the outside world: SQL and in-memory storage, the keystore, the clock."""
