"""The «Клиент банка» exchange format (``1CClientBankExchange``): bank statements read into the
lines the payments module reconciles, and payment orders written for the bank
(docs/modules/payments.md, "Formats").

Pure functions, shared by every edge: bytes in, documents out, and documents in, bytes out.
A file is refused as a whole, with a ``ClientBankError`` naming its line and key.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from krai.crypto.canonical import JSONValue

MAX_FILE_BYTES = 32 * 1024 * 1024
"""The largest file read: some tens of thousands of documents."""
FIRST_LINE = "1CClientBankExchange"
VERSIONS = ("1.02", "1.03")
ENCODINGS = {"Windows": "cp1251", "DOS": "cp866", "UTF-8": "utf-8"}
"""``Кодировка=`` values and the codecs they name."""
PAYMENT_ORDER = "Платежное поручение"
PAYMENT_ID_MARKER = "krai:"
PAYMENT_ID = re.compile(r"krai:([a-z0-9][a-z0-9._:-]{0,95})(?![a-z0-9._:-])")
AMOUNT = re.compile(r"(0|[1-9][0-9]{0,12})(?:\.([0-9]+))?")
DAY = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")
ACCOUNT = re.compile(r"[0-9]{20}")
BIC = re.compile(r"[0-9]{9}")
INN = re.compile(r"0|[0-9]{10}|[0-9]{12}")
MAX_NUMBER_CHARS = 32
UTF8_BOM = b"\xef\xbb\xbf"


class ClientBankError(ValueError):
    """A file refused: the message names the line (and key) at fault."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Party:
    """A payer or payee: its account at its bank, INN, name and bank."""

    account: str
    inn: str = ""
    name: str = ""
    bic: str = ""
    bank: str = ""
    correspondent: str = ""


@dataclass(frozen=True)
class Document:
    """One ``СекцияДокумент``: a payment order or another document on the account.

    ``debited_on``/``credited_on`` (ISO days) are the bank's booking days, present in
    statements; ``line`` is where the section begins in its file."""

    number: str
    day: str
    amount_kopecks: int
    payer: Party
    payee: Party
    purpose: str
    kind: str = PAYMENT_ORDER
    debited_on: str | None = None
    credited_on: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ClientBankFile:
    """A file read: its version, the codec it was decoded with, the accounts it covers
    (``РасчСчет``, header and ``СекцияРасчСчет``) and its documents in order."""

    version: str
    codec: str
    accounts: tuple[str, ...]
    documents: tuple[Document, ...]


def is_client_bank(data: bytes) -> bool:
    """Whether ``data`` begins as a «Клиент банка» file does."""
    return data.removeprefix(UTF8_BOM).startswith(FIRST_LINE.encode())


def read_client_bank(data: bytes) -> ClientBankFile:
    """Every document of a file, checked; raises ``ClientBankError`` on the first fault."""
    if len(data) > MAX_FILE_BYTES:
        raise ClientBankError(1, f"the file has {len(data)} bytes, more than {MAX_FILE_BYTES}")
    raw = data.removeprefix(UTF8_BOM).split(b"\n")
    if raw[0].rstrip(b"\r") != FIRST_LINE.encode():
        raise ClientBankError(1, f"the file does not begin with {FIRST_LINE}")
    codec = _declared_codec(raw, bom=data.startswith(UTF8_BOM))
    return _Reader(list(_decoded(raw, codec)), codec).read()


def _declared_codec(raw: list[bytes], *, bom: bool) -> str:
    """The codec ``Кодировка=`` names, written in that same codec."""
    for number, line in enumerate(raw, start=1):
        for written_in in ENCODINGS.values():
            prefix = "Кодировка=".encode(written_in)
            if line.startswith(prefix):
                value = line[len(prefix) :].decode("ascii", "replace").strip()
                return _checked_codec(number, value, written_in, bom=bom)
    raise ClientBankError(1, "the header has no Кодировка (Windows, DOS or UTF-8)")


def _checked_codec(number: int, value: str, written_in: str, *, bom: bool) -> str:
    codec = ENCODINGS.get(value)
    if codec is None:
        raise ClientBankError(number, f"Кодировка {value!r} is not Windows, DOS or UTF-8")
    if codec != written_in or (bom and codec != "utf-8"):
        found = "UTF-8" if bom else written_in
        raise ClientBankError(number, f"Кодировка={value} but the file is written in {found}")
    return codec


