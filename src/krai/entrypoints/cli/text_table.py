"""Tables as plain text, for the reads users run most (``krai parks …``): without Rich,
whose import and layout were a third of ``krai parks show`` (ADR 0045).

Each column is as wide as its widest cell; when a line would pass the terminal's width, the
widest columns give way, widest first, and their cells wrap at spaces (a longer word is cut).
The first column never wraps: it holds what names the row (an id, a cadastral number) —
unless told (``fixed=0``: a row named by an organisation's long name). When the columns
cannot narrow that far without cutting words (a word of up to ``WHOLE_WORD`` characters, say
«зарегистрированы»), each row is printed as a record instead: its first cell on a line of
its own, then each other column's header and cell on a line, as ``psql``'s expanded display.
"""

import re
import shutil
import sys
import textwrap
from collections.abc import Sequence

GAP = "  "
NARROWEST = 8
"""No column is narrowed below this many characters, however narrow the terminal."""
WHOLE_WORD = 16
"""A table whose columns would cut a word of up to this many characters prints records."""
INDENT = "  "
"""A record's fields, under its first cell."""


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
    if rows and not keeps_words(headers, rows, widths, fixed):
        return record_text(headers, rows, width)
    lines = [*_row_lines(headers, widths, fixed), GAP.join("─" * column for column in widths)]
    for row in rows:
        lines.extend(_row_lines(row, widths, fixed))
    return "".join(line.rstrip() + "\n" for line in lines)


def keeps_words(
    headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int], fixed: int
) -> bool:
    """Whether every wrapping column is at least as wide as its longest word (counted up to
    ``WHOLE_WORD``), its header's included."""
    return all(
        width >= min(longest_word(column), WHOLE_WORD)
        for number, (width, column) in enumerate(
            zip(widths, zip(headers, *rows, strict=True), strict=True)
        )
        if number >= fixed
    )


def longest_word(cells: Sequence[str]) -> int:
    """The longest run of characters the cells hold between spaces and hyphens."""
    return max((len(word) for cell in cells for word in _BREAKS.split(cell)), default=0)


_BREAKS = re.compile(r"[\t\n\x0b\x0c\r -]")
"""Where ``textwrap`` may break a line: its whitespace, and after a hyphen."""


def record_text(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str:
    """Each row as a record, a blank line between two: its first cell, wrapped to ``width``,
    then a line for each other column — its header, padded to the longest, and its cell,
    wrapped under itself."""
    label = max((len(header) for header in headers[1:]), default=0)
    margin = len(INDENT) + label + len(GAP)
    lines: list[str] = []
    for number, row in enumerate(rows):
        lines.extend([""] if number else [])
        lines.extend(textwrap.wrap(row[0], max(width, NARROWEST)) or [""])
        for header, cell in zip(headers[1:], row[1:], strict=True):
            wrapped = textwrap.wrap(cell, max(width - margin, 2 * NARROWEST)) or [""]
            lines.append(f"{INDENT}{header.ljust(label)}{GAP}{wrapped[0]}")
            lines.extend(" " * margin + more for more in wrapped[1:])
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
