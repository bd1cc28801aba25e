"""Plain-text tables (``krai parks …``): every cell's words are kept, in order, in their
column; lines fit the width whenever the columns can narrow enough; the first never wraps
unless told (``fixed=0``)."""

from hypothesis import given
from hypothesis import strategies as st

from krai.entrypoints.cli.text_table import GAP, NARROWEST, fitted, natural_widths, text_table

WORDS = st.text(st.sampled_from("abcé ЖЯ\u00a0-12"), max_size=40)


def test_a_table_that_fits_is_laid_out_as_written() -> None:
    assert text_table(["park", "held"], [["great-stone", "15 %"], ["a", ""]], 80) == (
        "park         held\n───────────  ────\ngreat-stone  15 %\na\n"
    )


def test_the_widest_column_wraps_at_spaces_when_the_line_is_too_long() -> None:
    table = text_table(["id", "source"], [["x", "one two three four"]], 12)
    assert table == "id  source\n──  ────────\nx   one two\n    three\n    four\n"


@given(
    st.lists(st.text(st.sampled_from("abc"), min_size=1, max_size=8), min_size=1, max_size=6),
    st.lists(st.lists(WORDS, min_size=6, max_size=6), max_size=5),
    st.integers(10, 200),
    st.sampled_from([0, 1]),
)
def test_lines_fit_and_every_word_stays_in_its_column(
    headers: list[str], rows: list[list[str]], width: int, fixed: int
) -> None:
    rows = [row[: len(headers)] for row in rows]
    widths = fitted(natural_widths(headers, rows), width, fixed)
    lines = text_table(headers, rows, width, fixed).splitlines()
    narrowest = NARROWEST * (len(widths) - fixed) + len(GAP) * (len(widths) - 1)
    first_fits = sum(widths[:fixed]) + narrowest <= width
    if first_fits:
        assert all(len(line) <= width for line in lines)
    assert len(lines) >= 2 + len(rows)
    for number, header in enumerate(headers):
        column = [row[number] for row in rows]
        start = sum(widths[:number]) + len(GAP) * number
        cells = [line[start : start + widths[number]] for line in lines[:1] + lines[2:]]
        written = " ".join(" ".join(cells).split())
        expected = " ".join(" ".join([header, *column]).split())
        assert written.replace(" ", "") == expected.replace(" ", "")


def test_a_first_column_of_long_names_wraps_when_told() -> None:
    table = text_table(
        ["organisation", "jobs"], [["Corporation BitBaza of Krasnoyarsk", "24"]], 20, 0
    )
    assert table == (
        "organisation    jobs\n──────────────  ────\nCorporation     24\nBitBaza of\nKrasnoyarsk\n"
    )
