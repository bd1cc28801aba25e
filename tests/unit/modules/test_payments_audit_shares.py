"""Each part of the payments audit reads exactly the cards of its share of assignments,
whatever characters their ids hold: ``-`` and ``.`` sort before the ``/`` of a card's key,
and whatever the slices it reads them in; the indexes of holders keep every id."""

import pytest
from tests.scenarios.payments_people import AS_OF
from tests.scenarios.payments_region import Region, populate

from krai.modules.payments.audit import AuditData, audit, cards_share, driver
from krai.modules.payments.audit import data as data_module
from krai.modules.payments.audit.data import CARDS, Held, Holder
from krai.modules.payments.model import card_key
from krai.state.store import MemoryState

IDS = ["a", "b", "b-", "b-1", "b.2", "b1", "b:3", "ba", "c.d-e"]


@pytest.mark.parametrize("parts", [1, 2, 3, 5, 9, 12])
def test_each_card_is_read_by_the_one_part_that_holds_its_assignment(parts: int) -> None:
    data = AuditData({}, {}, {}, {i: {} for i in IDS}, {}, {}, {}, {})
    cards = sorted(card_key(i, year) for i in IDS for year in ("2025", "2026"))
    read, held = [], []
    for part in range(parts):
        share, start, end = cards_share(data, part, parts)
        inside = [key for key in cards if start <= key < end]
        assert {key.split("/")[2] for key in inside} == set(share)
        read.extend(inside)
        held.extend(share)
    assert sorted(read) == cards  # every card once
    assert sorted(held) == sorted(IDS)  # every assignment once, for its missing months


@pytest.mark.parametrize(("parts", "per_read"), [(1, 1), (2, 2), (3, 4), (1, 2048)])
def test_a_share_read_a_slice_at_a_time_reads_each_of_its_cards_once(
    parts: int, per_read: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = AuditData({}, {}, {}, {i: {} for i in IDS}, {}, {}, {}, {})
    state = MemoryState()
    state.apply_writes({card_key(i, year): b"{}" for i in IDS for year in ("2025", "2026")})
    monkeypatch.setattr(driver, "CARDS_PER_READ", per_read)
    for part in range(parts):
        share, start, end = cards_share(data, part, parts)
        assert list(driver._cards(state, share, start, end)) == list(state.scan_range(start, end))


def test_the_holders_of_several_assignments_and_of_one() -> None:
    held = Held()
    for holder, assignment_id in [("p", "a"), ("q", "b"), ("p", "c"), ("p", "d")]:
        held.add(holder, assignment_id)
    assert (held.get("p"), held.get("q"), held.get("r"), held.get("r", [])) == (
        ["a", "c", "d"],
        ["b"],
        (),
        [],
    )
    assert held.more == {"p": ["a", "c", "d"]}


@pytest.mark.parametrize("owner", ["zz-unknown", "{first}/x", "{first}x"])
def test_a_card_of_an_assignment_the_state_does_not_hold_is_an_error(owner: str) -> None:
    """Whether after every share's cards, or beside the cards of an id it begins with."""
    view = populate(Region, seed=11, size=5).ledger.view
    state = MemoryState()
    state.apply_writes(dict(view.scan_bytes("")))
    first = sorted(key for key, _ in state.scan_bytes(f"{CARDS}"))[0]
    stray = card_key(owner.format(first=first[len(CARDS) :].rsplit("/", 1)[0]), "2026")
    state.apply_writes({stray: dict(state.scan_bytes(CARDS))[first]})
    with pytest.raises(AssertionError, match="the state does not hold"):
        audit(state, AS_OF)


def test_holders_indexed_a_step_at_a_time_are_indexed_as_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holders = {i: Holder(f"ps:{i[:1]}", f"dd:{i[-1:]}") for i in IDS}
    at_once = AuditData({}, {}, {}, holders, {}, {}, {}, {})
    stepwise = AuditData({}, {}, {}, holders, {}, {}, {}, {})
    monkeypatch.setattr(data_module, "HOLDERS_PER_STEP", 2)
    steps = 1
    while not stepwise.index_some():
        steps += 1
    assert steps == len(IDS) // 2 + 1
    assert stepwise.several == at_once.several != {}
    assert [stepwise.by_pseudonym.get(f"ps:{i[:1]}") for i in IDS] == [
        at_once.by_pseudonym.get(f"ps:{i[:1]}") for i in IDS
    ]
