"""``krai``'s entry point: ``krai energy clear --orders BOOK --json`` runs without Typer.

Typer imports Click and Rich's helpers and builds the application before it dispatches (about
0.1 s of CPU on the development machine, a fifth of the command at 10^5 orders). When the
arguments are exactly ``energy clear``, ``--json``, ``--orders PATH`` (or ``--orders=PATH``,
a path not starting with ``-``) and at most an added ``--certificate``, each at most once
and in any order, the clearing runs at once and prints what the command prints. Anything else
— another command, ``--help``, any other option or form, shell completion, a book that cannot
be read or cleared — goes to Typer, which runs it as it always has, so every message, usage
line and exit code is Typer's own (ADR 0047).
"""

import os
import sys
from pathlib import Path


def main() -> None:
    """Run the command line."""
    plain = plain_clear(sys.argv[1:])
    if plain is not None and not _completing() and _cleared(*plain):
        _exit_at_once()
    from krai.entrypoints.cli.main import main as typer_main  # noqa: PLC0415 - everything else

    typer_main()


def _exit_at_once() -> None:
    """End the process with exit code 0, the output flushed, without the interpreter's
    teardown: freeing a large book's arrays and every module costs some 0.05 s at 10^6
    orders and leaves nothing behind that the system does not reclaim (ADR 0052)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def plain_clear(arguments: list[str]) -> tuple[Path, bool] | None:
    """The book's path and whether ``--certificate`` was given, when ``arguments`` are a
    plain ``energy clear --json --orders PATH [--certificate]``; else None."""
    if arguments[:2] != ["energy", "clear"]:
        return None
    options, path = arguments[2:], None
    for at, option in enumerate(options):
        if option.startswith("--orders="):
            options[at], path = "--orders", option.removeprefix("--orders=")
        elif option == "--orders" and at + 1 < len(options):
            path = options.pop(at + 1)
            break
    flags = sorted(options)
    if path in (None, "") or path.startswith("-") or flags not in _PLAIN_FLAGS:
        return None
    return Path(path), "--certificate" in flags


_PLAIN_FLAGS = (["--json", "--orders"], ["--certificate", "--json", "--orders"])


def _completing() -> bool:
    """Whether a shell asks for completions (Click's ``_<PROG>_COMPLETE``), which Typer answers."""
    return any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)


def _cleared(path: Path, certificate: bool) -> bool:
    """Print the clearing of the book at ``path`` as ``--json`` does; False, having printed
    nothing, when it cannot be read or cleared (Typer then says why)."""
    from krai.entrypoints.cli.energy_book import (  # noqa: PLC0415 - only on this path
        BookNotClearedError,
        cleared_json,
    )

    try:
        output = cleared_json(path, certificate=certificate)
    except BookNotClearedError:
        return False
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # as Typer does: quietly, exit code 1
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    return True
