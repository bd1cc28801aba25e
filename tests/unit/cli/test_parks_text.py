"""How ``krai parks`` words the registry's documents for a ministry official (ADR 0051): each
case is a document as the app builds it and the rows the official reads. No-break spaces keep
a figure with its unit; they are written as spaces here."""

from typing import Any

from krai.entrypoints.cli import parks_text as text
from krai.entrypoints.words.i18n import Words

RU, EN = Words("ru"), Words("en")


def shown(table: text.Table) -> list[list[str]]:
    """The headers then the rows, their no-break spaces read as spaces."""
    headers, rows = table
    return [
        [cell.replace("\u00a0", " ").replace("\u202f", " ") for cell in row]
        for row in [headers, *rows]
    ]


EBANG: dict[str, Any] = {
    "inn": "8002744225",
    "name": "Российское общество Ebang Communication",
    "status": "breach",
    "commitments": [
        {
            "due": "2019-03-31",
            "committed_investment_kopecks": 10_000_000_000,
            "committed_jobs": 30,
            "actual_investment_kopecks": 0,
            "actual_jobs": 0,
            "status": "missed",
        }
    ],
}
DING_FENG: dict[str, Any] = {
    "inn": "CN-USCC:91440300103434855W",
    "name": None,
    "status": "intention",
    "commitments": [],
}


def test_a_resident_that_missed_its_milestone_is_named_with_its_figures_in_roubles() -> None:
    assert shown(text.residents_table(RU, [EBANG, DING_FENG])) == [
        [
            "Организация",
            "Идентификатор (ИНН)",
            "Статус",
            "Срок",
            "Инвестиции по плану",
            "Инвестиции факт",
            "Рабочие места: факт из плана",
            "Оценка",
        ],
        [
            "Российское общество Ebang Communication",
            "8002744225",
            "нарушение обязательств",
            "31 марта 2019 г.",
            "100 млн ₽",
            "0 ₽",
            "0 из 30",
            "не выполнено",
        ],
        [
            "CN-USCC:91440300103434855W",
            "CN-USCC:91440300103434855W",
            "намерение",
            *["—"] * 5,
        ],
    ]


def test_a_support_measure_names_both_authorities_and_its_overlap() -> None:
    measure = {
        "measure_id": "krsk-2018-tax-1",
        "kind": "tax",
        "recipient_inn": "3129231955",
        "recipient_name": "Корпорация BitBaza",
        "by": "2466000001",
        "by_name": "Министерство экономического развития Красноярского края",
        "from": "2018-04-01",
        "until": "2021-01-01",
        "amount_kopecks": 35_000_000_000,
        "overlapping": [{"measure_id": "fns-2018-1", "by": "7707329152", "by_name": "ФНС России"}],
    }
    assert shown(text.support_table(RU, [measure]))[1] == [
        "krsk-2018-tax-1",
        "налоговая льгота",
        "Корпорация BitBaza",
        "Министерство экономического развития Красноярского края",
        "с 1 апреля 2018 г. до 1 января 2021 г.",
        "350 млн ₽",
        "fns-2018-1 (ФНС России)",
    ]
    open_ended = {**measure, "until": None, "overlapping": []}
    del open_ended["amount_kopecks"]
    assert shown(text.support_table(RU, [open_ended]))[1][4:] == [
        "с 1 апреля 2018 г., бессрочно",
        "—",
        "—",
    ]


def test_an_agreement_lists_its_parties_by_name_and_who_signed_for_them() -> None:
    agreement = {
        "agreement_id": "sever-great-stone",
        "title": "Соглашение о сотрудничестве",
        "status": "in_force",
        "parties": ["2752513228", "BY-UNP:190239198"],
        "party_names": {"2752513228": "НОЦ «Север»"},
        "signatures": [{"by": "2752513228"}],
        "signatories": [{"position": "Директор", "name": "Евгений Колганов"}],
    }
    assert shown(text.agreements_table(RU, [agreement]))[1] == [
        "sever-great-stone",
        "Соглашение о сотрудничестве",
        "действует",
        "НОЦ «Север»; BY-UNP:190239198",
        "1 из 2",
        "Директор Евгений Колганов",
    ]


def test_a_target_without_a_baseline_says_so_rather_than_judging_it() -> None:
    target = {
        "title": "Занятые в креативных индустриях",
        "region_id": "RU-14",
        "by_date": "2030-12-31",
        "progress_basis_points": 6500,
        "baseline_known": False,
        "expected_basis_points": None,
        "on_track": None,
    }
    behind = {
        **target,
        "baseline_known": True,
        "expected_basis_points": 8000,
        "on_track": False,
    }
    regions = {"RU-14": "Республика Саха (Якутия)"}
    assert shown(text.targets_table(RU, [target, behind], regions))[1:] == [
        [
            "Занятые в креативных индустриях",
            "Республика Саха (Якутия)",
            "31 декабря 2030 г.",
            "65,0 % цели (базовое значение неизвестно)",
            "—",
            "— (нет базового значения)",
        ],
        [
            "Занятые в креативных индустриях",
            "Республика Саха (Якутия)",
            "31 декабря 2030 г.",
            "65,0 %",
            "80,0 %",
            "отстаёт",
        ],
    ]


def test_english_is_there_when_asked_for() -> None:
    assert shown(text.residents_table(EN, [EBANG]))[1][2:] == [
        "breach",
        "March 31, 2019",
        "100 mn ₽",
        "0 ₽",
        "0 of 30",
        "missed",
    ]
