"""The «Клиент банка» reader and writer: fixture files written from the published description
of the format, each refusal, a round trip and a fuzz test."""

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krai.app.client_bank import (
    MAX_FILE_BYTES,
    ClientBankError,
    Document,
    Party,
    read_client_bank,
    statement_lines,
    write_client_bank,
)
from krai.app.statement_files import StatementFileError, read_statement

FILES = Path(__file__).parent / "client_bank_files"
WINDOWS = (FILES / "statement_1_02_windows.txt").read_bytes()
UTF8 = (FILES / "statement_1_03_utf8.txt").read_bytes()
TEXT = UTF8.decode()
EXPECTED_LINES = [
    {
        "line_id": "1",
        "booked_on": "2026-03-22",
        "direction": "debit",
        "amount_kopecks": 800000,
        "reference": "pay-anna-2026-02",
    },
    {
        "line_id": "2",
        "booked_on": "2026-03-22",
        "direction": "credit",
        "amount_kopecks": 1100000,
        "reference": "pay-boris-2026-03",
    },
    {
        "line_id": "3",
        "booked_on": "2026-03-22",
        "direction": "debit",
        "amount_kopecks": 1550,
        "reference": "№ 5531 от 2026-03-22",
    },
]
VEB = Party(
    "40702810000000000001",
    "7750004150",
    "ВЭБ.РФ",
    "044525060",
    "ВЭБ.РФ г. Москва",
    "30101810500000000060",
)
PAYOUTS = Party(
    "30232810000000000002",
    "7750004150",
    "ВЭБ.РФ (выплаты)",
    "044525060",
    "ВЭБ.РФ г. Москва",
    "30101810500000000060",
)


def test_both_versions_in_windows_1251_and_utf_8_give_the_same_statement() -> None:
    windows, utf8 = read_client_bank(WINDOWS), read_client_bank(UTF8)
    assert (windows.version, windows.codec, utf8.version, utf8.codec) == (
        *("1.02", "cp1251"),
        *("1.03", "utf-8"),
    )
    assert windows.accounts == utf8.accounts == ("40702810000000000001",)
    assert statement_lines(windows) == statement_lines(utf8) == EXPECTED_LINES
    fee = windows.documents[2]
    assert (fee.kind, fee.payee.account, fee.purpose) == (
        "Банковский ордер",
        "70601810000000000003",
        "Комиссия за ведение счёта за март 2026 г.",
    )
    assert windows.documents[0].payer == VEB


def test_dos_866_and_a_utf_8_byte_order_mark_are_read() -> None:
    dos = TEXT.replace("Кодировка=UTF-8", "Кодировка=DOS").encode("cp866")
    assert statement_lines(read_client_bank(dos)) == EXPECTED_LINES
    assert statement_lines(read_client_bank(b"\xef\xbb\xbf" + UTF8)) == EXPECTED_LINES


def test_format_auto_tells_the_formats_apart_and_csv_stays_as_it_was() -> None:
    assert read_statement(WINDOWS) == read_statement(UTF8, "1c") == EXPECTED_LINES
    csv = b"line_id,booked_on,direction,amount_rub,reference\n1,2026-03-22,debit,15.5,x\n"
    assert read_statement(csv)[0]["amount_kopecks"] == 1550
    with pytest.raises(StatementFileError, match="the header must name line_id"):
        read_statement(UTF8, "csv")
    with pytest.raises(StatementFileError, match="line 1: the file does not begin with 1CCl"):
        read_statement(csv, "1c")


def variant(old: str, new: str, text: str = TEXT) -> bytes:
    assert old in text
    return text.replace(old, new, 1).encode()


def line_of(text: str) -> int:
    """The number of the fixture's line that begins with ``text``."""
    return next(n for n, line in enumerate(TEXT.splitlines(), 1) if line.startswith(text))


