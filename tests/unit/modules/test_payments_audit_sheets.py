"""People with one fact sheet are matched to a schedule by the sheet's bytes without its
entry indexes; a sheet whose indexes are not plain safe integers is still decoded, and
refused, and a person with two sheets is ranked across both."""

import pytest

from krai.modules.payments.audit import BRIEFS_TRIED, SHEETS, AuditData, entitled
from krai.modules.payments.records import Assignment, Fact, FactSheet, LegalBasis, RuleVersion
from krai.state.records import RecordFormError, encode_record

STAMP = {"by": "3900000000", "index": 1, "time_ms": 0, "tx_id": "ab" * 32}
RULE = RuleVersion(
    **STAMP,
    version=1,
    effective_from="2026-01-01",
    legal_basis=LegalBasis("act", "1"),
    eligibility=True,
    amount_kopecks={"fact": "income_per_capita_kopecks"},
    parameters={},
)


def _assignment(person: str) -> Assignment:
    return Assignment(
        **STAMP,
        programme_id="p",
        pseudonym=f"ps:{person}",
        dedup_key=f"dd:{person}",
        decision_date="2026-01-01",
        start_date="2026-01-01",
        decision_sha256="cd" * 32,
    )


def _sheet(*incomes: tuple[int, int]) -> bytes:
    facts = [Fact("income_per_capita_kopecks", v, "2025-12-01", i) for v, i in incomes]
    return encode_record(FactSheet(tuple(facts)))


def _data(sheets: dict[str, bytes]) -> AuditData:
    people = {key.split(":")[1] for key in sheets}
    assignments = {person: _assignment(person) for person in people}
    sheets = {SHEETS + key: raw for key, raw in sheets.items()}
    return AuditData({}, {"p": [RULE]}, sheets, assignments, {}, {}, {}, {})


def test_sheets_that_differ_only_in_their_indexes_share_one_schedule() -> None:
    data = _data({"dd:a": _sheet((100, 1), (200, 2)), "dd:b": _sheet((100, 7), (200, 9))})
    assert entitled(data, "a", "2026-02")["amount_kopecks"] == 200
    assert entitled(data, "b", "2026-02")["amount_kopecks"] == 200
    assert len(data.briefs) == 1


def test_a_sheet_with_an_index_out_of_range_is_decoded_and_refused() -> None:
    bad = _sheet((100, 1), (200, 2)).replace(b'"index":2,', b'"index":90071992547409930,')
    data = _data({"dd:a": _sheet((100, 1), (200, 2)), "dd:b": bad})
    entitled(data, "a", "2026-02")
    with pytest.raises(RecordFormError):
        entitled(data, "b", "2026-02")


def test_a_person_with_two_sheets_is_ranked_across_both() -> None:
    """The income on the pseudonym's sheet was attested later (index 5) than the one on the
    deduplication key's (index 3), on the same day: it holds, whichever sheet comes first."""
    data = _data({"ps:a": _sheet((300, 5)), "dd:a": _sheet((100, 3))})
    assert entitled(data, "a", "2026-02")["amount_kopecks"] == 300
    data = _data({"ps:a": _sheet((300, 3)), "dd:a": _sheet((100, 5))})
    assert entitled(data, "a", "2026-02")["amount_kopecks"] == 100
    assert not data.briefs


def test_people_all_different_stop_being_looked_up_by_their_sheets_and_keep_their_dues() -> None:
    count = BRIEFS_TRIED + 10
    data = _data({f"dd:{n}": _sheet((n, 1)) for n in range(count)})
    dues = [entitled(data, str(n), "2026-02")["amount_kopecks"] for n in range(count)]
    assert dues == list(range(count))
    assert len(data.briefs) == BRIEFS_TRIED
    assert not data.by_brief


def test_people_alike_keep_being_looked_up_by_their_sheets() -> None:
    count = 2 * BRIEFS_TRIED + 10
    data = _data({f"dd:{n}": _sheet((n % 64, n)) for n in range(count)})
    dues = [entitled(data, str(n), "2026-02")["amount_kopecks"] for n in range(count)]
    assert dues == [n % 64 for n in range(count)]
    assert len(data.briefs) == 64
    assert data.by_brief
    assert data.brief_hits == count - 64
