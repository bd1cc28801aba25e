"""Entrypoints: the CLI, the HTTP API and the web dashboard. Parse, call one service, render."""
