"""The Merkle log: RFC 9162 hashing, proofs and verifiers, C2SP signed notes, checkpoints, tiles.

It knows nothing of transactions: leaves are opaque bytes.
"""
