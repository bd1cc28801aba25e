"""The store of cosigned checkpoints (migration 0002), the same on SQLite and PostgreSQL."""

from krai.adapters.sql.cosigned import SqlCosignedStore
from krai.adapters.sql.storage import SqlStorage
from krai.app.cosigning import CosignedNote
from krai.app.ports import Storage


def store_of(storage: Storage) -> SqlCosignedStore:
    assert isinstance(storage, SqlStorage)
    return SqlCosignedStore(storage)


def test_cosigned_notes_are_stored_replaced_and_found_by_count(sql_storage: Storage) -> None:
    store = store_of(sql_storage)
    assert store.cosigned_at(3) is None and store.newest_cosigned(1, 8) == []
    store.store_cosigned(CosignedNote(3, "note 3 + a\n", 1, 1000))
    store.store_cosigned(CosignedNote(5, "note 5 + a + b\n", 2, 2000))
    store.store_cosigned(CosignedNote(7, "note 7 + a\n", 1, 3000))
    assert [n.size for n in store.newest_cosigned(1, 8)] == [7, 5, 3]
    assert [n.size for n in store.newest_cosigned(2, 8)] == [5]
    assert [n.size for n in store.newest_cosigned(1, 2)] == [7, 5]
    store.store_cosigned(CosignedNote(7, "note 7 + a + b\n", 2, 4000))
    assert store.cosigned_at(7) == CosignedNote(7, "note 7 + a + b\n", 2, 4000)
    assert [n.size for n in store.newest_cosigned(2, 8)] == [7, 5]


def test_each_witness_size_is_kept_and_replaced(sql_storage: Storage) -> None:
    store = store_of(sql_storage)
    assert store.witness_sizes() == {}
    store.set_witness_size("alpha", 3, 1000)
    store.set_witness_size("beta", 2**40, 1000)
    store.set_witness_size("alpha", 9, 2000)
    assert store.witness_sizes() == {"alpha": 9, "beta": 2**40}
