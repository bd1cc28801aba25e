"""The dashboard's catalogue: every word in both languages, every key a template asks for."""

import re
from importlib import resources

from krai.entrypoints.words.i18n import LANGUAGES, Words, catalogue

TEMPLATES = resources.files("krai.entrypoints.web").joinpath("templates")
LITERAL_KEY = re.compile(r"""\bt\('([a-z_]+\.[a-z_]+)'""")


def test_every_message_is_written_in_russian_and_english() -> None:
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    named = {
        key
        for template in TEMPLATES.iterdir()
        for key in LITERAL_KEY.findall(template.read_text(encoding="utf-8"))
    }
    assert named, "the templates name their words by key"
    assert named <= set(catalogue()), sorted(named - set(catalogue()))


def test_numbers_money_and_dates_follow_each_locale() -> None:
    russian, english = Words("ru"), Words("en")
    assert russian.roubles(1000000000) == "10\u00a0000\u00a0000,00\u00a0₽"
    assert english.roubles(1000000000) == "10,000,000.00\u00a0₽"
    assert russian.date("2018-03-15") == "15 марта 2018\u202fг."
    assert english.date("2018-03-15") == "March 15, 2018"
    assert russian.percent(2359) == "23,6\u00a0%"
