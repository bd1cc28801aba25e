"""The vault's use cases: erasure bodies for the ledger and the access report (152-FZ art. 14)."""

import json
from typing import Any

import pytest

from krai.adapters.memory.storage import MemoryStorage
from krai.adapters.vault.store import SqlVault
from krai.app.ports import Batch, StoredEntry
from krai.app.vault import OTHER_PERSON, VaultError, access_request, enrol, erase
from krai.log.hashing import leaf_hash
from tests.vault.conftest import ANNA, DAY_MS, PETR, SettableClock


def ledger(*bodies: tuple[str, dict[str, Any], list[dict[str, Any]]]) -> MemoryStorage:
    """A log with a genesis and one entry per (type, body, events)."""
    storage = MemoryStorage()
    entries = [StoredEntry(0, b'{"genesis":{},"index":0}', leaf_hash(b"g"), None, None, None, 0)]
    events: list[tuple[int, int, dict[str, Any]]] = []
    for index, (tx_type, body, emitted) in enumerate(bodies, start=1):
        data = json.dumps({"index": index, "tx": {"type": tx_type, "body": body}}).encode()
        entries.append(
            StoredEntry(index, data, leaf_hash(data), f"{index:064x}", "7734250208", tx_type, index)
        )
        events.extend((index, position, event) for position, event in enumerate(emitted))
    storage.append_batch(Batch(entries, [], {}, events, None))
    return storage


def test_enrol_checks_the_programme_id(vault: SqlVault) -> None:
    with pytest.raises(VaultError, match="programme id"):
        enrol(vault, ANNA, "has space")
    assert enrol(vault, ANNA, "p1") == vault.enrol(ANNA, "p1")


def test_erase_returns_one_record_erasure_body_per_programme(
    vault: SqlVault, clock: SettableClock
) -> None:
    first = enrol(vault, ANNA, "kld.child-benefit")
    second = enrol(vault, ANNA, "kld.drugs")
    clock.time_ms += 9 * DAY_MS + 1
    assert erase(vault, "112-233-445 95") == [
        {"pseudonym": first, "programme_id": "kld.child-benefit", "erased_on": "2026-01-10"},
        {"pseudonym": second, "programme_id": "kld.drugs", "erased_on": "2026-01-10"},
    ]


def test_the_access_report_lists_every_mention_and_masks_other_people(vault: SqlVault) -> None:
    anna = enrol(vault, ANNA, "p1")
    anna_drugs = enrol(vault, ANNA, "p2")
    petr = enrol(vault, PETR, "p1")
    dedup = vault.find(ANNA.snils).dedup_key  # type: ignore[union-attr]
    storage = ledger(
        ("payments.assign", {"pseudonym": anna, "dedup_key": dedup}, []),
        ("payments.assign", {"pseudonym": petr}, [{"event": "x", "pseudonym": petr}]),
        (
            "payments.pay",
            {"lines": [{"pseudonym": petr, "k": 1}, {"pseudonym": anna, "k": 2}]},
            [{"event": "payments.Paid", "pseudonym": anna}, {"event": "y", "pseudonym": petr}],
        ),
        ("notary.anchor", {"sha256": "00" * 32}, [{"event": "z", "subject": anna_drugs}]),
    )
    report = access_request(storage, vault, "11223344595")
    assert [item["index"] for item in report] == [1, 3, 4]
    assert report[0]["body"] == {"pseudonym": anna, "dedup_key": dedup}
    assert report[1]["body"]["lines"] == [
        {"pseudonym": OTHER_PERSON, "k": 1},
        {"pseudonym": anna, "k": 2},
    ]
    assert report[1]["events"] == [{"event": "payments.Paid", "pseudonym": anna}]
    assert report[2]["events"] == [{"event": "z", "subject": anna_drugs}]
    assert report[1]["tx_type"] == "payments.pay"
    assert petr not in json.dumps(report)


def test_the_access_report_still_works_after_erasure(vault: SqlVault) -> None:
    anna = enrol(vault, ANNA, "p1")
    body = erase(vault, ANNA.snils)[0]
    storage = ledger(
        ("payments.assign", {"pseudonym": anna}, []), ("payments.record_erasure", body, [])
    )
    assert [item["index"] for item in access_request(storage, vault, ANNA.snils)] == [1, 2]


def test_the_access_report_spans_many_scan_windows(vault: SqlVault) -> None:
    anna = enrol(vault, ANNA, "p1")
    bodies = [("t", {"pseudonym": anna if i % 700 == 0 else "none"}, []) for i in range(2100)]
    report = access_request(ledger(*bodies), vault, ANNA.snils)
    assert [item["index"] for item in report] == [1, 701, 1401]


def test_an_unknown_person_has_no_report(vault: SqlVault) -> None:
    with pytest.raises(VaultError, match="no person"):
        access_request(ledger(), vault, PETR.snils)