def _decoded(raw: list[bytes], codec: str) -> Iterator[str]:
    for number, line in enumerate(raw, start=1):
        try:
            yield line.rstrip(b"\r").decode(codec)
        except UnicodeDecodeError:
            raise ClientBankError(number, f"not {codec} text") from None


class _Reader:
    """The sections of a decoded file, line by line."""

    def __init__(self, lines: list[str], codec: str) -> None:
        self.lines = lines
        self.codec = codec
        self.header: dict[str, str] = {}
        self.accounts: list[str] = []
        self.documents: list[Document] = []
        self.seen: dict[tuple[str, str, str, str], int] = {}

    def read(self) -> ClientBankFile:
        number = self._header()
        while True:
            number, text = self._next(number)
            if text == "КонецФайла":
                self._only_blank_after(number)
                break
            if text == "СекцияРасчСчет":
                number = self._account_section(number)
            elif text.startswith("СекцияДокумент="):
                number = self._document_section(number, text.partition("=")[2].strip())
            else:
                raise ClientBankError(number, f"expected a section or КонецФайла, found {text!r}")
        return ClientBankFile(self._version(), self.codec, self._accounts(), tuple(self.documents))

    def _header(self) -> int:
        """The header's keys, up to the first section; the line number before it."""
        number = 1
        while number < len(self.lines):
            text = self.lines[number].strip()
            if text.startswith("Секция") or text == "КонецФайла":
                return number
            if text:
                key, value = _pair(number + 1, text)
                self.header[key] = value
            number += 1
        raise ClientBankError(len(self.lines), "the file ends without КонецФайла (truncated?)")

    def _next(self, number: int) -> tuple[int, str]:
        """The next non-blank line after line ``number`` (1-based), and its number."""
        while number < len(self.lines):
            number += 1
            text = self.lines[number - 1].strip()
            if text:
                return number, text
        raise ClientBankError(number, "the file ends without КонецФайла (truncated?)")

    def _section(self, start: int, end: str) -> tuple[int, dict[str, tuple[int, str]]]:
        """The keys of the section opened on line ``start``, each with its line number."""
        keys: dict[str, tuple[int, str]] = {}
        number = start
        while True:
            try:
                number, text = self._next(number)
            except ClientBankError:
                last = len(self.lines)
                raise ClientBankError(last, f"the file ends before {end} (truncated?)") from None
            if text == end:
                return number, keys
            if text.startswith("Секция") or text == "КонецФайла":
                raise ClientBankError(number, f"{text} before {end} of line {start}")
            key, value = _pair(number, text)
            if key in keys:
                raise ClientBankError(number, f"{key} appears twice in the section of line {start}")
            keys[key] = (number, value)

    def _account_section(self, start: int) -> int:
        end, keys = self._section(start, "КонецРасчСчет")
        number, account = keys.get("РасчСчет", (start, ""))
        self.accounts.append(_matching(number, "РасчСчет", account, ACCOUNT, "20 digits"))
        return end

    def _document_section(self, start: int, kind: str) -> int:
        end, keys = self._section(start, "КонецДокумента")
        document = _document(start, kind or PAYMENT_ORDER, keys)
        earlier = self.seen.setdefault(_identity(document), start)
        if earlier != start:
            raise ClientBankError(start, f"the document repeats the one of line {earlier}")
        self.documents.append(document)
        return end

    def _only_blank_after(self, number: int) -> None:
        for later, text in enumerate(self.lines[number:], start=number + 1):
            if text.strip():
                raise ClientBankError(later, "text after КонецФайла")

    def _version(self) -> str:
        version = self.header.get("ВерсияФормата")
        if version is None:
            raise ClientBankError(1, "the header has no ВерсияФормата")
        if version not in VERSIONS:
            raise ClientBankError(1, f"ВерсияФормата {version!r} is not 1.02 or 1.03")
        return version

    def _accounts(self) -> tuple[str, ...]:
        named = [self.header["РасчСчет"]] if self.header.get("РасчСчет") else []
        return tuple(dict.fromkeys([*named, *self.accounts]))


