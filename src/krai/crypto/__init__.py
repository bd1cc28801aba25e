"""Hashing, signatures and canonical bytes: the primitives every other layer stands on."""
