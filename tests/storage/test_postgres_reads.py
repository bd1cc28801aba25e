"""PostgreSQL: the sequencer's prefetch of many keys looks each one up in the key index,
whatever the state's size (ADR 0057), where an IN list or ``key = ANY(array)`` turned into
a sequential scan of the whole state at tens of thousands of rows."""

import psycopg
import pytest

from krai.adapters.sql.storage import STATE_GET_ARRAY, open_storage
from krai.log.tree import CompactRange
from tests.storage.test_postgres_sequencing import libpq
from tests.storage.test_storage_conformance import batch_of

pytestmark = pytest.mark.postgres

STATE_ROWS = 40_000
"""Where the planner chose a sequential scan for 400 keys of an IN list or an array."""


def plan_of(connection: psycopg.Connection, keys: list[str]) -> str:
    rows = connection.execute(f"EXPLAIN {STATE_GET_ARRAY}", (keys,), prepare=False).fetchall()
    return "\n".join(str(row[0]) for row in rows)


def test_the_prefetch_probes_the_key_index_on_an_empty_and_on_a_large_state(
    postgres_url: str,
) -> None:
    storage = open_storage(postgres_url)
    keys = [f"notary/anchor/{number:064x}" for number in range(400)]
    with psycopg.connect(libpq(postgres_url), autocommit=True) as connection:
        empty = plan_of(connection, keys)
        connection.execute(
            "INSERT INTO state (key, value) SELECT 'filled/' || n, '\\x7b7d'::bytea"
            " FROM generate_series(1, %s) AS n",
            (STATE_ROWS,),
        )
        connection.execute("ANALYZE state")
        large = plan_of(connection, keys)
    for plan in (empty, large):
        assert "Index Scan using state_pkey on state" in plan, plan
        assert "Seq Scan on state" not in plan, plan
    storage.close()


def test_many_keys_are_read_in_one_statement_present_or_not(postgres_url: str) -> None:
    storage = open_storage(postgres_url)
    stored = {f"k/{number}": b'{"n":%d}' % number for number in range(1_200)}
    storage.append_batch(batch_of(0, 1, CompactRange(), stored))
    wanted = [f"k/{number}" for number in range(0, 2_400, 2)]  # half of them absent
    assert storage.get_many(wanted) == {key: stored[key] for key in wanted if key in stored}
    assert storage.get_many([]) == {}
    storage.close()