def _pair(number: int, text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise ClientBankError(number, f"expected KEY=VALUE, found {text!r}")
    return key.strip(), value.strip()


def _identity(document: Document) -> tuple[str, str, str, str]:
    """What makes a document the same document twice: kind, number, day, payer's account."""
    return (document.kind, document.number, document.day, document.payer.account)


def _document(start: int, kind: str, keys: dict[str, tuple[int, str]]) -> Document:
    def required(key: str) -> tuple[int, str]:
        number, value = keys.get(key, (start, ""))
        if not value:
            raise ClientBankError(number, f"{key} is missing from the document of line {start}")
        return number, value

    number, text = required("Номер")
    if len(text) > MAX_NUMBER_CHARS:
        raise ClientBankError(number, f"Номер has more than {MAX_NUMBER_CHARS} characters")
    return Document(
        number=text,
        day=_day(*required("Дата"), "Дата"),
        amount_kopecks=_kopecks(*required("Сумма")),
        payer=_party(keys, "Плательщик", required("ПлательщикСчет")),
        payee=_party(keys, "Получатель", required("ПолучательСчет")),
        purpose=keys.get("НазначениеПлатежа", (start, ""))[1],
        kind=kind,
        debited_on=_optional_day(keys, "ДатаСписано"),
        credited_on=_optional_day(keys, "ДатаПоступило"),
        line=start,
    )


def _party(keys: dict[str, tuple[int, str]], role: str, account: tuple[int, str]) -> Party:
    def value(suffix: str, pattern: re.Pattern[str] | None = None, shape: str = "") -> str:
        number, text = keys.get(role + suffix, (0, ""))
        return _matching(number, role + suffix, text, pattern, shape) if text and pattern else text

    return Party(
        account=_matching(account[0], f"{role}Счет", account[1], ACCOUNT, "20 digits"),
        inn=value("ИНН", INN, "10 or 12 digits, or 0"),
        name=value("1") or value(""),
        bic=value("БИК", BIC, "9 digits"),
        bank=value("Банк1"),
        correspondent=value("Корсчет", ACCOUNT, "20 digits"),
    )


def _matching(number: int, key: str, text: str, pattern: re.Pattern[str] | None, shape: str) -> str:
    if pattern is not None and pattern.fullmatch(text) is None:
        raise ClientBankError(number, f"{key} {text!r} is not {shape}")
    return text


def _kopecks(number: int, text: str) -> int:
    """Roubles with a decimal point, as an exact whole number of kopecks."""
    if "," in text:
        raise ClientBankError(number, f"Сумма {text!r}: the decimal separator is a point")
    match = AMOUNT.fullmatch(text)
    if match is None:
        raise ClientBankError(number, f"Сумма {text!r} is not an amount in roubles")
    roubles, decimals = match.group(1), match.group(2) or ""
    if len(decimals) > 2:
        raise ClientBankError(number, f"Сумма {text!r} has more than 2 decimal places")
    kopecks = int(roubles) * 100 + int(decimals.ljust(2, "0"))
    if kopecks == 0:
        raise ClientBankError(number, f"Сумма {text!r} is zero")
    return kopecks


def _day(number: int, text: str, key: str) -> str:
    """ДД.ММ.ГГГГ as an ISO day."""
    match = DAY.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day).isoformat()
    except ValueError:
        raise ClientBankError(number, f"{key} {text!r} is not a day ДД.ММ.ГГГГ") from None


def _optional_day(keys: dict[str, tuple[int, str]], key: str) -> str | None:
    number, text = keys.get(key, (0, ""))
    return _day(number, text, key) if text else None


def statement_lines(file: ClientBankFile) -> list[dict[str, JSONValue]]:
    """The file's documents as the lines of one account's statement, in order: a debit where
    the account pays (booked on ``ДатаСписано``), a credit where it receives (on
    ``ДатаПоступило``), the reference the payment id its purpose names after ``krai:``."""
    if len(file.accounts) != 1:
        found = ", ".join(file.accounts) or "none"
        raise ClientBankError(1, f"a statement covers one account (РасчСчет); found {found}")
    [account] = file.accounts
    return [_line(position, account, d) for position, d in enumerate(file.documents, start=1)]


