"""The ``krai`` command line (Typer + Rich)."""
