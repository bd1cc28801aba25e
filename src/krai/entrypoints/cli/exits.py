"""The command line's exit codes, apart from Typer so that the launcher can name them."""

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
"""What a read names is not on the ledger (the API's 404)."""
