"""Stated figures read through Words, the one formatting layer: with their qualifier, unit and
currency, in Russian and English; never as 0, never as a bare number of kopecks."""

from krai.entrypoints.words.i18n import Words, rouble_value

NBSP = "\u00a0"
RU, EN = Words("ru"), Words("en")


def test_capacity_reads_with_its_qualifier_in_megawatts() -> None:
    assert RU.figure(120_000, "over", "power_kw") == f"более 120{NBSP}МВт"
    assert EN.figure(120_000, "over", "power_kw") == f"over 120{NBSP}MW"
    assert RU.figure(500, "up_to", "power_kw") == f"до 500{NBSP}кВт"


def test_heat_reads_in_gcal_per_hour_not_mcal() -> None:
    assert RU.figure(25_500, "exact", "heat_mcal_per_hour") == f"25,5{NBSP}Гкал/ч"
    assert RU.gcal(4_913_000) == f"4{NBSP}913{NBSP}Гкал"
    assert EN.gcal(1_250) == f"1.25{NBSP}Gcal"


def test_an_unknown_figure_reads_as_unknown_not_zero() -> None:
    assert RU.figure(None, "exact", "residents_count") == "нет данных"
    unknown = {"unit": "power_kw", "timeline": [], "capacity_on": None}
    assert RU.capacity(unknown) == "мощность неизвестна"
    assert EN.commissioned(unknown) == "in-service date unknown"


def test_an_object_reads_its_latest_step_when_none_is_in_force() -> None:
    later = {"from": "2019-06-01", "capacity": 200_000, "bound": "exact"}
    infrastructure = {"unit": "power_kw", "timeline": [later], "capacity_on": None}
    assert RU.capacity(infrastructure) == f"200{NBSP}МВт"
    assert EN.commissioned(infrastructure) == "June 1, 2019"


def test_counts_distances_and_rates_read_in_their_units() -> None:
    assert RU.figure(19, "about", "it_centres_count") == "около 19"
    assert RU.figure(12_500, "exact", "distance_to_airport_m") == f"12,5{NBSP}км"
    assert RU.figure(800, "exact", "distance_to_airport_m") == f"800{NBSP}м"
    assert RU.figure(1550, "exact", "profit_tax_rate_basis_points") == f"15,5{NBSP}%"


def test_money_reads_in_roubles_with_millions_and_billions() -> None:
    assert RU.figure(350_000_000_000, "exact", "public_investment_kopecks") == (f"3,5{NBSP}млрд ₽")
    assert RU.money(19_300_000_000, "USD") == f"193{NBSP}000{NBSP}000{NBSP}USD"
    assert RU.money(123_456) == f"1{NBSP}234,56{NBSP}₽"
    assert str(rouble_value(123_450)) == "1234.50"


def test_a_planned_date_reads_to_its_precision() -> None:
    assert RU.planned("2027") == "в 2027 году"
    assert RU.planned("2027-03") == "в марте 2027 года"
    assert EN.planned("2027-03") == "in March 2027"
    assert RU.planned("2027-03-12") == "12 марта 2027\u202fг."


def test_a_fact_in_text_reads_as_written() -> None:
    assert RU.fact({"name": "tax_regime", "value": "ОЭЗ"}) == "ОЭЗ"
    assert EN.fact({"name": "jobs_count", "value": 70_000}) == "70,000"


def test_a_sentence_ending_in_a_russian_long_date_has_one_full_stop() -> None:
    served_by = RU.date("2026-05-26")
    assert served_by.endswith("г.")
    said = RU("finding_says.deferred_not_served", serve_by=served_by)
    assert said == f"Отсроченный рецепт не обслужен к сроку — {served_by}"
    assert EN("finding_says.deferred_not_served", serve_by=EN.date("2026-05-26")).endswith("2026.")
