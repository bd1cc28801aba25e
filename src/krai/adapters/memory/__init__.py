"""In-memory adapters, for unit tests."""