SUM = line_of("Сумма=8000.00")
REFUSED = [
    (b"1CClientBank\n", 1, "the file does not begin with 1CClientBankExchange"),
    (variant("Кодировка=UTF-8\n", ""), 1, "the header has no Кодировка"),
    (variant("Кодировка=UTF-8", "Кодировка=KOI8-R"), 3, "Кодировка 'KOI8-R' is not Windows"),
    (variant("Кодировка=UTF-8", "Кодировка=Windows"), 3, "but the file is written in utf-8"),
    (TEXT.encode("cp1251"), 3, "Кодировка=UTF-8 but the file is written in cp1251"),
    (UTF8.replace("ВЭБ.РФ\n".encode(), b"\xff\n", 1), 4, "not utf-8 text"),
    (variant("ВерсияФормата=1.03\n", ""), 1, "the header has no ВерсияФормата"),
    (variant("ВерсияФормата=1.03", "ВерсияФормата=1.01"), 1, "'1.01' is not 1.02 or 1.03"),
    (variant("Сумма=8000.00", "Сумма=8000,00"), SUM, "Сумма '8000,00': the decimal separator"),
    (variant("Сумма=8000.00", "Сумма=8000.001"), SUM, "more than 2 decimal places"),
    (variant("Сумма=8000.00", "Сумма=0.00"), SUM, "Сумма '0.00' is zero"),
    (variant("Сумма=8000.00", "Сумма=-8000"), SUM, "is not an amount in roubles"),
    (variant("Сумма=8000.00", "Сумма=08000"), SUM, "is not an amount in roubles"),
    (variant("Дата=22.03.2026\nСумма", "Дата=31.02.2026\nСумма"), SUM - 1, "Дата '31.02.2026'"),
    (variant("ДатаСписано=22.03.2026", "ДатаСписано=2026-03-22"), SUM + 2, "not a day ДД.ММ"),
    (variant("Номер=101\n", ""), line_of("СекцияДокумент"), "Номер is missing"),
    (variant("Номер=101", "Номер=" + "1" * 33), line_of("Номер=101"), "more than 32 characters"),
    (variant("=40702810000000000001\nДатаСп", "=4070281000000000000\nДатаСп"), SUM + 1, "20 di"),
    (variant("ПлательщикБИК=044525060", "ПлательщикБИК=04452506"), SUM + 8, "9 digits"),
    (variant("ПлательщикИНН=7750004150", "ПлательщикИНН=77500041501"), SUM + 4, "10 or 12"),
    (variant("Очередность=5", "Сумма=1.00"), SUM + 19, "Сумма appears twice in the section"),
    (variant("Очередность=5", "Очередность 5"), SUM + 19, "expected KEY=VALUE"),
    (variant("КонецФайла\n", "КонецФайла\nещё\n"), line_of("КонецФайла") + 1, "text after"),
    (variant("КонецФайла\n", ""), line_of("КонецФайла"), "ends without КонецФайла"),
    (TEXT.split("КонецДокумента")[0].encode(), SUM + 21, "ends before КонецДокумента"),
    (variant("КонецДокумента\n", ""), SUM + 21, "СекцияДокумент=Платежное поручение before"),
    (variant("КонецРасчСчет\n", ""), SUM - 4, "before КонецРасчСчет of line"),
    (variant("01\nНачальный", "0\nНачальный"), line_of("Начальный") - 1, "РасчСчет '4070281"),
    (UTF8 + b" " * MAX_FILE_BYTES, 1, "more than"),
]


@pytest.mark.parametrize(("data", "line", "message"), REFUSED)
def test_a_malformed_file_is_refused_naming_its_line_and_key(
    data: bytes, line: int, message: str
) -> None:
    with pytest.raises(ClientBankError, match=f"^line {line}: .*{message}"):
        statement_lines(read_client_bank(data))


def test_a_document_twice_is_refused() -> None:
    first = TEXT.index("СекцияДокумент")
    section = TEXT[first : TEXT.index("КонецДокумента") + len("КонецДокумента\n")]
    twice = (TEXT[:first] + section + TEXT[first:]).encode()
    again = line_of("СекцияДокумент") + section.count("\n")
    with pytest.raises(ClientBankError, match=f"line {again}: .*repeats the one of line"):
        read_client_bank(twice)


STATEMENT_REFUSALS = [
    (variant("ДатаСписано=22.03.2026\n", ""), "ДатаСписано is missing: the bank has not"),
    (
        variant("ПолучательСчет=40702810000000000001", "ПолучательСчет=40702810000000000009"),
        "neither ПлательщикСчет nor ПолучательСчет is the statement's account",
    ),
    (
        variant("РасчСчет=40702810000000000001\nНач", "РасчСчет=40702810000000000009\nНач"),
        "a statement covers one account .РасчСчет.; found 40702810000000000001, 4070281000",
    ),
]