def _line(position: int, account: str, document: Document) -> dict[str, JSONValue]:
    if document.payer.account == account:
        direction, booked_on, key = "debit", document.debited_on, "ДатаСписано"
    elif document.payee.account == account:
        direction, booked_on, key = "credit", document.credited_on, "ДатаПоступило"
    else:
        message = f"neither ПлательщикСчет nor ПолучательСчет is the statement's account {account}"
        raise ClientBankError(document.line, message)
    if booked_on is None:
        raise ClientBankError(document.line, f"{key} is missing: the bank has not booked it")
    return {
        "line_id": str(position),
        "booked_on": booked_on,
        "direction": direction,
        "amount_kopecks": document.amount_kopecks,
        "reference": reference(document),
    }


def order_purpose(payment_id: str) -> str:
    """The purpose of a payment order paying ``payment_id``: the id after ``krai:``."""
    return f"Выплата, платёж {PAYMENT_ID_MARKER}{payment_id}; без налога (НДС)"


def reference(document: Document) -> str:
    """The payment id after ``krai:`` in the purpose; else the document's number and day,
    which name no payment."""
    found = PAYMENT_ID.search(document.purpose)
    if found is not None:
        return found.group(1)
    return f"№ {document.number} от {document.day}"


def write_client_bank(
    account: str, day: str, documents: Sequence[Document], codec: str = "cp1251"
) -> bytes:
    """Documents of ``account`` dated ``day`` (payment orders; with booking days, a bank's
    statement) as a file in ``codec`` (cp1251 or utf-8), version 1.03, lines ending CRLF."""
    name = next((name for name, known in ENCODINGS.items() if known == codec), None)
    if name is None:
        raise ValueError(f"cannot write {codec}: Windows, DOS or UTF-8 only")
    lines = [
        FIRST_LINE,
        "ВерсияФормата=1.03",
        f"Кодировка={name}",
        "Отправитель=krai",
        "Получатель=",
        f"ДатаСоздания={_written_day(day)}",
        f"ДатаНачала={_written_day(day)}",
        f"ДатаКонца={_written_day(day)}",
        f"РасчСчет={account}",
        f"Документ={PAYMENT_ORDER}",
        "СекцияРасчСчет",
        f"ДатаНачала={_written_day(day)}",
        f"ДатаКонца={_written_day(day)}",
        f"РасчСчет={account}",
        "КонецРасчСчет",
    ]
    for document in documents:
        lines += _document_lines(document)
    lines.append("КонецФайла")
    for number, line in enumerate(lines, start=1):
        if "\n" in line or "\r" in line:
            raise ValueError(f"line {number}: a value holds a line break")
    try:
        return ("\r\n".join(lines) + "\r\n").encode(codec)
    except UnicodeEncodeError as error:
        bad = error.object[error.start]
        raise ValueError(f"a value cannot be written in {codec}: {bad!r}") from None


def _document_lines(document: Document) -> list[str]:
    return [
        f"СекцияДокумент={document.kind}",
        f"Номер={document.number}",
        f"Дата={_written_day(document.day)}",
        f"Сумма={document.amount_kopecks // 100}.{document.amount_kopecks % 100:02d}",
        *_booking_lines(document),
        *_party_lines("Плательщик", document.payer),
        *_party_lines("Получатель", document.payee),
        "ВидОплаты=01",
        "Очередность=5",
        f"НазначениеПлатежа={document.purpose}",
        "КонецДокумента",
    ]


def _booking_lines(document: Document) -> list[str]:
    """A statement's booking days, where the document has them."""
    days = (("ДатаСписано", document.debited_on), ("ДатаПоступило", document.credited_on))
    return [f"{key}={_written_day(day)}" for key, day in days if day is not None]


def _party_lines(role: str, party: Party) -> list[str]:
    return [
        f"{role}Счет={party.account}",
        f"{role}={party.name}",
        f"{role}ИНН={party.inn}",
        f"{role}1={party.name}",
        f"{role}РасчСчет={party.account}",
        f"{role}Банк1={party.bank}",
        f"{role}БИК={party.bic}",
        f"{role}Корсчет={party.correspondent}",
    ]


def _written_day(day: str) -> str:
    written = date.fromisoformat(day)
    return f"{written.day:02d}.{written.month:02d}.{written.year:04d}"
