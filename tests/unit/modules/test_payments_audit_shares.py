"""Each part of the payments audit reads exactly the cards of its share of assignments,
whatever characters their ids hold: ``-`` and ``.`` sort before the ``/`` of a card's key."""

import pytest

from krai.modules.payments.audit import AuditData, cards_share
from krai.modules.payments.model import card_key

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
