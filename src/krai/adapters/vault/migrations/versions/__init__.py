"""Revisions of the vault's schema."""
