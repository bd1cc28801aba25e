"""Use cases: submit, sequence, checkpoint, prove, query, verify, export."""