@pytest.mark.parametrize(("data", "message"), STATEMENT_REFUSALS)
def test_a_statement_that_is_not_one_accounts_bookings_is_refused(
    data: bytes, message: str
) -> None:
    with pytest.raises(ClientBankError, match=message):
        statement_lines(read_client_bank(data))


def test_orders_are_written_as_the_fixture_written_from_the_description() -> None:
    orders = [
        Document("1", "2026-02-26", 800000, VEB, PAYOUTS, purpose("pay-anna-2026-02")),
        Document("2", "2026-02-26", 1000005, VEB, PAYOUTS, purpose("pay-boris-2026-02")),
    ]
    written = write_client_bank(VEB.account, "2026-02-26", orders)
    assert written == (FILES / "orders_windows.txt").read_bytes()
    utf8 = write_client_bank(VEB.account, "2026-02-26", orders, "utf-8")
    assert utf8.decode() == written.decode("cp1251").replace("Кодировка=Windows", "Кодировка=UTF-8")
    assert list(read_client_bank(utf8).documents) == orders


def purpose(payment_id: str) -> str:
    return f"Выплата, платёж krai:{payment_id}; без налога (НДС)"


@pytest.mark.parametrize(
    ("name", "message"), [("a\nb", "holds a line break"), ("Zürich 中", "cannot be written in")]
)
def test_a_value_the_file_cannot_hold_is_refused(name: str, message: str) -> None:
    order = Document("1", "2026-02-26", 1, VEB, replace(PAYOUTS, name=name), "x")
    with pytest.raises(ValueError, match=message):
        write_client_bank(VEB.account, "2026-02-26", [order])


text = st.text(
    st.characters(codec="cp1251", exclude_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
    max_size=40,
).map(str.strip)
payment_ids = st.from_regex(r"[a-z0-9][a-z0-9.-]{0,20}[a-z0-9]", fullmatch=True)
parties = st.builds(
    Party,
    account=st.text("0123456789", min_size=20, max_size=20),
    inn=st.sampled_from(["7750004150", "390000000012", ""]),
    name=text,
    bic=st.text("0123456789", min_size=9, max_size=9),
    bank=text,
    correspondent=st.text("0123456789", min_size=20, max_size=20),
)
documents = st.builds(
    Document,
    number=st.integers(1, 999_999).map(str),
    day=st.dates().map(lambda day: day.isoformat()),
    amount_kopecks=st.integers(1, 10**15 - 1),
    payer=parties,
    payee=parties,
    purpose=st.builds(lambda before, pid: f"{before} krai:{pid}".strip(), text, payment_ids),
    debited_on=st.none() | st.dates().map(lambda day: day.isoformat()),
    credited_on=st.none() | st.dates().map(lambda day: day.isoformat()),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(documents, max_size=5, unique_by=lambda d: (d.number, d.day, d.payer.account)))
def test_orders_written_read_back_the_same(orders: list[Document]) -> None:
    for codec in ("cp1251", "utf-8"):
        written = write_client_bank("40702810000000000001", "2026-02-26", orders, codec)
        assert list(read_client_bank(written).documents) == orders


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, len(TEXT.splitlines()) - 1), max_size=4), st.binary(max_size=20))
def test_a_damaged_file_is_refused_never_with_a_traceback(drop: list[int], noise: bytes) -> None:
    lines = [line.encode() for n, line in enumerate(TEXT.splitlines()) if n not in drop]
    data = b"\n".join([*lines[:20], noise, *lines[20:]])
    with contextlib.suppress(ClientBankError):
        statement_lines(read_client_bank(data))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [b"", b"1CClientBankExchange\n", b"line_id,booked_on,direction,amount_rub,reference\n"]
    ),
    st.binary(max_size=200),
    st.sampled_from(["auto", "csv", "1c"]),
)
def test_any_bytes_are_read_or_refused_never_with_a_traceback(
    start: bytes, rest: bytes, file_format: Literal["auto", "csv", "1c"]
) -> None:
    with contextlib.suppress(StatementFileError):
        read_statement(start + rest, file_format)
