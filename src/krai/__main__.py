"""``python -m krai`` runs the command line."""

from krai.entrypoints.cli.launch import main

main()
