"""Entries are found by their leaf hash through a table filled in strides (ADR 0054).

An index on ``log_entry.leaf_hash`` makes every entry a random insert into a B-tree, which
dirties about one page of it per entry once it is large — on SQLite a tenth of the writer's
work. Instead ``leaf_index`` (leaf hash → entry index, one ``WITHOUT ROWID`` B-tree) holds
exactly the entries below the last multiple of ``LEAF_INDEX_STRIDE`` of the log's size: the
batch that crosses such a multiple inserts the stride's entries in leaf-hash order, in the
batch's own transaction, so each page is dirtied once a stride rather than once an entry,
and a crash leaves the table as consistent as the log. A lookup probes the table and reads
the stride not yet in it, in one statement, so it sees one state of both. PostgreSQL does the
same, the stride's range going in its pipelined batch (ADR 0044).
"""

from collections.abc import Sequence
from typing import Any

LEAF_INDEX_STRIDE = 4096
"""Entries a ``leaf_index`` insertion covers: at most this many are read by a lookup."""
LEAF_INDEX_INSERT = (
    "INSERT INTO leaf_index (leaf_hash, idx) "
    "SELECT leaf_hash, idx FROM log_entry WHERE idx >= ? AND idx < ? ORDER BY leaf_hash"
)


def leaf_index_rows(first: int, end: int) -> list[tuple[int, int]]:
    """The range of entries a batch holding ``first`` up to ``end`` (exclusive) adds to
    ``leaf_index``: those below the last multiple of the stride it reaches, not yet in it."""
    low = first // LEAF_INDEX_STRIDE * LEAF_INDEX_STRIDE
    high = end // LEAF_INDEX_STRIDE * LEAF_INDEX_STRIDE
    return [(low, high)] if high > low else []


def by_leaf_hash(select: str) -> str:
    """The query of the entry (its ``select`` columns) whose leaf hash is the one parameter,
    given twice: from ``leaf_index``, or else from the stride not yet in it."""
    stride = LEAF_INDEX_STRIDE
    # Fixed column names and a constant; the hash is a parameter.
    return (
        f"{select} WHERE idx = (SELECT idx FROM leaf_index WHERE leaf_hash = ?) "  # noqa: S608
        f"UNION ALL {select} WHERE idx >= "
        f"(SELECT coalesce(max(idx) + 1, 0) FROM log_entry) / {stride} * {stride} "
        "AND leaf_hash = ? ORDER BY idx LIMIT 1"
    )


def leaf_hash_parameters(leaf_hash: bytes) -> Sequence[Any]:
    """The parameters of ``by_leaf_hash``'s query."""
    return [leaf_hash, leaf_hash]
