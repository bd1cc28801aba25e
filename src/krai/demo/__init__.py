"""The demo world: a small, deterministic ledger built through real signed transactions."""
