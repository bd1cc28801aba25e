"""``python -m krai`` runs the command line."""

from krai.entrypoints.cli.main import main

main()
