"""What a ministry official reads from ``krai parks``: a park's card in Russian, organisations
by name, figures in their units (км, МВт, ₽), dates written out, the day read as of with its
zone (ADR 0051). The park is test_cli_parks.py's: «Индустриальный парк цифровых технологий»,
run by ООО «Гигабайт», 35 km from the regional centre, a substation of 120 MW from
15 March 2018 and 200 MW from 31 December 2018, one free site of 5 ha for 25 million roubles."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_cli_parks import OPERATOR_INN, home

__all__ = ["home"]  # the registry test_cli_parks.py builds, shared by module


def read(home: Path, *args: str) -> str:
    """A ``krai parks`` read at 100 columns, as an official's terminal shows it (its
    no-break spaces, which keep «35 км» and «2019 г.» on one line, written as spaces here)."""
    result = subprocess.run(
        [sys.executable, "-m", "krai", "parks", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "100"},
        check=True,
    )
    return result.stdout.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_card_reads_in_russian_with_names_units_and_the_days_zone(home: Path) -> None:
    assert read(home, "show", "krasnoyarsk-digital", "--on", "2019-06-10") == (
        """\
Индустриальный парк цифровых технологий — создаётся
Управляющая компания: ООО «Гигабайт»
Данные на 10 июня 2019 г. (сутки по UTC — календарь журнала).

Сведения о парке
Код сведения                   Сведение     Значение  На дату      Источник     Подписант     Запись
─────────────────────────────  ───────────  ────────  ───────────  ───────────  ────────────  ──────
distance_to_regional_centre_m  Расстояние   35 км     15 марта     Пресс-релиз  ООО           4
                               до регионал            2018 г.      15.03.2018   «Гигабайт»
                               ьного                  (устарело)
                               центра

Инфраструктура
Объект                            Тип         Мощность  Ввод              Владелец  В мощности парка
────────────────────────────────  ──────────  ────────  ────────────────  ────────  ────────────────
Главная понизительная подстанция  подстанция  200 МВт   15 марта 2018 г.  —         да

Гарантированная мощность сети на 10 июня 2019 г. (UTC): 200 МВт, выделено резидентам 0 кВт, \
свободно 200 МВт.
"""
    )


def test_the_list_names_each_park_its_region_and_its_operator(home: Path) -> None:
    assert read(home, "list") == (
        """\
Код                  Парк        Регион      Тип         Статус     Площадь  Занято рез  Управляющая
                                                                             идентами    компания
───────────────────  ──────────  ──────────  ──────────  ─────────  ───────  ──────────  ───────────
krasnoyarsk-digital  Индустриал  Красноярск  индустриал  создаётся  25 га    0,0 %       ООО
                     ьный парк   ий край     ьный парк                                   «Гигабайт»
                     цифровых
                     технологий
"""
    )


def test_a_proven_fact_is_one_sentence_with_its_signer_by_name(home: Path) -> None:
    said = read(home, "fact", "krasnoyarsk-digital", "distance_to_regional_centre_m")
    assert said.startswith(
        "Расстояние до регионального центра: 35 км на 15 марта 2018 г. (источник: Пресс-релиз "
        "15.03.2018); подписал ООО «Гигабайт», запись № 4; доказательство включения "
        "проверяется по корню "
    )


def test_sites_and_power_read_in_roubles_hectares_and_megawatts(home: Path) -> None:
    assert read(home, "sites") == (
        """\
Кадастровый номер  Парк                       Площадь  Статус    Цена      Разрешённое использование
─────────────────  ─────────────────────────  ───────  ────────  ────────  ─────────────────────────
24:50:0400001:12   Индустриальный парк        5 га     свободна  25 млн ₽  Производственная
                   цифровых технологий                                     деятельность (6.0)
"""
    )
    assert read(home, "power", "krasnoyarsk-digital") == (
        """\
С даты              Гарантированная мощность  Выделено резидентам  Свободно
──────────────────  ────────────────────────  ───────────────────  ────────
15 марта 2018 г.    120 МВт                   0 кВт                120 МВт
31 декабря 2018 г.  200 МВт                   0 кВт                200 МВт
"""
    )


def test_the_card_reads_in_english_when_asked(home: Path) -> None:
    shown = read(home, "show", "krasnoyarsk-digital", "--on", "2019-06-10", "--lang", "en")
    assert shown.splitlines()[:3] == [
        "Krasnoyarsk Industrial Park of Digital Technologies — planned",
        "Operator: ООО «Гигабайт»",
        "As of June 10, 2019 (the UTC day — the ledger's calendar).",
    ]
    assert shown.endswith(
        "Guaranteed grid power on June 10, 2019 (UTC): 200 MW, 0 kW allocated, 200 MW free.\n"
    )


def test_the_json_names_the_organisations_beside_their_identifiers(home: Path) -> None:
    card = json.loads(read(home, "show", "krasnoyarsk-digital", "--json"))
    assert (card["park"]["operator"], card["park"]["operator_name"]) == (
        OPERATOR_INN,
        "ООО «Гигабайт»",
    )
    assert [(f["by"], f["by_name"]) for f in card["facts"]] == [(OPERATOR_INN, "ООО «Гигабайт»")]
    [listed] = json.loads(read(home, "list", "--json"))
    assert listed["operator_name"] == "ООО «Гигабайт»"
