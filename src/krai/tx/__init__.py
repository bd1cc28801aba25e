"""Transactions: the signed envelope, its strict decoding and its admission errors."""
