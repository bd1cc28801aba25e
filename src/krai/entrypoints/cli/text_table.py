"""Tables as plain text, for the reads users run most (``krai parks …``): without Rich,
whose import and layout were a third of ``krai parks show`` (ADR 0045).

Each column is as wide as its widest cell; when a line would pass the terminal's width, the
widest columns give way, widest first, and their cells wrap at spaces (a longer word is cut).
The first column never wraps: it holds what names the row (an id, a cadastral number) —
unless told (``fixed=0``: a row named by an organisation's long name).
"""

import shutil
import sys
import textwrap
from collections.abc import Sequence

GAP = "  "
NARROWEST = 8
"""No column is narrowed below this many characters, however narrow the terminal."""


def print_line(text: str) -> None:
    """One line of plain text on standard output (no markup, no highlighting)."""
    sys.stdout.write(text + "\n")


def print_text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], fixed: int = 1) -> None:
    """The table on standard output, fitted to the terminal's width (``COLUMNS``, else 80)."""
    sys.stdout.write(text_table(headers, rows, shutil.get_terminal_size().columns, fixed))


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, fixed: int = 1
) -> str:
    """The headers, a rule under them, then each row, its wrapped cells on the lines below;
    the first ``fixed`` columns (one or none) never wrap."""
    widths = fitted(natural_widths(headers, rows), width, fixed)
    lines = [*_row_lines(headers, widths, fixed), GAP.join("─" * column for column in widths)]
    for row in rows:
        lines.extend(_row_lines(row, widths, fixed))
    return "".join(line.rstrip() + "\n" for line in lines)


def natural_widths(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's widest cell, its header included."""
    return [max(map(len, column)) for column in zip(headers, *rows, strict=True)]


def fitted(widths: Sequence[int], limit: int, fixed: int = 1) -> list[int]:
    """The widths narrowed one character at a time, the widest column first (never the
    first ``fixed``), until the line fits ``limit`` or none is wider than ``NARROWEST``."""
    narrowed = list(widths)
    excess = sum(narrowed) + len(GAP) * (len(narrowed) - 1) - limit
    while excess > 0 and len(narrowed) > fixed:
        widest = max(range(fixed, len(narrowed)), key=narrowed.__getitem__)
        if narrowed[widest] <= NARROWEST:
            break
        narrowed[widest] -= 1
        excess -= 1
    return narrowed


def _row_lines(cells: Sequence[str], widths: Sequence[int], fixed: int) -> list[str]:
    parts = [
        [cell] if number < fixed else (textwrap.wrap(cell, width) or [""])
        for number, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ]
    height = max(map(len, parts))
    return [
        GAP.join(
            (part[line] if line < len(part) else "").ljust(width)
            for part, width in zip(parts, widths, strict=True)
        )
        for line in range(height)
    ]
