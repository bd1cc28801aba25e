"""Stated figures read in Russian with their qualifier, unit and currency; never as 0."""

from krai.app import park_figures as figures

NBSP = "\u00a0"


def test_capacity_reads_with_its_qualifier_in_megawatts() -> None:
    assert figures.quantity(120_000, "over", "power_kw") == f"более 120{NBSP}МВт"
    assert figures.quantity(1_500, "up_to", "power_kw") == f"до 1{NBSP}500{NBSP}кВт"


def test_an_unknown_figure_reads_as_unknown_not_zero() -> None:
    assert figures.quantity(None, "exact", "residents_count") == "нет данных"
    shown = figures.infrastructure({"unit": "power_kw", "timeline": [], "capacity_on": None})
    assert shown["capacity_shown"] == "мощность неизвестна"
    assert shown["commissioned_shown"] == "дата ввода неизвестна"


def test_counts_read_without_a_unit() -> None:
    assert figures.quantity(19, "about", "it_centres_count") == "около 19"
    assert figures.quantity(120, "over", "residents_count") == "более 120"


def test_money_reads_in_whole_units_with_its_currency() -> None:
    assert figures.quantity(19_300_000_000, "exact", "x_kopecks", "USD") == (
        f"193{NBSP}000{NBSP}000{NBSP}USD"
    )
    assert figures.money(350_000_000_050) == f"3{NBSP}500{NBSP}000{NBSP}000,50{NBSP}₽"


def test_a_planned_date_reads_to_its_precision() -> None:
    assert figures.planned_date("2027") == "в 2027 году"
    assert figures.planned_date("2027-03") == "в марте 2027 года"
    assert figures.planned_date("2027-03-12") == "12.03.2027"
