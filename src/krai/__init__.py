"""krai: a verifiable, permissioned ledger for regional development programmes."""

__version__ = "0.1.0"
