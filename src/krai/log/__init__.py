"""The Merkle log: RFC 9162 hashing, proofs and verifiers, C2SP signed notes, checkpoints, tiles.

It knows nothing of transactions: leaves are opaque bytes. Storage is reached only through
``NodeReader.read_nodes``, one batch per proof; nothing here does I/O, reads a clock or
draws randomness.
"""
